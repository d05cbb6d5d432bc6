import * as tf from '@tensorflow/tfjs-core';

/** Adam's β1, β2 and ε, as every trainer of the project uses them. */
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/**
 * One Adam step on a variable (call inside tf.tidy): updates its moments and the variable in place.
 * `t` counts steps from 1 (bias correction). A weight decay > 0 is AdamW's, decoupled from the gradient.
 */
export function adamStep(variable: tf.Variable, m: tf.Variable, v: tf.Variable, gradient: tf.Tensor, t: number, lr: number, weightDecay = 0): void {
  const { beta1, beta2, eps } = ADAM;
  const m1 = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
  const m2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
  m.assign(m1);
  v.assign(m2);
  let update = tf.div(tf.div(m1, 1 - beta1 ** t), tf.add(tf.sqrt(tf.div(m2, 1 - beta2 ** t)), eps));
  if (weightDecay > 0) update = tf.add(update, tf.mul(variable, weightDecay));
  variable.assign(tf.sub(variable, tf.mul(update, lr)));
}
