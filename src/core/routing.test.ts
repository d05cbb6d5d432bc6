import { describe, expect, it } from 'vitest';
import type { Manifest } from './manifest';
import { ROUTER_CLASSES } from './router/classes';
import { PHOTO_CUES, PHOTO_CUES_VERSION } from './router/photo-cues';
import { TONE_GRID } from './router/tone-anomaly';
import { decideRoute, predictedGainUnder, type RouterInput, type RoutingDecision } from './routing';
import { selectGroup, type SelectionResult } from './selection';

// The KL rule's decision, in the fields the old automatic choice had.
const automaticWithManifest = (s: SelectionResult, m: Manifest) => {
  const d: RoutingDecision = decideRoute('kl', s, null, m);
  return { model: d.model, reason: d.reason, evidence: d.evidence, viaJpegCheck: d.viaJpegCheck, predictedGain: d.predictedGain };
};
const predictedGainFor = (m: Manifest, model: Parameters<typeof predictedGainUnder>[2], s: SelectionResult) => predictedGainUnder('kl', m, model, s, null);

// Two groups, two references; the input sits on g-jpeg's reference, so the selection picks g-jpeg.
const references = [
  { id: 'jpeg', ggd: { sigma: 1, beta: 1 } },
  { id: 'gaussian_noise', ggd: { sigma: 3, beta: 2 } },
];
const groups = [
  { id: 'g-jpeg', members: ['jpeg'] },
  { id: 'g-noise', members: ['gaussian_noise'] },
];
const calibration = {
  slope: 0, intercept: 0,
  expectedGain: { 'g-jpeg': { jpeg: 0.9, gaussian_noise: -1 }, 'g-noise': { jpeg: 0.1, gaussian_noise: 9 } },
  baselineExpectedGain: { jpeg: 0.4, gaussian_noise: 6 },
};
const selection = selectGroup({ sigma: 1, beta: 1 }, references, groups, { calibration });

function manifest(use: 'group' | 'baseline', withBaseline = true): Manifest {
  return {
    baseline: withBaseline ? { file: 'baseline.onnx' } : undefined,
    selection: {
      oodThreshold: 4, calibration,
      autoChoice: { description: 'test', groups: { 'g-jpeg': { routed: 3, groupGain: -1, baselineGain: 0.5, use }, 'g-noise': { routed: 0, groupGain: null, baselineGain: null, use: 'baseline' } } },
    },
  } as unknown as Manifest;
}

describe('the KL rule', () => {
  it('the selection picks g-jpeg, nearest to jpeg', () => {
    expect(selection.chosen).toBe('g-jpeg');
    expect(selection.degradations[0].id).toBe('jpeg');
  });

  it('a distrusted group restores with the baseline, predicted by the baseline\'s gain on the nearest degradation', () => {
    expect(automaticWithManifest(selection, manifest('baseline'))).toEqual({
      model: { kind: 'baseline' }, reason: 'unreliable', predictedGain: 0.4,
      evidence: { routed: 3, groupGain: -1, baselineGain: 0.5, use: 'baseline' }, viaJpegCheck: false,
    });
  });

  it('when the JPEG check sent the photo to its group, the check route\'s decision and JPEG\'s gains apply', () => {
    // The input sits on the noise reference, so by distance it goes to g-noise (trusted by its own decision).
    const fired = selectGroup({ sigma: 3, beta: 2 }, references, groups, { calibration, jpegCheck: { probability: 0.8, threshold: 0.5 } });
    expect(fired.groups[0].id).toBe('g-noise');
    expect(fired.chosen).toBe('g-jpeg');
    const route = { routed: 5, groupGain: 1.5, baselineGain: 0.2, use: 'group' as const };
    const m = manifest('baseline');
    (m.selection.autoChoice as { jpegCheck?: unknown }).jpegCheck = route;
    expect(automaticWithManifest(fired, m)).toEqual({ model: { kind: 'group', id: 'g-jpeg' }, reason: 'trusted', evidence: route, viaJpegCheck: true, predictedGain: 0.9 });
    // The same photo without the check: g-noise's own decision, its gain on the nearest degradation.
    const plain = selectGroup({ sigma: 3, beta: 2 }, references, groups, { calibration });
    expect(automaticWithManifest(plain, m)).toMatchObject({ model: { kind: 'baseline' }, viaJpegCheck: false, predictedGain: 6 });
  });

  it('a trusted group restores itself, predicted by its own gain table entry', () => {
    expect(automaticWithManifest(selection, manifest('group'))).toMatchObject({ model: { kind: 'group', id: 'g-jpeg' }, reason: 'trusted', predictedGain: 0.9 });
  });

  it('without a baseline the group restores whatever the policy says', () => {
    expect(automaticWithManifest(selection, manifest('baseline', false))).toMatchObject({ model: { kind: 'group', id: 'g-jpeg' }, reason: 'no-policy', predictedGain: 0.9 });
  });
});

describe('predicted gain under the KL rule', () => {
  it('any group the user picks: its gain-table entry for the nearest degradation; the baseline: its own row', () => {
    const m = manifest('group');
    expect(predictedGainFor(m, { kind: 'group', id: 'g-jpeg' }, selection)).toBe(selection.predictedGain);
    expect(predictedGainFor(m, { kind: 'group', id: 'g-noise' }, selection)).toBe(0.1);
    expect(predictedGainFor(m, { kind: 'baseline' }, selection)).toBe(0.4);
  });

  it('without a gain table, a group falls back to the distance line at its own distance', () => {
    const line = { slope: -2, intercept: 10 };
    const m = { ...manifest('group'), selection: { oodThreshold: 4, calibration: line } } as unknown as Manifest;
    const noise = selection.groups.find((g) => g.id === 'g-noise')!;
    expect(predictedGainFor(m, { kind: 'group', id: 'g-noise' }, selection)).toBeCloseTo(10 - 2 * noise.distance, 12);
    expect(predictedGainFor(m, { kind: 'baseline' }, selection)).toBeNull();
    expect(predictedGainFor({ ...m, selection: { oodThreshold: 4, calibration: null } } as unknown as Manifest, { kind: 'group', id: 'g-noise' }, selection)).toBeNull();
  });
});

// The router rule: logits chosen so that the probabilities are known exactly.
/** The router's input: logits log p (so the probabilities are p at temperature 1), and tone cues, typical (0) unless given. */
const inputFor = (p: Partial<Record<(typeof ROUTER_CLASSES)[number], number>>, photoCues: number[] = PHOTO_CUES.map(() => 0)): RouterInput => ({
  logits: ROUTER_CLASSES.map((c) => Math.log(p[c] ?? 1e-9)),
  photoCues,
});
/** Each cue its own normal score, as if measured on the clean class only. */
const identityTone: NonNullable<Manifest['router']>['ood']['tone'] = { cues: PHOTO_CUES_VERSION, quantiles: { clean: PHOTO_CUES.map(() => [...TONE_GRID]) } };

function routerManifest(overrides: Partial<NonNullable<Manifest['router']>> = {}, withBaseline = true): Manifest {
  const m = manifest('group', withBaseline);
  return {
    ...m,
    groups,
    router: {
      file: 'router.onnx', features: 'patch-cues-v1', classes: [...ROUTER_CLASSES], temperature: 1, noDamageThreshold: 0.5,
      gain: {
        baseline: { jpeg: 0.4, gaussian_noise: 6, clean: -2 },
        'g-jpeg': { jpeg: 3, gaussian_noise: -10, clean: -4 },
        'g-noise': { jpeg: -1, gaussian_noise: 9, clean: -3 },
      },
      ood: { energyWeight: 1, distanceWeight: 0, toneWeight: 0, routedToneWeight: 0, cleanToneWeight: 0, bias: 0, threshold: 0.9, tone: identityTone, description: 'test' },
      autoChoice: { description: 'test', groups: { 'g-jpeg': { routed: 4, groupGain: 3, baselineGain: 0.5, use: 'group' }, 'g-noise': { routed: 4, groupGain: 8, baselineGain: 9, use: 'baseline' } } },
      description: 'test',
      ...overrides,
    },
  } as unknown as Manifest;
}

describe('the router rule', () => {
  it('restores with the group of highest expected gain when the policy trusts it, predicting Σ P·gain', () => {
    const d = decideRoute('router', selection, inputFor({ jpeg: 0.9, gaussian_noise: 0.1 }), routerManifest());
    expect(d).toMatchObject({ rule: 'router', chosen: 'g-jpeg', model: { kind: 'group', id: 'g-jpeg' }, reason: 'trusted' });
    expect(d.predictedGain).toBeCloseTo(0.9 * 3 + 0.1 * -10, 6);
    expect(d.router!.groupProbabilities['g-jpeg']).toBeCloseTo(0.9, 6);
  });

  it('falls back to the baseline where the policy distrusts the router\'s route', () => {
    const d = decideRoute('router', selection, inputFor({ gaussian_noise: 0.95, jpeg: 0.05 }), routerManifest());
    expect(d).toMatchObject({ chosen: 'g-noise', model: { kind: 'baseline' }, reason: 'unreliable' });
    expect(d.predictedGain).toBeCloseTo(0.95 * 6 + 0.05 * 0.4, 6);
  });

  it('a split between groups lands on the baseline: its expected gain beats each group\'s', () => {
    // g-jpeg: 0.5·3 − 0.5·10 = −3.5; g-noise: −2.5 + 3.5 = 1; baseline: 0.2 + 3 = 3.2.
    const m = routerManifest({ gain: { baseline: { jpeg: 0.4, gaussian_noise: 6, clean: -2 }, 'g-jpeg': { jpeg: 3, gaussian_noise: -10, clean: -4 }, 'g-noise': { jpeg: -5, gaussian_noise: 7, clean: -3 } } });
    const d = decideRoute('router', selection, inputFor({ jpeg: 0.5, gaussian_noise: 0.5 }), m);
    expect(d).toMatchObject({ model: { kind: 'baseline' }, reason: 'split' });
    expect(d.predictedGain).toBeCloseTo(3.2, 6);
  });

  it('"no damage" when P(clean) reaches the threshold: the photo stays as it is, gain 0', () => {
    const d = decideRoute('router', selection, inputFor({ clean: 0.6, jpeg: 0.4 }), routerManifest());
    expect(d).toMatchObject({ model: { kind: 'none' }, reason: 'no-damage', predictedGain: 0 });
    expect(d.router!.noDamage).toBe(true);
  });

  it('decides and reports under the manifest\'s prior share of undamaged photos; the tone evidence reads the network\'s own probabilities', () => {
    // The network (equal class shares): clean 0.2, jpeg 0.8. Under a prior of ½ undamaged, clean's
    // odds against jpeg grow elevenfold: 0.2·11 : 0.8 = 2.2 : 0.8, so P(clean) = 2.2/3.0.
    const input = inputFor({ clean: 0.2, jpeg: 0.8 });
    // JPEG's tones one unit above clean's, so the evidence weighted by the probabilities would move with them.
    const twoTones: typeof identityTone = { cues: PHOTO_CUES_VERSION, quantiles: { clean: PHOTO_CUES.map(() => [...TONE_GRID]), jpeg: PHOTO_CUES.map(() => TONE_GRID.map((q) => q + 1)) } };
    const withTones = (o: Partial<NonNullable<Manifest['router']>>) => routerManifest({ ...o, ood: { ...routerManifest().router!.ood, tone: twoTones } });
    const asTrained = decideRoute('router', selection, input, withTones({}));
    expect(asTrained).toMatchObject({ model: { kind: 'group', id: 'g-jpeg' }, reason: 'trusted' });
    const halfClean = decideRoute('router', selection, input, withTones({ cleanPrior: 0.5 }));
    expect(halfClean).toMatchObject({ model: { kind: 'none' }, reason: 'no-damage' });
    expect(halfClean.router!.probabilities.clean).toBeCloseTo(2.2 / 3, 6);
    expect(halfClean.router!.expectedGains['g-jpeg']).toBeCloseTo((2.2 / 3) * -4 + (0.8 / 3) * 3, 6);
    // Under the trained share the prior moves nothing.
    expect(decideRoute('router', selection, input, routerManifest({ cleanPrior: 1 / 12 })).router!.probabilities.clean).toBeCloseTo(0.2, 6);
    // The energy and the tone evidence, which the OOD model was fitted on, do not move with the prior.
    expect(halfClean.router!.energy).toBeCloseTo(asTrained.router!.energy, 9);
    expect(halfClean.router!.tone).toEqual(asTrained.router!.tone);
  });

  it('leaves the photo alone when no model is expected to gain anything', () => {
    // baseline −0.9 + 0.22; g-jpeg −1.8 + 1.65; g-noise −1.35 − 0.55: all below 0.
    const d = decideRoute('router', selection, inputFor({ clean: 0.45, jpeg: 0.55 }), routerManifest());
    expect(d).toMatchObject({ model: { kind: 'none' }, reason: 'no-gain', predictedGain: 0 });
  });

  it('the OOD flag follows the manifest\'s logistic model of energy and distance', () => {
    const energyOf = (d: RoutingDecision) => d.router!.energy;
    const calm = decideRoute('router', selection, inputFor({ jpeg: 0.9, gaussian_noise: 0.1 }), routerManifest());
    // Energy of logits log p is −log Σ p = 0, so P(OOD) = σ(0) = 0.5 < 0.9.
    expect(energyOf(calm)).toBeCloseTo(0, 6);
    expect(calm).toMatchObject({ ood: false, oodThreshold: 0.9 });
    expect(calm.oodScore).toBeCloseTo(0.5, 6);
    // All logits 5 lower: energy +5, P(OOD) = σ(5) ≈ 0.993.
    const typical = inputFor({ jpeg: 0.9, gaussian_noise: 0.1 });
    const far = decideRoute('router', selection, { ...typical, logits: typical.logits.map((l) => l - 5) }, routerManifest());
    expect(far.ood).toBe(true);
    expect(far.oodScore).toBeCloseTo(1 / (1 + Math.exp(-5)), 6);
  });

  it('a flagged photo is kept as it is ("unfamiliar"), though the same probabilities unflagged restore it or call it clean', () => {
    const m = routerManifest();
    for (const p of [{ jpeg: 0.9, gaussian_noise: 0.1 }, { clean: 0.6, jpeg: 0.4 }]) {
      const typical = inputFor(p);
      expect(decideRoute('router', selection, typical, m).ood).toBe(false);
      const far = decideRoute('router', selection, { ...typical, logits: typical.logits.map((l) => l - 5) }, m);
      expect(far).toMatchObject({ ood: true, model: { kind: 'none' }, reason: 'unfamiliar', predictedGain: 0 });
      // The reading behind it is still reported (what "Why this group?" shows).
      expect(far.router!.probabilities.jpeg).toBeCloseTo(p.jpeg, 6);
    }
    expect(decideRoute('router', selection, inputFor({ jpeg: 0.9, gaussian_noise: 0.1 }), m)).toMatchObject({ model: { kind: 'group', id: 'g-jpeg' } });
  });

  it('the OOD score adds the tone anomaly: one cue unusual on its damaged side is enough', () => {
    const m = routerManifest({ ood: { energyWeight: 0, distanceWeight: 0, toneWeight: 1, routedToneWeight: 0, cleanToneWeight: 0, bias: -3, threshold: 0.9, tone: identityTone, description: 'test' } });
    const lifted = PHOTO_CUES.map((c) => (c.name === 'dark_channel_p10' ? 3 : 0));
    const d = decideRoute('router', selection, inputFor({ jpeg: 1 }, lifted), m);
    // The lifted cue scores e^(2·3); each of the others scores e^0.
    const others = PHOTO_CUES.length - 1;
    const anomaly = Math.log(Math.exp(6) + others) / 2;
    expect(d.router!.tone.anomaly).toBeCloseTo(anomaly, 6);
    expect(d.router!.tone.mostUnusual).toEqual({ cue: 'dark_channel_p10', score: 3 });
    expect(d.oodScore).toBeCloseTo(1 / (1 + Math.exp(-(anomaly - 3))), 6);
    // The same cue pushed the other way is ordinary: −3 on an upward cue scores e^−6.
    const lowered = decideRoute('router', selection, inputFor({ jpeg: 1 }, lifted.map((v) => -v)), m);
    expect(lowered.router!.tone.anomaly).toBeCloseTo(Math.log(Math.exp(-6) + others) / 2, 6);
    // With clean quantiles only, all three hypotheses read the same anomaly; each weight adds its own term.
    const three = routerManifest({ ood: { energyWeight: 0, distanceWeight: 0, toneWeight: 1, routedToneWeight: 0.5, cleanToneWeight: -0.25, bias: -3, threshold: 0.9, tone: identityTone, description: 'test' } });
    const d3 = decideRoute('router', selection, inputFor({ jpeg: 1 }, lifted), three);
    expect(d3.router!.tone).toMatchObject({ routedAnomaly: expect.closeTo(anomaly, 6), cleanAnomaly: expect.closeTo(anomaly, 6) });
    expect(d3.oodScore).toBeCloseTo(1 / (1 + Math.exp(-(1.25 * anomaly - 3))), 6);
  });

  it('the KL rule on the same photo still reports the router\'s reading, and decides by distance', () => {
    const d = decideRoute('kl', selection, inputFor({ gaussian_noise: 0.95, jpeg: 0.05 }), routerManifest());
    expect(d.chosen).toBe('g-jpeg');
    expect(d.router!.likely).toBe('gaussian_noise');
  });

  it('refuses the router rule without a router or without its logits', () => {
    expect(() => decideRoute('router', selection, null, routerManifest())).toThrow(/router's output/);
    expect(() => decideRoute('router', selection, inputFor({ jpeg: 1 }), manifest('group'))).toThrow(/no router/);
  });
});
