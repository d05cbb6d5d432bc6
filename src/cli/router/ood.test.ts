import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../core/calibration-stats';
import { createRng } from '../../core/random';
import { ROUTER_CLASSES } from '../../core/router/classes';
import { PHOTO_CUES, PHOTO_CUES_VERSION } from '../../core/router/photo-cues';
import { oodEvidence, oodScore, routerEnergy, routerProbabilities } from '../../core/router/router';
import { normalScore, readTone } from '../../core/router/tone-anomaly';
import type { RouterCrop } from './calibrate';
import { fitOodModel, fitToneModel, staleOodFit, thresholdFlagging, type ToneSample } from './ood';

const cueCount = PHOTO_CUES.length;
const darkChannel = PHOTO_CUES.findIndex((c) => c.name === 'dark_channel_p10');

/** Clean training views whose cues are independent standard normals. */
function normalSamples(n: number, seed: number): ToneSample[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => ({ label: 'clean' as const, cues: Array.from({ length: cueCount }, () => rng.normal()) }));
}

describe('fitToneModel', () => {
  it('on standard normal cues, a cue\'s normal score is the value itself (to sampling error)', () => {
    const model = fitToneModel(normalSamples(20000, 1));
    for (const x of [-2, -0.7, 0, 1.3, 2.4]) expect(Math.abs(normalScore(model.quantiles.clean![0], x) - x)).toBeLessThan(0.08);
  });

  it('on uniform cues, the normal score is the probit of the rank: Φ(score) ≈ x', () => {
    const rng = createRng(2);
    const samples = Array.from({ length: 20000 }, () => ({ label: 'clean' as const, cues: Array.from({ length: cueCount }, () => rng.next()) }));
    const model = fitToneModel(samples);
    for (const x of [0.05, 0.3, 0.5, 0.9]) expect(Math.abs(normalCdf(normalScore(model.quantiles.clean![3], x)) - x)).toBeLessThan(0.01);
  });

  it('refuses samples without clean views', () => {
    expect(() => fitToneModel([{ label: 'jpeg', cues: Array(cueCount).fill(0) }])).toThrow(/clean/);
  });
});

describe('thresholdFlagging', () => {
  it('is the lowest threshold that flags at most the share asked (brute force over every candidate)', () => {
    const rng = createRng(8);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.int(0, 60);
      // Few distinct values, so ties across the cut are common.
      const scores = Array.from({ length: n }, () => rng.int(0, 9) / 10);
      const rate = rng.int(0, 20) / 100;
      const flagged = (t: number) => scores.filter((s) => s >= t).length;
      const t = thresholdFlagging(scores, rate);
      expect(flagged(t)).toBeLessThanOrEqual(Math.floor(rate * n));
      // No score below it would do: each lower candidate flags too many.
      for (const c of scores.filter((s) => s < t)) expect(flagged(c)).toBeGreaterThan(Math.floor(rate * n));
    }
  });
});

describe('fitOodModel', () => {
  const tone = fitToneModel(normalSamples(5000, 3));
  /** In-distribution crops with typical cues; OOD ones with the dark channel lifted by 3.5 σ (like haze), all with the same logits and distance spread. */
  function crops(seed: number): RouterCrop[] {
    const rng = createRng(seed);
    return Array.from({ length: 600 }, (_, i) => {
      const kind = i % 3 === 0 ? (i % 2 ? 'haze' : 'fade') : null;
      const cues = Array.from({ length: cueCount }, () => rng.normal());
      if (kind) cues[darkChannel] += 3.5;
      return {
        image: 'x', crop: i, source: kind ?? (i % 5 ? 'jpeg' : 'clean'), kind: kind ? 'ood' : 'in',
        logits: ROUTER_CLASSES.map((_, k) => (k === 0 ? 5 + rng.normal() : 0)), nearestGroupDistance: 3 + 0.3 * rng.normal(), photoCues: cues,
      } satisfies RouterCrop;
    });
  }

  it('learns to read the tone anomaly; its threshold flags at most the asked share of the degraded crops and of the clean ones, and is the lowest that does', () => {
    const all = crops(4);
    const fit = fitOodModel(all, 1, tone, 0.05);
    expect(fit.toneWeight + fit.routedToneWeight + fit.cleanToneWeight).toBeGreaterThan(0);
    expect(fit.auroc).toBeGreaterThan(0.9);
    const flaggedShare = (keep: (c: RouterCrop) => boolean) => {
      const of = all.filter(keep);
      const score = (c: RouterCrop) => oodScore(fit, oodEvidence(routerEnergy(c.logits, 1), c.nearestGroupDistance, readTone(tone, c.photoCues!, routerProbabilities(c.logits, 1))));
      return of.filter((c) => score(c) >= fit.threshold).length / of.length;
    };
    expect(flaggedShare((c) => c.kind === 'in' && c.source !== 'clean')).toBeCloseTo(fit.falseFlags.degraded, 12);
    expect(flaggedShare((c) => c.source === 'clean')).toBeCloseTo(fit.falseFlags.clean, 12);
    expect(fit.falseFlags.degraded).toBeLessThanOrEqual(0.05);
    expect(fit.falseFlags.clean).toBeLessThanOrEqual(0.05);
    // Brute force: the next lower in-distribution score as the threshold breaks one of the two bounds.
    const scores = all.filter((c) => c.kind === 'in').map((c) => ({ clean: c.source === 'clean', s: oodScore(fit, oodEvidence(routerEnergy(c.logits, 1), c.nearestGroupDistance, readTone(tone, c.photoCues!, routerProbabilities(c.logits, 1)))) }));
    const lower = Math.max(...scores.filter((x) => x.s < fit.threshold).map((x) => x.s));
    const share = (clean: boolean) => scores.filter((x) => x.clean === clean && x.s >= lower).length / scores.filter((x) => x.clean === clean).length;
    expect(Math.max(share(true), share(false))).toBeGreaterThan(0.05);
  });

  it('a population that scores high on its own sets the threshold: clean crops scoring above the degraded ones are still flagged at most at the asked share', () => {
    const all = crops(8).map((c) => (c.source === 'clean' ? { ...c, nearestGroupDistance: c.nearestGroupDistance + 1 } : c));
    const fit = fitOodModel(all, 1, tone, 0.05);
    expect(fit.falseFlags.clean).toBeLessThanOrEqual(0.05);
    expect(fit.falseFlags.degraded).toBeLessThanOrEqual(0.05);
  });

  it('normal photos (whole, re-saved as JPEG) count among the clean ones: when they score high, they still get at most the asked share of flags', () => {
    const base = crops(9);
    // Re-saved clean photos that look a little hazier than the corners (their dark channel lifted by 1.5 σ).
    const rng = createRng(10);
    const resaved: RouterCrop[] = base.filter((c) => c.source === 'clean').flatMap((c) =>
      [85, 90, 95].map((jpegQuality) => ({ ...c, presented: { whole: false, jpegQuality }, photoCues: c.photoCues!.map((v, j) => (j === darkChannel ? v + 1.5 + 0.2 * rng.normal() : v)) })));
    const without = fitOodModel(base, 1, tone, 0.05);
    const score = (fit: typeof without, c: RouterCrop) => oodScore(fit, oodEvidence(routerEnergy(c.logits, 1), c.nearestGroupDistance, readTone(tone, c.photoCues!, routerProbabilities(c.logits, 1))));
    const share = (fit: typeof without, of: RouterCrop[]) => of.filter((c) => score(fit, c) >= fit.threshold).length / of.length;
    // Fitted without them, the badge would find many of them.
    expect(share(without, resaved)).toBeGreaterThan(0.1);
    const fit = fitOodModel([...base, ...resaved], 1, tone, 0.05);
    const clean = [...base.filter((c) => c.source === 'clean'), ...resaved];
    expect(fit.falseFlags.clean).toBeCloseTo(share(fit, clean), 12);
    expect(fit.falseFlags.resaved).toBeCloseTo(share(fit, resaved), 12);
    expect(fit.falseFlags.clean).toBeLessThanOrEqual(0.05);
    expect(fit.falseFlags.whole).toBeUndefined(); // none were given
    // The hazy OOD crops are still found.
    expect(fit.perKind.haze.flagged).toBeGreaterThan(0.5);
  });

  it('a kind left out of the fit is still found when it moves the same cue (the tone model never saw it)', () => {
    const fit = fitOodModel(crops(5), 1, tone, 0.05);
    expect(Object.keys(fit.perKind).sort()).toEqual(['fade', 'haze']);
    for (const k of Object.values(fit.perKind)) expect(k.aurocLeftOut).toBeGreaterThan(0.85);
  });

  it('a stored fit is fitted again when its tone cues are of another version, it lacks an input, or its threshold was set by another rule', () => {
    const fit = fitOodModel(crops(7), 1, tone, 0.05);
    expect(staleOodFit(fit)).toBeNull();
    const { thresholdRule: _rule, ...singleRate } = fit;
    expect(staleOodFit(singleRate)).toMatch(/threshold by another rule/);
    expect(staleOodFit({ ...fit, thresholdRule: 'each of degraded and clean' })).toMatch(/threshold by another rule/);
    expect(staleOodFit({ ...fit, tone: { ...fit.tone, cues: 'photo-cues-v1' } })).toMatch(/other tone cues than photo-cues-v2/);
    const { routedToneWeight: _r, cleanToneWeight: _c, ...older } = fit;
    expect(staleOodFit(older)).toMatch(/no weights on the tone anomaly/);
    expect(PHOTO_CUES_VERSION).toBe(fit.tone.cues);
  });

  it('refuses crops without tone cues', () => {
    const [first, ...rest] = crops(6);
    expect(() => fitOodModel([{ ...first, photoCues: undefined }, ...rest], 1, tone)).toThrow(/no tone cues/);
  });
});
