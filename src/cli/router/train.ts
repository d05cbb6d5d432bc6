import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../core/random';
import { ROUTER_CLASSES } from '../../core/router/classes';
import { PATCH_COUNT, PATCH_FEATURE_COUNT } from '../../core/router/patch-features';
import { adamStep } from '../tf/adam';
import { encodeCheckpoint, loadCheckpoint, type Checkpoint } from '../train/checkpoint';
import { atomicWrite } from '../io/images';
import type { ParamValues } from '../models/tf-network';

/**
 * The router network, a deep set over patches (Zaheer et al. 2017; the same idea as AirNet's
 * patch-level degradation encoder, at our compute): a shared MLP embeds each patch's cues, the
 * embeddings are pooled over the photo's patches by mean and by max, and a second MLP turns the
 * pooled vector into one logit per class. Max pooling is what keeps a sharp subject visible in
 * front of a blurred background; mean pooling is what sees a degradation spread over every patch.
 */
export const ROUTER_ARCH = 'patch-set-mlp';

export interface RouterHyper {
  hidden: number;
  epochs: number;
  batch: number;
  learningRate: number;
  /** L2 penalty on the weight matrices. */
  weightDecay: number;
  labelSmoothing: number;
  /** Each batch keeps a random subset of this many patches or more (patch dropout), so the pooling does not lean on all 49. */
  minPatches: number;
  seed: number;
}

export const DEFAULT_ROUTER_HYPER: RouterHyper = {
  hidden: 64, epochs: 40, batch: 64, learningRate: 3e-3, weightDecay: 1e-4, labelSmoothing: 0.05, minPatches: 16, seed: 7,
};

/** Parameter names and shapes (tfjs layout: a dense weight is [in, out]). */
export function routerParamShapes(hidden: number): [string, number[]][] {
  const c = ROUTER_CLASSES.length;
  return [
    ['w1', [PATCH_FEATURE_COUNT, hidden]], ['b1', [hidden]],
    ['w2', [hidden, hidden]], ['b2', [hidden]],
    ['w3', [2 * hidden, hidden]], ['b3', [hidden]],
    ['w4', [hidden, c]], ['b4', [c]],
  ];
}

export interface RouterWeights {
  hidden: number;
  /** Feature standardisation, from the training patches. */
  mean: Float32Array;
  scale: Float32Array;
  params: ParamValues;
}

export interface LabelledSamples {
  /** n × PATCH_COUNT × PATCH_FEATURE_COUNT values. */
  features: Float32Array;
  /** Class index into ROUTER_CLASSES per sample, or OUTLIER. */
  labels: Int32Array;
}

/**
 * The label of an outlier-exposure sample (Hendrycks et al. 2019): a view damaged by something none
 * of the classes is, trained towards the uniform distribution so that such photos get a high energy.
 */
export const OUTLIER = -1;

/** Logits [n, classes] of the router in tfjs (the training graph; the ONNX export mirrors it). */
function forward(weights: Record<string, tf.Tensor>, mean: tf.Tensor, scale: tf.Tensor, x: tf.Tensor3D): tf.Tensor2D {
  const [n, k, f] = x.shape;
  const h = weights.b1.shape[0];
  const z = tf.reshape(tf.div(tf.sub(x, mean), scale), [n * k, f]) as tf.Tensor2D;
  const e1 = tf.relu(tf.add(tf.matMul(z, weights.w1 as tf.Tensor2D), weights.b1)) as tf.Tensor2D;
  const e2 = tf.reshape(tf.relu(tf.add(tf.matMul(e1, weights.w2 as tf.Tensor2D), weights.b2)), [n, k, h]);
  const pooled = tf.concat([tf.mean(e2, 1), tf.max(e2, 1)], 1) as tf.Tensor2D;
  const e3 = tf.relu(tf.add(tf.matMul(pooled, weights.w3 as tf.Tensor2D), weights.b3)) as tf.Tensor2D;
  return tf.add(tf.matMul(e3, weights.w4 as tf.Tensor2D), weights.b4) as tf.Tensor2D;
}

/** Per-feature mean and standard deviation over every training patch (floored, so a constant feature stays finite). */
export function featureStandardisation(features: Float32Array): { mean: Float32Array; scale: Float32Array } {
  const f = PATCH_FEATURE_COUNT;
  const rows = features.length / f;
  const sum = new Float64Array(f), squares = new Float64Array(f);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < f; j++) {
      const v = features[r * f + j];
      sum[j] += v;
      squares[j] += v * v;
    }
  }
  const mean = new Float32Array(f), scale = new Float32Array(f);
  for (let j = 0; j < f; j++) {
    mean[j] = sum[j] / rows;
    scale[j] = Math.max(1e-3, Math.sqrt(Math.max(0, squares[j] / rows - mean[j] ** 2)));
  }
  return { mean, scale };
}

function initialParams(hidden: number, seed: number): ParamValues {
  const rng = createRng(seed);
  const params: ParamValues = {};
  for (const [name, shape] of routerParamShapes(hidden)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (shape.length === 2) {
      const std = Math.sqrt(2 / shape[0]); // He initialisation for the ReLU layers
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    }
    params[name] = values;
  }
  return params;
}

export interface TrainLog {
  epoch: number;
  loss: number;
  heldOutAccuracy: number | null;
}

/**
 * Trains the router with Adam, a cosine learning rate and label smoothing. Checkpoints after every
 * epoch (atomically); a rerun with the same data and settings resumes from the last one and ends
 * with the same weights.
 */
export async function trainRouter(
  train: LabelledSamples,
  heldOut: LabelledSamples | null,
  hyper: RouterHyper,
  checkpointPath: string,
  log: (line: string) => void,
  /** Asked after each epoch's checkpoint; true stops the run there (SIGINT, tests). */
  shouldStop: () => boolean = () => false,
): Promise<{ weights: RouterWeights; history: TrainLog[]; finished: boolean }> {
  const n = train.labels.length;
  const sampleValues = PATCH_COUNT * PATCH_FEATURE_COUNT;
  if (train.features.length !== n * sampleValues) throw new Error(`router training data has ${train.features.length} values for ${n} samples`);
  const { mean, scale } = featureStandardisation(train.features);
  // The data's fingerprint (its standardisation's means), so a checkpoint of other samples of the same count is not resumed.
  const config = { ...hyper, samples: n, dataFingerprint: mean.reduce((s, x, i) => s + x * (i + 1), 0) };
  let params = initialParams(hyper.hidden, hyper.seed);
  let m: ParamValues | null = null, v: ParamValues | null = null;
  let startEpoch = 0;
  let history: TrainLog[] = [];
  if (existsSync(checkpointPath)) {
    const saved = await loadCheckpoint(checkpointPath);
    if (JSON.stringify(saved.meta.config) === JSON.stringify(config) && saved.training) {
      params = saved.params;
      ({ m, v } = saved.training);
      startEpoch = saved.training.step;
      history = (saved.meta as unknown as { history?: TrainLog[] }).history ?? [];
      log(`router: resuming after epoch ${startEpoch}`);
    } else {
      log(`router: ${checkpointPath} was written with other settings or data; starting over`);
    }
  }

  const shapes = routerParamShapes(hyper.hidden);
  const variables = shapes.map(([name, shape]) => tf.variable(tf.tensor(params[name], shape), true, `router_${name}_${Date.now()}`));
  const moments1 = shapes.map(([name, shape], i) => tf.variable(m ? tf.tensor(m[name], shape) : tf.zerosLike(variables[i]), false));
  const moments2 = shapes.map(([name, shape], i) => tf.variable(v ? tf.tensor(v[name], shape) : tf.zerosLike(variables[i]), false));
  const byName = Object.fromEntries(shapes.map(([name], i) => [name, variables[i] as tf.Tensor]));
  const meanT = tf.tensor1d(mean), scaleT = tf.tensor1d(scale);
  const classes = ROUTER_CLASSES.length;
  const stepsPerEpoch = Math.ceil(n / hyper.batch);
  const totalSteps = stepsPerEpoch * hyper.epochs;

  const read = (vars: tf.Variable[]) => Object.fromEntries(shapes.map(([name], i) => [name, vars[i].dataSync().slice() as Float32Array]));
  const save = async (epoch: number) => {
    const checkpoint: Checkpoint = {
      meta: { arch: ROUTER_ARCH, archOptions: { hidden: hyper.hidden } as never, tasks: [...ROUTER_CLASSES], config, createdAt: new Date().toISOString(), stepsDone: epoch * stepsPerEpoch, trainSeconds: 0, history } as never,
      params: read(variables),
      training: { step: epoch, rngState: [0, 0, 0, 0], m: read(moments1), v: read(moments2) },
    };
    await atomicWrite(checkpointPath, encodeCheckpoint(checkpoint));
  };

  for (let epoch = startEpoch; epoch < hyper.epochs; epoch++) {
    // The epoch's order and patch subsets depend on (seed, epoch) only, so a resumed run repeats them.
    const rng = createRng(hyper.seed * 7919 + epoch);
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const idx = order.slice(s * hyper.batch, (s + 1) * hyper.batch);
      const keep = rng.int(hyper.minPatches, PATCH_COUNT);
      const patches = Array.from({ length: PATCH_COUNT }, (_, i) => i);
      for (let i = PATCH_COUNT - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [patches[i], patches[j]] = [patches[j], patches[i]];
      }
      const kept = patches.slice(0, keep);
      const x = new Float32Array(idx.length * keep * PATCH_FEATURE_COUNT);
      const y = new Float32Array(idx.length * classes);
      idx.forEach((sample, b) => {
        kept.forEach((p, q) => x.set(train.features.subarray(sample * sampleValues + p * PATCH_FEATURE_COUNT, sample * sampleValues + (p + 1) * PATCH_FEATURE_COUNT), (b * keep + q) * PATCH_FEATURE_COUNT));
        const label = train.labels[sample];
        // An outlier (label OUTLIER: damage none of the classes is) is taught no class: the uniform target.
        for (let c = 0; c < classes; c++) y[b * classes + c] = label === OUTLIER ? 1 / classes : hyper.labelSmoothing / classes + (c === label ? 1 - hyper.labelSmoothing : 0);
      });
      const step = epoch * stepsPerEpoch + s;
      const lr = hyper.learningRate * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
      const t = step + 1;
      const loss = tf.tidy(() => {
        const input = tf.tensor3d(x, [idx.length, keep, PATCH_FEATURE_COUNT]);
        const target = tf.tensor2d(y, [idx.length, classes]);
        const { value, grads } = tf.variableGrads(() => {
          const logits = forward(byName, meanT, scaleT, input);
          const ce = tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
          const l2 = tf.addN(['w1', 'w2', 'w3', 'w4'].map((w) => tf.sum(tf.square(byName[w]))));
          return tf.add(ce, tf.mul(l2, hyper.weightDecay)) as tf.Scalar;
        }, variables);
        variables.forEach((variable, i) => adamStep(variable, moments1[i], moments2[i], grads[variable.name], t, lr));
        return value;
      });
      lossSum += (await loss.data())[0];
      loss.dispose();
    }
    const weights: RouterWeights = { hidden: hyper.hidden, mean, scale, params: read(variables) };
    const heldOutAccuracy = heldOut ? accuracy(routerLogits(weights, heldOut.features), heldOut.labels) : null;
    history.push({ epoch: epoch + 1, loss: lossSum / stepsPerEpoch, heldOutAccuracy });
    log(`router epoch ${epoch + 1}/${hyper.epochs}: loss ${(lossSum / stepsPerEpoch).toFixed(4)}${heldOutAccuracy !== null ? `, held-out accuracy ${(100 * heldOutAccuracy).toFixed(1)} %` : ''}`);
    await save(epoch + 1);
    if (epoch + 1 < hyper.epochs && shouldStop()) {
      tf.dispose([...variables, ...moments1, ...moments2, meanT, scaleT]);
      return { weights, history, finished: false };
    }
  }
  const weights: RouterWeights = { hidden: hyper.hidden, mean, scale, params: read(variables) };
  tf.dispose([...variables, ...moments1, ...moments2, meanT, scaleT]);
  return { weights, history, finished: true };
}

/** Logits of many samples with the trained weights (tfjs), n × classes, row-major. */
export function routerLogits(weights: RouterWeights, features: Float32Array): Float32Array {
  const n = features.length / (PATCH_COUNT * PATCH_FEATURE_COUNT);
  return tf.tidy(() => {
    const byName = Object.fromEntries(routerParamShapes(weights.hidden).map(([name, shape]) => [name, tf.tensor(weights.params[name], shape)]));
    const logits = forward(byName, tf.tensor1d(weights.mean), tf.tensor1d(weights.scale), tf.tensor3d(features, [n, PATCH_COUNT, PATCH_FEATURE_COUNT]));
    return logits.dataSync().slice() as Float32Array;
  });
}

export function accuracy(logits: Float32Array, labels: Int32Array): number {
  const classes = logits.length / labels.length;
  let right = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === label) right++;
  });
  return right / labels.length;
}
