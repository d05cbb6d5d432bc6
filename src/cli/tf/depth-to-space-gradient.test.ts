import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/random';
import { registerDepthToSpaceGradient, spaceToDepth } from './depth-to-space-gradient';

const random = (shape: number[], seed: number) => {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
};

describe('DepthToSpace gradient', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerDepthToSpaceGradient();
  });

  it('spaceToDepth inverts depthToSpace exactly', () => {
    const x = random([2, 3, 4, 12], 1) as tf.Tensor4D;
    expect(Array.from(spaceToDepth(tf.depthToSpace(x, 2), 2).dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it('equals the gradient of the same shuffle written as reshape/transpose (which tfjs differentiates)', () => {
    for (const block of [2, 3]) {
      const x = random([2, 3, 5, block * block * 4], 2) as tf.Tensor4D;
      const w = random([2, 3 * block, 5 * block, 4], 3);
      const viaKernel = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.depthToSpace(v as tf.Tensor4D, block), w)))(x);
      const viaReshape = tf.grad((v: tf.Tensor) => {
        const [n, h, wd] = v.shape;
        const shuffled = tf.reshape(tf.transpose(tf.reshape(v, [n, h, wd, block, block, 4]), [0, 1, 3, 2, 4, 5]), [n, h * block, wd * block, 4]);
        return tf.sum(tf.mul(shuffled, w));
      })(x);
      expect(Array.from(viaKernel.dataSync())).toEqual(Array.from(viaReshape.dataSync()));
      expect(tf.max(tf.abs(viaKernel)).dataSync()[0]).toBeGreaterThan(1);
    }
  });
});
