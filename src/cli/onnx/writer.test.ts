import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/random';
import { ARCHITECTURES, buildGraph, type ArchOptions } from '../models/registry';
import { initParams, runGraph } from '../models/tf-network';
import { exportOnnx, featureOutputName, OUTPUT_NAME } from './writer';

/** NHWC → NCHW for comparing tfjs tensors with ORT outputs. */
function toNchw(data: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k];
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const configs: { arch: string; options: Partial<ArchOptions> }[] = [
  { arch: 'srresnet', options: { width: 8, depth: 2, activation: 'relu' } },
  { arch: 'srresnet', options: { width: 8, depth: 1, activation: 'prelu' } },
  { arch: 'srresnet', options: { width: 6, depth: 2, activation: 'lrelu' } },
  { arch: 'srresnet-sr', options: { width: 8, depth: 2, scale: 4 } },
  { arch: 'srresnet-sr', options: { width: 8, depth: 1, scale: 2, activation: 'prelu' } },
];

describe('ONNX export', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it('covers every registered architecture', () => {
    expect(new Set(configs.map((c) => c.arch))).toEqual(new Set(Object.keys(ARCHITECTURES)));
  });

  it('a features-only descriptor export keeps just the nodes its outputs need, with the same values', async () => {
    const { graph } = buildGraph('srresnet-sr', { width: 6, depth: 2, scale: 4 });
    const params = initParams(graph, createRng(5));
    const full = await ort.InferenceSession.create(exportOnnx(graph, params));
    const pruned = exportOnnx(graph, params, { features: ['last_block'], includeOutput: false });
    const session = await ort.InferenceSession.create(pruned);
    expect(session.outputNames).toEqual([featureOutputName('last_block')]);
    expect(pruned.length).toBeLessThan(exportOnnx(graph, params).length / 2); // the upsampling half is gone
    const rng = createRng(6);
    const input = new ort.Tensor('float32', Float32Array.from({ length: 3 * 10 * 14 }, () => rng.next()), [1, 3, 10, 14]);
    const a = (await full.run({ input }))[featureOutputName('last_block')].data as Float32Array;
    const b = (await session.run({ input }))[featureOutputName('last_block')].data as Float32Array;
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(() => exportOnnx(graph, params, { features: [], includeOutput: false })).toThrow(/nothing to export/);
    expect(() => exportOnnx(graph, params, { features: ['nope'] })).toThrow(/no feature layer "nope"/);
  });

  for (const { arch, options } of configs) {
    it(`onnxruntime-node matches tfjs for ${arch} ${JSON.stringify(options)} at two sizes`, async () => {
      const { graph } = buildGraph(arch, options);
      const params = initParams(graph, createRng(11));
      // Perturb biases and PReLU slopes away from their constant init so every weight matters.
      const rng = createRng(12);
      for (const spec of graph.params) if (spec.init.kind === 'constant') params[spec.name] = params[spec.name].map(() => rng.uniform(-0.2, 0.3));
      const session = await ort.InferenceSession.create(exportOnnx(graph, params));
      const layers = Object.keys(graph.features);
      expect(session.outputNames).toEqual([OUTPUT_NAME, ...layers.map(featureOutputName)]);

      for (const [h, w] of [[12, 16], [23, 9]]) {
        const input = Float32Array.from({ length: h * w * 3 }, () => rng.next());
        const tensors = tf.tidy(() => {
          const weights = Object.fromEntries(graph.params.map((p) => [p.name, tf.tensor(params[p.name], p.shape)]));
          return runGraph(graph, weights, tf.tensor4d(input, [1, h, w, 3]), [graph.output, ...layers.map((l) => graph.features[l])]);
        });
        const results = await session.run({ input: new ort.Tensor('float32', toNchw(input, [1, h, w, 3]), [1, 3, h, w]) });
        const names = [OUTPUT_NAME, ...layers.map(featureOutputName)];
        names.forEach((name, i) => {
          const ours = tensors[i];
          const theirs = results[name];
          const [n, oh, ow, oc] = ours.shape;
          expect(theirs.dims).toEqual([n, oc, oh, ow]);
          expect(maxAbsDiff(toNchw(ours.dataSync() as Float32Array, ours.shape), theirs.data as Float32Array)).toBeLessThanOrEqual(1e-4);
        });
        expect(results[OUTPUT_NAME].dims).toEqual([1, 3, h * graph.scale, w * graph.scale]);
        tf.dispose(tensors);
      }
      await session.release();
    });
  }
});
