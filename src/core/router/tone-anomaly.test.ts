import { describe, expect, it } from 'vitest';
import { normalCdf } from '../calibration-stats';
import { createRng } from '../random';
import { PHOTO_CUES, PHOTO_CUES_VERSION } from './photo-cues';
import { normalScore, TONE_GRID, TONE_POOLING_SHARPNESS, toneAnomaly, toneReadingFor, type ToneModel } from './tone-anomaly';

const identity = PHOTO_CUES.map(() => [...TONE_GRID]);

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
    expect(toneAnomaly(model, cues)).toBeCloseTo(toneReadingFor(shifted, cues).anomaly, 12);
    expect(toneAnomaly(model, cues)).toBeLessThan(toneReadingFor(identity, cues).anomaly);
  });

  it('refuses a model fitted on other cues, or cues of the wrong length', () => {
    expect(() => toneAnomaly({ cues: 'photo-cues-v0', quantiles: { clean: identity } }, PHOTO_CUES.map(() => 0))).toThrow(/photo-cues-v0/);
    expect(() => toneAnomaly({ cues: PHOTO_CUES_VERSION, quantiles: { clean: identity } }, [0, 1])).toThrow(/tone cues/);
  });
});
