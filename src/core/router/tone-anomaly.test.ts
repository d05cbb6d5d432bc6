import { describe, expect, it } from 'vitest';
import { normalCdf } from '../calibration-stats';
import { createRng } from '../random';
import { PHOTO_CUES, PHOTO_CUES_VERSION } from './photo-cues';
import { ROUTER_CLASSES, type RouterClass } from './classes';
import { normalScore, readTone, TONE_GRID, TONE_POOLING_SHARPNESS, toneReadingFor, type ToneModel } from './tone-anomaly';

const identity = PHOTO_CUES.map(() => [...TONE_GRID]);
/** Class probabilities: `mass` spread as given, the rest nowhere. */
const belief = (mass: Partial<Record<RouterClass, number>>) => Object.fromEntries(ROUTER_CLASSES.map((c) => [c, mass[c] ?? 0])) as Record<RouterClass, number>;

describe('normalScore', () => {
  it('is the probit of the rank among the samples the quantiles came from (brute force on 4000 draws)', () => {
    const rng = createRng(3);
    const sample = Array.from({ length: 4000 }, () => rng.next() ** 2).sort((a, b) => a - b);
    const q = TONE_GRID.map((z) => sample[Math.round(normalCdf(z) * (sample.length - 1))]);
    for (const x of [0.01, 0.1, 0.3, 0.6, 0.9]) {
      const rank = sample.filter((v) => v <= x).length / sample.length;
      expect(Math.abs(normalCdf(normalScore(q, x)) - rank)).toBeLessThan(0.01);
    }
  });

  it('clips beyond the stored quantiles, and takes the middle of a run of equal ones', () => {
    expect(normalScore(TONE_GRID, -10)).toBe(-3);
    expect(normalScore(TONE_GRID, 10)).toBe(3);
    // A cue that is 0 on the lower half of the training views (e.g. no clipped pixels).
    const floor = TONE_GRID.map((z) => Math.max(0, z));
    expect(normalScore(floor, 0)).toBeCloseTo(-1.5, 12);
    expect(normalScore(floor, 1.1)).toBeCloseTo(1.1, 12);
  });
});

describe('toneAnomaly', () => {
  it('counts only the damaged side of a one-sided cue, both sides of a two-sided one', () => {
    const at = (name: string, value: number) => PHOTO_CUES.map((c) => (c.name === name ? value : 0));
    const others = PHOTO_CUES.length - 1;
    const k = TONE_POOLING_SHARPNESS;
    const expected = (s: number) => Math.log(Math.exp(k * s) + others) / k;
    expect(toneReadingFor(identity, at('luma_p99', -2)).anomaly).toBeCloseTo(expected(2), 12); // darker: damaged side
    expect(toneReadingFor(identity, at('luma_p99', -2)).mostUnusual).toEqual({ cue: 'luma_p99', score: 2 });
    expect(toneReadingFor(identity, at('luma_p99', 2)).anomaly).toBeCloseTo(expected(-2), 12);
    expect(toneReadingFor(identity, at('edge_red_over_green', -2)).anomaly).toBeCloseTo(expected(2), 12);
    expect(toneReadingFor(identity, at('edge_red_over_green', 2)).anomaly).toBeCloseTo(expected(2), 12);
  });

  it('a photo is as typical as the class it fits best', () => {
    // Under 'salt_pepper' the white share is shifted up by 2 normal scores: clipped pixels are ordinary there.
    const shifted = identity.map((q, j) => (PHOTO_CUES[j].name === 'log_white_share' ? q.map((v) => v + 2) : q));
    const model: ToneModel = { cues: PHOTO_CUES_VERSION, quantiles: { clean: identity, salt_pepper: shifted } };
    const cues = PHOTO_CUES.map((c) => (c.name === 'log_white_share' ? 2 : 0));
    const reading = readTone(model, cues, belief({ clean: 1 }));
    expect(reading.anomaly).toBeCloseTo(toneReadingFor(shifted, cues).anomaly, 12);
    expect(reading.anomaly).toBeLessThan(toneReadingFor(identity, cues).anomaly);
    expect(reading.cleanAnomaly).toBeCloseTo(toneReadingFor(identity, cues).anomaly, 12);
  });

  it('under the router\'s classes: the class it is sure of, or a soft minimum weighted by its belief', () => {
    const shifted = identity.map((q, j) => (PHOTO_CUES[j].name === 'log_white_share' ? q.map((v) => v + 2) : q));
    const model: ToneModel = { cues: PHOTO_CUES_VERSION, quantiles: { clean: identity, salt_pepper: shifted } };
    const cues = PHOTO_CUES.map((c) => (c.name === 'log_white_share' ? 2 : 0));
    const underClean = toneReadingFor(identity, cues).anomaly, underSaltPepper = toneReadingFor(shifted, cues).anomaly;
    // Sure of clean: the white share is unusual, whatever class it would fit.
    expect(readTone(model, cues, belief({ clean: 1 })).routedAnomaly).toBeCloseTo(underClean, 12);
    expect(readTone(model, cues, belief({ salt_pepper: 1 })).routedAnomaly).toBeCloseTo(underSaltPepper, 12);
    // Split 30/70: −log(0.3·e^−a_clean + 0.7·e^−a_sp), between the two and nearer the likelier.
    const split = readTone(model, cues, belief({ clean: 0.3, salt_pepper: 0.7 })).routedAnomaly;
    expect(split).toBeCloseTo(-Math.log(0.3 * Math.exp(-underClean) + 0.7 * Math.exp(-underSaltPepper)), 12);
    // Belief on a class without quantiles is left out and the rest renormalised: 0.3 on clean alone is clean.
    expect(readTone(model, cues, belief({ clean: 0.3, jpeg: 0.7 })).routedAnomaly).toBeCloseTo(underClean, 12);
    // No belief on any class with quantiles: clean stands in.
    expect(readTone(model, cues, belief({ jpeg: 1 })).routedAnomaly).toBeCloseTo(underClean, 12);
  });

  it('refuses a model fitted on other cues, without clean quantiles, or cues of the wrong length', () => {
    expect(() => readTone({ cues: 'photo-cues-v0', quantiles: { clean: identity } }, PHOTO_CUES.map(() => 0), belief({ clean: 1 }))).toThrow(/photo-cues-v0/);
    expect(() => readTone({ cues: PHOTO_CUES_VERSION, quantiles: { sr: identity } }, PHOTO_CUES.map(() => 0), belief({ clean: 1 }))).toThrow(/'clean'/);
    expect(() => readTone({ cues: PHOTO_CUES_VERSION, quantiles: { clean: identity } }, [0, 1], belief({ clean: 1 }))).toThrow(/tone cues/);
  });
});
