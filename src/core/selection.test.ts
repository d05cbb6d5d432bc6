import { describe, expect, it } from 'vitest';
import { ggdDistance, klGGD } from './ggd.ts';
import type { Ggd } from './ggd-types.ts';
import { groupGgd, selectGroup, type GroupDefinition, type ReferenceDegradation } from './selection.ts';

const reference: ReferenceDegradation[] = [
  { id: 'gaussian_blur', ggd: { sigma: 1.0, beta: 0.6 } },
  { id: 'motion_blur', ggd: { sigma: 1.2, beta: 0.7 } },
  { id: 'jpeg', ggd: { sigma: 3.0, beta: 1.4 } },
  { id: 'gaussian_noise', ggd: { sigma: 6.0, beta: 2.0 } },
  { id: 'salt_pepper', ggd: { sigma: 7.0, beta: 1.6 } },
];
const groups: GroupDefinition[] = [
  { id: 'blur', members: ['gaussian_blur', 'motion_blur'] },
  { id: 'jpeg', members: ['jpeg'] },
  { id: 'noise', members: ['gaussian_noise', 'salt_pepper'] },
];

describe('groupGgd', () => {
  it('is the mean of the members’ parameters', () => {
    const mean = groupGgd([{ sigma: 1, beta: 0.6 }, { sigma: 2, beta: 1.2 }, { sigma: 6, beta: 3 }]);
    expect(mean.sigma).toBeCloseTo(3, 14);
    expect(mean.beta).toBeCloseTo(1.6, 14);
    expect(groupGgd([{ sigma: 2.5, beta: 0.7 }])).toEqual({ sigma: 2.5, beta: 0.7 });
    expect(() => groupGgd([])).toThrow(/at least one/);
  });
});

describe('selectGroup', () => {
  it('chooses the nearest group and ranks groups and degradations ascending', () => {
    const input = { sigma: 1.1, beta: 0.65 }; // exactly the blur group's mean GGD
    const result = selectGroup(input, reference, groups);
    expect(result.chosen).toBe('blur');
    expect(result.chosenDistance).toBe(0);
    expect(result.groups.map((g) => g.id)).toEqual(['blur', 'jpeg', 'noise']);
    expect(result.degradations.map((d) => d.id).sort()).toEqual(reference.map((r) => r.id).sort());
    for (const list of [result.groups, result.degradations]) {
      for (let i = 1; i < list.length; i++) expect(list[i].distance).toBeGreaterThanOrEqual(list[i - 1].distance);
    }
    expect(result.ood).toBe(false);
    expect(result.predictedGain).toBeNull();
  });

  it('reports KL(candidate ‖ input) and its SRGA distance', () => {
    const input = { sigma: 2.2, beta: 1.1 };
    const result = selectGroup(input, reference, groups);
    const noise = result.groups.find((g) => g.id === 'noise')!;
    const expectedKl = klGGD({ sigma: 6.5, beta: 1.8 }, input);
    expect(noise.kl).toBe(expectedKl);
    expect(noise.distance).toBe(ggdDistance(expectedKl));
    const jpeg = result.degradations.find((d) => d.id === 'jpeg')!;
    expect(jpeg.kl).toBe(klGGD({ sigma: 3.0, beta: 1.4 }, input));
  });

  it('uses the paper’s direction KL(group ‖ input), not KL(input ‖ group)', () => {
    // Gaussian case: KL(N(0,a²) ‖ N(0,b²)) = ln(b/a) + a²/(2b²) − ½.
    // narrow: KL(narrow ‖ input) = 0.318 < KL(wide ‖ input) = 0.414,
    // but KL(input ‖ narrow) = 0.807 > KL(input ‖ wide) = 0.204.
    const input: Ggd = { sigma: 1, beta: 2 };
    const narrow: Ggd = { sigma: 0.5, beta: 2 };
    const wide: Ggd = { sigma: 1.7, beta: 2 };
    expect(klGGD(narrow, input)).toBeLessThan(klGGD(wide, input));
    expect(klGGD(input, narrow)).toBeGreaterThan(klGGD(input, wide));
    const result = selectGroup(
      input,
      [
        { id: 'n', ggd: narrow },
        { id: 'w', ggd: wide },
      ],
      [
        { id: 'wide-group', members: ['w'] },
        { id: 'narrow-group', members: ['n'] },
      ],
    );
    expect(result.chosen).toBe('narrow-group');
    expect(result.chosenDistance).toBeCloseTo(Math.log10(Math.log(2) + 0.125 - 0.5 + 1e-5) + 5, 12);
  });

  it('flags OOD strictly above the threshold only', () => {
    const input = { sigma: 0.3, beta: 3.5 }; // far from every group
    const { chosenDistance } = selectGroup(input, reference, groups);
    expect(selectGroup(input, reference, groups, { oodThreshold: chosenDistance - 1e-9 }).ood).toBe(true);
    expect(selectGroup(input, reference, groups, { oodThreshold: chosenDistance }).ood).toBe(false);
    expect(selectGroup(input, reference, groups, { oodThreshold: chosenDistance + 0.5 }).ood).toBe(false);
    expect(selectGroup(input, reference, groups).ood).toBe(false);
  });

  it('predicts the gain linearly from the chosen distance', () => {
    const calibration = { slope: -1.5, intercept: 6 };
    for (const input of [{ sigma: 1.1, beta: 0.65 }, { sigma: 2, beta: 1 }, { sigma: 5, beta: 2.5 }]) {
      const result = selectGroup(input, reference, groups, { calibration });
      expect(result.predictedGain).toBeCloseTo(6 - 1.5 * result.chosenDistance, 14);
    }
    expect(selectGroup({ sigma: 1.1, beta: 0.65 }, reference, groups, { calibration }).predictedGain).toBe(6);
    expect(selectGroup({ sigma: 2, beta: 1 }, reference, groups, { calibration: null }).predictedGain).toBeNull();
  });

  it('predicts the chosen group model\'s expected gain on the nearest degradation, when the table has it', () => {
    const input = { sigma: 2, beta: 1 };
    const plain = selectGroup(input, reference, groups);
    const chosen = plain.chosen, nearest = plain.degradations[0].id;
    const expectedGain = { [chosen]: { [nearest]: 3.25 } };
    expect(selectGroup(input, reference, groups, { calibration: { slope: -1.5, intercept: 6, expectedGain } }).predictedGain).toBe(3.25);
    // A table without that pair falls back to the linear fit.
    const other = { [chosen]: { [nearest === 'jpeg' ? 'gaussian_blur' : 'jpeg']: 3.25 } };
    const fallback = selectGroup(input, reference, groups, { calibration: { slope: -1.5, intercept: 6, expectedGain: other } });
    expect(fallback.predictedGain).toBeCloseTo(6 - 1.5 * fallback.chosenDistance, 14);
  });

  it('sends the input to the group holding JPEG when the JPEG check fires, and only then', () => {
    const input = { sigma: 1.1, beta: 0.65 }; // a blur by the distances
    const plain = selectGroup(input, reference, groups, { oodThreshold: 4 });
    expect(plain.chosen).toBe('blur');
    expect(plain.jpegCheck).toBeNull();
    expect(plain.likelyDegradation).toBe(plain.degradations[0].id);

    const calibration = { slope: 0, intercept: 0, expectedGain: { jpeg: { jpeg: 5.5, gaussian_blur: -2 }, blur: { gaussian_blur: 1, motion_blur: 1 } } };
    const below = selectGroup(input, reference, groups, { oodThreshold: 4, calibration, jpegCheck: { probability: 0.49, threshold: 0.5 } });
    expect(below.chosen).toBe('blur');
    expect(below.jpegCheck).toEqual({ probability: 0.49, threshold: 0.5, fired: false });

    const fired = selectGroup(input, reference, groups, { oodThreshold: 4, calibration, jpegCheck: { probability: 0.5, threshold: 0.5 } });
    expect(fired.chosen).toBe('jpeg');
    expect(fired.jpegCheck?.fired).toBe(true);
    expect(fired.chosenDistance).toBe(fired.groups.find((g) => g.id === 'jpeg')!.distance);
    // The ranking and the OOD verdict still come from the distances: the nearest group is the blur one.
    expect(fired.groups).toEqual(plain.groups);
    expect(fired.nearestGroupDistance).toBe(plain.chosenDistance);
    expect(fired.likelyDegradation).toBe('jpeg');
    expect(fired.predictedGain).toBe(5.5);
  });

  it('keeps OOD on the nearest group\'s distance when the JPEG check overrides the choice', () => {
    const input = { sigma: 1.1, beta: 0.65 };
    const nearest = selectGroup(input, reference, groups).chosenDistance;
    const jpegDistance = selectGroup(input, reference, groups).groups.find((g) => g.id === 'jpeg')!.distance;
    const between = (nearest + jpegDistance) / 2;
    const fired = selectGroup(input, reference, groups, { oodThreshold: between, jpegCheck: { probability: 0.9, threshold: 0.5 } });
    expect(fired.chosenDistance).toBeGreaterThan(between);
    expect(fired.ood).toBe(false);
    // Without a group holding JPEG the check cannot send anything anywhere.
    const noJpeg = selectGroup(input, reference, groups.filter((g) => g.id !== 'jpeg'), { jpegCheck: { probability: 0.9, threshold: 0.5 } });
    expect(noJpeg.chosen).toBe('blur');
    expect(noJpeg.jpegCheck?.fired).toBe(false);
  });

  it('validates groups and references with clear errors', () => {
    const input = { sigma: 1, beta: 1 };
    expect(() => selectGroup(input, reference, [])).toThrow(/at least one group/);
    expect(() => selectGroup(input, reference, [{ id: 'g', members: ['jpeg', 'haze'] }])).toThrow(/"haze"/);
    expect(() => selectGroup(input, reference, [{ id: 'g', members: [] }])).toThrow(/"g" has no members/);
    expect(() => selectGroup(input, reference, [groups[0], groups[0]])).toThrow(/"blur" is listed more than once/);
    expect(() => selectGroup(input, [...reference, reference[0]], groups)).toThrow(/"gaussian_blur" is listed more than once/);
    expect(() => selectGroup(input, reference, groups, { oodThreshold: Number.NaN })).toThrow(/oodThreshold/);
  });
});
