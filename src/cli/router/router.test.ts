import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/random';
import { ROUTER_CLASSES } from '../../core/router/classes';
import { PATCH_COUNT, PATCH_FEATURE_COUNT } from '../../core/router/patch-features';
import { ROUTER_INPUT, ROUTER_OUTPUT, routerEnergy } from '../../core/router/router';
import { selectBackend } from '../tf/backend';
import { exportRouterOnnx } from './onnx';
import { accuracy, DEFAULT_ROUTER_HYPER, OUTLIER, routerLogits, trainRouter, type LabelledSamples } from './train';
import { stackSamples } from './stage';
import { OUTLIER_LABELS } from './dataset';

/** Separable toy data: class k raises feature k in a third of the patches (so pooling has to find it). */
function toyData(n: number, seed: number): LabelledSamples {
  const rng = createRng(seed);
  const features = new Float32Array(n * PATCH_COUNT * PATCH_FEATURE_COUNT);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % ROUTER_CLASSES.length;
    for (let p = 0; p < PATCH_COUNT; p++) {
      for (let f = 0; f < PATCH_FEATURE_COUNT; f++) {
        features[(i * PATCH_COUNT + p) * PATCH_FEATURE_COUNT + f] = rng.normal() + (f === labels[i] && p % 3 === 0 ? 4 : 0);
      }
    }
  }
  return { features, labels };
}

const hyper = { ...DEFAULT_ROUTER_HYPER, hidden: 16, epochs: 12, batch: 32, learningRate: 1e-2 };
let dir: string;
beforeAll(async () => {
  await selectBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'router-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('router training', () => {
  it('learns a separable toy problem (held-out accuracy ≥ 90 %)', async () => {
    const { weights } = await trainRouter(toyData(480, 1), null, hyper, join(dir, 'a.ckpt'), () => {});
    const test = toyData(240, 2);
    expect(accuracy(routerLogits(weights, test.features), test.labels)).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('outliers (another feature raised) are trained towards no class: on new ones the energy is higher and no class is likely', async () => {
    /** The toy data with every fourth sample an outlier: feature 20 raised instead of its class's. */
    const withOutliers = (n: number, seed: number): LabelledSamples => {
      const data = toyData(n, seed);
      const rng = createRng(seed + 100);
      for (let i = 0; i < n; i += 4) {
        data.labels[i] = OUTLIER;
        for (let p = 0; p < PATCH_COUNT; p++) {
          for (let f = 0; f < PATCH_FEATURE_COUNT; f++) data.features[(i * PATCH_COUNT + p) * PATCH_FEATURE_COUNT + f] = rng.normal() + (f === 20 && p % 3 === 0 ? 4 : 0);
        }
      }
      return data;
    };
    const { weights } = await trainRouter(withOutliers(480, 6), null, hyper, join(dir, 'outliers.ckpt'), () => {});
    const test = withOutliers(240, 7);
    const logits = routerLogits(weights, test.features);
    const classes = ROUTER_CLASSES.length;
    const energies = { outlier: [] as number[], known: [] as number[] };
    let confident = 0;
    test.labels.forEach((label, i) => {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      (label === OUTLIER ? energies.outlier : energies.known).push(routerEnergy(row, 1));
      if (label === OUTLIER) {
        const top = Math.max(...row);
        const p = 1 / Array.from(row).reduce((s, l) => s + Math.exp(l - top), 0);
        if (p > 0.5) confident++;
      }
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(energies.outlier)).toBeGreaterThan(mean(energies.known) + 1);
    expect(confident / energies.outlier.length).toBeLessThan(0.1);
  }, 120_000);

  it('stacking sample sets keeps their order and labels outliers OUTLIER', () => {
    const a = new Float32Array(2 * PATCH_COUNT * PATCH_FEATURE_COUNT).fill(1);
    const b = new Float32Array(OUTLIER_LABELS.length * PATCH_COUNT * PATCH_FEATURE_COUNT).fill(2);
    const stacked = stackSamples([{ perPhoto: [a], labels: ['clean', 'jpeg'] }, { perPhoto: [b], labels: OUTLIER_LABELS }]);
    expect(Array.from(stacked.labels)).toEqual([ROUTER_CLASSES.indexOf('clean'), ROUTER_CLASSES.indexOf('jpeg'), ...OUTLIER_LABELS.map(() => OUTLIER)]);
    expect(stacked.features[0]).toBe(1);
    expect(stacked.features[stacked.features.length - 1]).toBe(2);
    expect(() => stackSamples([{ perPhoto: [a], labels: ['clean', 'no-such-class' as never] }])).toThrow(/unknown router sample label/);
  });

  it('an interrupted run resumes from its last epoch and ends with the same weights', async () => {
    const data = toyData(96, 3);
    const whole = await trainRouter(data, null, hyper, join(dir, 'whole.ckpt'), () => {});
    const first = await trainRouter(data, null, hyper, join(dir, 'split.ckpt'), () => {}, () => true);
    expect(first.finished).toBe(false);
    const resumed = await trainRouter(data, null, hyper, join(dir, 'split.ckpt'), () => {});
    expect(resumed.finished).toBe(true);
    for (const name of Object.keys(whole.weights.params)) expect(resumed.weights.params[name]).toEqual(whole.weights.params[name]);
  }, 120_000);

  it('the ONNX export gives tfjs\'s logits (1e-4), for any number of patches', async () => {
    const { weights } = await trainRouter(toyData(96, 4), null, { ...hyper, epochs: 1 }, join(dir, 'b.ckpt'), () => {});
    const session = await ort.InferenceSession.create(exportRouterOnnx(weights, 'test'));
    const sample = toyData(3, 5);
    const expected = routerLogits(weights, sample.features);
    const out = await session.run({ [ROUTER_INPUT]: new ort.Tensor('float32', sample.features, [3, PATCH_COUNT, PATCH_FEATURE_COUNT]) }, [ROUTER_OUTPUT]);
    const got = out[ROUTER_OUTPUT].data as Float32Array;
    expect(got).toHaveLength(3 * ROUTER_CLASSES.length);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-4);
    // Fewer patches: the graph's patch axis is dynamic.
    const few = sample.features.slice(0, 10 * PATCH_FEATURE_COUNT);
    const fewOut = await session.run({ [ROUTER_INPUT]: new ort.Tensor('float32', few, [1, 10, PATCH_FEATURE_COUNT]) }, [ROUTER_OUTPUT]);
    expect(fewOut[ROUTER_OUTPUT].dims).toEqual([1, ROUTER_CLASSES.length]);
    await session.release();
  }, 120_000);
});
