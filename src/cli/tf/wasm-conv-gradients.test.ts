import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/random';
import { registerWasmConvGradients } from './wasm-conv-gradients';

/** Deterministic random tensor data, identical for both backends. */
function randomData(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

/** Loss = Σ conv2d(x, w) · r, so dL/dw = Conv2DBackpropFilter(x, r); also returns dL/dx. */
async function gradients(backend: string, c: { x: number[]; w: number[]; strides: number; pad: 'same' | 'valid' }) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomData(c.x, 1), c.x as [number, number, number, number]);
    const w = tf.tensor4d(randomData(c.w, 2), c.w as [number, number, number, number]);
    const outShape = tf.conv2d(x, w, c.strides, c.pad).shape;
    const r = tf.tensor(randomData(outShape, 3), outShape);
    const f = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, c.pad), r));
    const [dx, dw] = tf.grads(f)([x, w]);
    return { dx: dx.dataSync().slice(), dw: dw.dataSync().slice(), dwShape: dw.shape };
  });
}

describe('wasm conv gradient kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmConvGradients();
  });

  const cases = [
    { x: [2, 9, 11, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same' as const },
    { x: [1, 8, 8, 4], w: [3, 3, 4, 2], strides: 1, pad: 'valid' as const },
    { x: [3, 10, 7, 2], w: [3, 3, 2, 4], strides: 2, pad: 'same' as const },
    { x: [2, 9, 9, 3], w: [1, 1, 3, 6], strides: 1, pad: 'same' as const },
    { x: [1, 12, 12, 2], w: [5, 5, 2, 3], strides: 2, pad: 'valid' as const },
    { x: [2, 7, 10, 3], w: [5, 3, 3, 4], strides: 1, pad: 'same' as const },
    { x: [1, 9, 8, 2], w: [4, 4, 2, 3], strides: 1, pad: 'same' as const }, // even kernel: asymmetric padding
  ];

  for (const c of cases) {
    it(`match the cpu backend's weight and input gradients for x ${c.x.join('×')}, w ${c.w.join('×')}, stride ${c.strides}, ${c.pad}`, async () => {
      const reference = await gradients('cpu', c);
      const ours = await gradients('wasm', c);
      expect(ours.dwShape).toEqual(c.w);
      let maxDiff = 0, maxRef = 0;
      for (let i = 0; i < reference.dw.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(reference.dw[i] - ours.dw[i]));
        maxRef = Math.max(maxRef, Math.abs(reference.dw[i]));
      }
      expect(maxRef).toBeGreaterThan(1); // a real gradient, not zeros
      expect(maxDiff / maxRef).toBeLessThan(1e-5);
      let maxDiffX = 0, maxRefX = 0;
      for (let i = 0; i < reference.dx.length; i++) {
        maxDiffX = Math.max(maxDiffX, Math.abs(reference.dx[i] - ours.dx[i]));
        maxRefX = Math.max(maxRefX, Math.abs(reference.dx[i]));
      }
      expect(maxRefX).toBeGreaterThan(1);
      expect(maxDiffX / maxRefX).toBeLessThan(1e-5);
    });
  }

  it('does not leak tensors across training steps', async () => {
    await tf.setBackend('wasm');
    const w = tf.variable(tf.tensor4d(randomData([3, 3, 4, 4], 5), [3, 3, 4, 4]));
    const x = tf.tensor4d(randomData([2, 8, 8, 4], 6), [2, 8, 8, 4]);
    const step = () => tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'))));
      w.assign(tf.sub(w, tf.mul(grads[w.name], 0.01)));
    });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});
