import { describe, expect, it } from 'vitest';
import { createImage, quantize8 } from '../../core/image';
import { psnr } from '../../core/metrics';
import { createRng } from '../../core/random';
import { ROUTER_CLASSES, type RouterClass } from '../../core/router/classes';
import { routerProbabilities, TRAINED_CLEAN_SHARE } from '../../core/router/router';
import { generateTestScene } from '../../core/degradations/test-scenes';
import { calibrationCrops } from '../zoo/calibrate';
import { calibrateRouter, calibrationInput, CLEAN_INPUT_PSNR, decidingProbabilities, fitTemperature, gainTable, routerCandidate, routerPolicy, storedCropInputs, type RouterCalibration, type RouterCrop } from './calibrate';

const classIndex = (c: RouterClass) => ROUTER_CLASSES.indexOf(c);

/** Crops whose logits put `margin` on the true class: the best temperature is then known in closed form. */
function cropsWithMargin(margin: number, n: number, rng = createRng(1)): RouterCrop[] {
  return Array.from({ length: n }, (_, i) => {
    const source = ROUTER_CLASSES[i % ROUTER_CLASSES.length];
    // The network is right 80 % of the time, with the same confident margin either way.
    const predicted = rng.next() < 0.8 ? source : ROUTER_CLASSES[(classIndex(source) + 1) % ROUTER_CLASSES.length];
    const logits = ROUTER_CLASSES.map((c) => (c === predicted ? margin : 0));
    return { image: 'x', crop: 0, source, kind: 'in', logits, nearestGroupDistance: 3 };
  });
}

describe('fitTemperature', () => {
  it('softens an over-confident network: the NLL-optimal T matches the brute-force optimum', () => {
    const crops = cropsWithMargin(12, 600);
    const t = fitTemperature(crops);
    const nll = (temp: number) => crops.reduce((s, c) => s - Math.log(routerProbabilities(c.logits, temp)[c.source as RouterClass]), 0);
    let bruteT = 0.5;
    for (let x = 0.5; x <= 3.0001; x += 0.01) if (nll(x) < nll(bruteT)) bruteT = x;
    expect(t).toBeGreaterThan(1);
    expect(Math.abs(t - bruteT)).toBeLessThanOrEqual(0.05);
  });
});

describe('gain table, candidate and policy', () => {
  const crop = (source: RouterClass, p: RouterClass, gains: Record<string, number>): RouterCrop => ({
    image: 'x', crop: 0, source, kind: 'in', logits: ROUTER_CLASSES.map((c) => (c === p ? 10 : 0)), nearestGroupDistance: 3, gains,
  });
  const crops = [
    crop('jpeg', 'jpeg', { baseline: 1, 'g-jpeg': 3 }),
    crop('jpeg', 'jpeg', { baseline: 1, 'g-jpeg': 5 }),
    crop('clean', 'clean', { baseline: -20, 'g-jpeg': -25 }),
    crop('sr', 'jpeg', { baseline: 0.5, 'g-jpeg': -6 }),
  ];

  it('the gain table averages each model\'s gain per class', () => {
    const table = gainTable(crops, ['baseline', 'g-jpeg']);
    expect(table['g-jpeg'].jpeg).toBe(4);
    expect(table.baseline.clean).toBe(-20);
  });

  it('a clean crop\'s input PSNR is that of 8-bit rounding, measured on a random scene', () => {
    const rng = createRng(9);
    const scene = createImage(256, 256, Float32Array.from({ length: 256 * 256 * 3 }, () => rng.next()));
    expect(Math.abs(psnr(quantize8(scene), scene) - CLEAN_INPUT_PSNR)).toBeLessThan(0.05);
  });

  it('the candidate is "none" for a confident clean, else the model of highest expected gain', () => {
    const table = gainTable(crops, ['baseline', 'g-jpeg']);
    expect(routerCandidate(routerProbabilities(crops[2].logits, 1), table, 0.5)).toBe('none');
    expect(routerCandidate(routerProbabilities(crops[0].logits, 1), table, 0.5)).toBe('g-jpeg');
  });

  it('the policy keeps a group where the crops sent to it gained more with it than with the baseline', () => {
    const table = gainTable(crops, ['baseline', 'g-jpeg']);
    // Three crops go to g-jpeg: gains 3, 5, −6 (mean 0.67) against the baseline's 1, 1, 0.5 (0.83).
    const asTrained = { temperature: 1, cleanPrior: TRAINED_CLEAN_SHARE };
    expect(routerPolicy(crops, ['g-jpeg'], asTrained, table, 0.5)['g-jpeg']).toMatchObject({ routed: 3, use: 'baseline' });
    expect(routerPolicy(crops.slice(0, 3), ['g-jpeg'], asTrained, table, 0.5)['g-jpeg']).toMatchObject({ routed: 2, use: 'group' });
  });

  it('under a prior of half undamaged photos, a crop the network finds 5× likelier JPEG than clean is left as it is, and the record says so', () => {
    // Restoring a clean crop costs little here, so only P(clean) ≥ ½ leaves a photo alone.
    const mild = [crop('jpeg', 'jpeg', { baseline: 1, 'g-jpeg': 4 }), crop('clean', 'clean', { baseline: -1, 'g-jpeg': -1 })];
    const asTrained = calibrateRouter(mild, ['g-jpeg'], ['x'], 8, TRAINED_CLEAN_SHARE);
    const halfClean = calibrateRouter(mild, ['g-jpeg'], ['x'], 8, 0.5);
    expect(halfClean.temperature).toBe(asTrained.temperature);
    // Network odds clean : jpeg = 1 : 5 at that temperature, every other class ~0; the prior moves
    // them by 11 : 1 (0.5 against 0.5/11), to 11 : 5, so P(clean) = 11/16.
    const unsure: RouterCrop = { ...mild[0], logits: ROUTER_CLASSES.map((c) => (c === 'jpeg' ? asTrained.temperature * Math.log(5) : c === 'clean' ? 0 : -1e3)) };
    const decide = (c: RouterCalibration) => routerCandidate(decidingProbabilities(unsure, c), c.gain, c.noDamageThreshold);
    expect(decidingProbabilities(unsure, { temperature: halfClean.temperature, cleanPrior: 0.5 }).clean).toBeCloseTo(11 / 16, 9);
    expect(decide(asTrained)).toBe('g-jpeg');
    expect(decide(halfClean)).toBe('none');
    expect(halfClean.cleanPrior).toBe(0.5);
    expect(halfClean.heldOut).toMatchObject({ noDamageOnClean: 1, leftAloneWhenDamaged: 0 });
  });
});

describe('storedCropInputs', () => {
  it('rebuilds each stored crop\'s input as it was measured, and refuses a crop the settings do not make', () => {
    const images = [1, 2].map((seed) => ({ name: `p${seed}.png`, image: generateTestScene({ width: 64, height: 48, seed }) }));
    const crops = calibrationCrops(images, 32, 2, 7);
    const inputOf = storedCropInputs(images, 32, 2, 7);
    for (const [i, c] of crops.entries()) {
      for (const source of ['clean', 'gaussian_noise', 'haze'] as const) {
        expect(inputOf({ image: c.image, crop: c.crop, source }).data).toEqual(calibrationInput(c, i, source).data);
      }
    }
    expect(() => inputOf({ image: 'p1.png', crop: 2, source: 'clean' })).toThrow(/not among this preset's crops/);
  });
});
