import { describe, expect, it } from 'vitest';
import { DEGRADATION_IDS } from '../../core/degradations/ids';
import { ROUTER_CLASSES } from '../../core/router/classes';
import { routerSection, type ProtocolSummary, type RoutingValidation } from './router-md';

function summary(routing: number, autoMinusBaseline: number, keptAsIs = 1): ProtocolSummary {
  return {
    crops: 22, routing, psnr: { input: 20, auto: 24, chosen: 23, baseline: 22, ownGroup: 25, oracle: 25.2 },
    autoMinusBaseline, regretAuto: 0.2, worseThanInputAuto: 0.04, autoBaselineShare: 0.1, gainPredictionR: 0.85,
    falseOodInDist: 0.05, oodAurocVsDegraded: 0.7, oodAurocVsClean: 0.6, oodAurocPerKind: { haze: 0.7 }, oodFlagged: { clean: '0/2', haze: '1/2' },
    clean: { n: 2, keptAsIs, models: ['none', 'none'] },
    combos: { 'jpeg+sr': { pin: 20, auto: 21, base: 20.5 } },
    byDeg: Object.fromEntries(DEGRADATION_IDS.map((id, i) => [id, { n: 2, routed: i === 0 ? 0.5 : 1, pin: 20, auto: 22, base: 21, own: 23, oracle: 23 }])),
  };
}

const router = {
  training: { onnx: 'router.onnx', trainPhotos: 10, samples: 120, hyper: { hidden: 8, epochs: 2, batch: 4, learningRate: 1e-3, weightDecay: 0, labelSmoothing: 0, minPatches: 4, seed: 1 }, history: [{ epoch: 2, loss: 1, heldOutAccuracy: 0.9 }], seconds: 60 },
  calibration: {
    images: ['a.png'], crops: [], temperature: 1.3, noDamageThreshold: 0.5, gain: {}, ood: { energyWeight: 1, distanceWeight: 1, bias: 0, threshold: 0.8, auroc: 0.95 },
    oodDescription: 'test', policy: { g1: { routed: 3, groupGain: 2, baselineGain: 1, use: 'group' as const } }, policyDescription: 'test',
    heldOut: { routing: 0.95, perClass: Object.fromEntries(ROUTER_CLASSES.map((c) => [c, 0.9])), noDamageOnClean: 0.97 },
  },
};

const validation = (r: ProtocolSummary): RoutingValidation => ({
  photos: 'val', createdAt: '2026-12-03T10:00:00Z', protocol: { router: r, kl: summary(0.3, 0.3) },
  routerOod: { aurocVsDegraded: 0.93, aurocVsClean: 0.9, aurocPerKind: { haze: 0.93 }, falseFlagsDegraded: 0.05, falseFlagsClean: 0, flagged: { haze: '2/2' } },
});

describe('routerSection', () => {
  it('puts both rules side by side and marks each target met or not from the router\'s figures', () => {
    const text = routerSection(router, validation(summary(0.95, 2.1, 0.5)), (id) => id).join('\n');
    expect(text).toMatch(/\| Group routing .* \| 30\.0 % \| 95\.0 % \| ≥ 90 %: met \|/);
    expect(text).toMatch(/\| Worst degradation's routing .* \| 50\.0 % \| ≥ 70 %: \*\*not met\*\* \|/);
    expect(text).toMatch(/Automatic choice − mix baseline \(dB\) \| \+0\.30 \| \+2\.10 \| ≥ \+1\.8: met/);
    expect(text).toMatch(/Clean crops left as they are .* \| 100\.0 % \| 50\.0 % \| ≥ 90 %: \*\*not met\*\*/);
  });

  it('names the descriptor patches the router rule reads, when its calibration read fewer than all', () => {
    const fewer = { ...router, calibration: { ...router.calibration, descriptorPatches: 192 } };
    expect(routerSection(fewer, undefined, (id) => id).join('\n')).toMatch(/reads the first 192 of the descriptor's planned patches/);
    expect(routerSection(router, undefined, (id) => id).join('\n')).not.toMatch(/planned patches/);
  });

  it('says so when the protocol has not been run, and is empty for a zoo without a router', () => {
    expect(routerSection(router, undefined, (id) => id).join('\n')).toMatch(/has not been run/);
    expect(routerSection(undefined, undefined, (id) => id)).toEqual([]);
  });
});
