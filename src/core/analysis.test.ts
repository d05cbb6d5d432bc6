import { describe, expect, it } from 'vitest';
import { automaticWithManifest, predictedGainFor } from './analysis';
import type { Manifest } from './manifest';
import { selectGroup } from './selection';

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

describe('automaticWithManifest', () => {
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

describe('predictedGainFor', () => {
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
