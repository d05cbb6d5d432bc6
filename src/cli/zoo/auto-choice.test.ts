import { describe, expect, it } from 'vitest';
import { decideAutoChoice } from '../../core/auto-choice';
import type { DegradationId } from '../../core/degradations/ids';
import { decidePolicy, type AutoChoiceSample } from './auto-choice';

const sample = (chosen: string, source: DegradationId, groupGain: number, baselineGain: number, jpegProbability?: number): AutoChoiceSample => ({
  image: 'a.png', crop: 0, source, chosen, chosenDistance: 3, runnerUpDistance: 3.2, nearest: source, nearestDistance: 3,
  ...(jpegProbability === undefined ? {} : { jpegProbability }), inputPsnr: 20, groupGain, baselineGain,
});

describe('decidePolicy', () => {
  // The JPEG group gets two JPEG crops from the check (good for it) and two inpainting crops by distance (bad).
  const samples = [
    sample('g-jpeg', 'jpeg', 1.2, 0.1, 0.9),
    sample('g-jpeg', 'jpeg', 0.8, 0.3, 0.5),
    sample('g-jpeg', 'inpainting', 1, 6, 0.2),
    sample('g-jpeg', 'inpainting', 2, 5, 0.1),
    sample('g-noise', 'gaussian_noise', 9, 6, 0.0),
  ];

  it('decides the JPEG check\'s route on the crops it sent (P ≥ threshold), and each group on the rest', () => {
    const { policy, jpegCheckRoute } = decidePolicy(['g-jpeg', 'g-noise'], samples, 0.5);
    expect(jpegCheckRoute).toMatchObject({ routed: 2, use: 'group' });
    expect(jpegCheckRoute!.groupGain).toBeCloseTo(1.0, 12);
    expect(jpegCheckRoute!.baselineGain).toBeCloseTo(0.2, 12);
    expect(policy['g-jpeg']).toEqual({ routed: 2, groupGain: 1.5, baselineGain: 5.5, use: 'baseline' });
    expect(policy['g-noise']).toEqual({ routed: 1, groupGain: 9, baselineGain: 6, use: 'group' });
  });

  it('without a check, every crop counts for the group it went to (the pooled decision would distrust the JPEG group)', () => {
    const pooled = decidePolicy(['g-jpeg', 'g-noise'], samples);
    expect(pooled.jpegCheckRoute).toBeUndefined();
    expect(pooled.policy).toEqual(decideAutoChoice(['g-jpeg', 'g-noise'], samples));
    expect(pooled.policy['g-jpeg']).toMatchObject({ routed: 4, use: 'baseline' });
  });
});
