import { describe, expect, it } from 'vitest';
import { automaticChoice, decideAutoChoice, decideRouteTrust, modelChoiceOf, modelKey } from './auto-choice';

describe('decideAutoChoice', () => {
  it('trusts a group only where its model beat the baseline on the crops routed to it', () => {
    const policy = decideAutoChoice(['g1', 'g2', 'g3'], [
      { chosen: 'g1', groupGain: 3, baselineGain: 1 },
      { chosen: 'g1', groupGain: -1, baselineGain: 0 }, // g1: mean 1.0 against 0.5
      { chosen: 'g2', groupGain: 2, baselineGain: 1 },
      { chosen: 'g2', groupGain: -4, baselineGain: 1 }, // g2: mean -1.0 against 1.0
    ]);
    expect(policy.g1).toEqual({ routed: 2, groupGain: 1, baselineGain: 0.5, use: 'group' });
    expect(policy.g2).toEqual({ routed: 2, groupGain: -1, baselineGain: 1, use: 'baseline' });
    // No evidence: the safe default.
    expect(policy.g3).toEqual({ routed: 0, groupGain: null, baselineGain: null, use: 'baseline' });
  });

  it('a tie keeps the baseline: the group must do better, not as well', () => {
    expect(decideAutoChoice(['g'], [{ chosen: 'g', groupGain: 1, baselineGain: 1 }]).g.use).toBe('baseline');
  });

  it('refuses crops routed to an unknown group and non-finite gains', () => {
    expect(() => decideAutoChoice(['g'], [{ chosen: 'h', groupGain: 1, baselineGain: 0 }])).toThrow(/"h", which is not one of the groups/);
    expect(() => decideAutoChoice(['g'], [{ chosen: 'g', groupGain: Number.NaN, baselineGain: 0 }])).toThrow(/finite/);
  });
});

describe('automaticChoice', () => {
  const policy = decideAutoChoice(['good', 'bad'], [
    { chosen: 'good', groupGain: 2, baselineGain: 1 },
    { chosen: 'bad', groupGain: -2, baselineGain: 1 },
  ]);

  it('restores with the trusted group, and with the baseline where the group was unreliable', () => {
    expect(automaticChoice('good', policy, true)).toMatchObject({ model: { kind: 'group', id: 'good' }, reason: 'trusted' });
    expect(automaticChoice('bad', policy, true)).toMatchObject({ model: { kind: 'baseline' }, reason: 'unreliable', evidence: { routed: 1, groupGain: -2 } });
  });

  it('without a policy or without a baseline, the chosen group restores (the paper)', () => {
    expect(automaticChoice('bad', undefined, true)).toEqual({ model: { kind: 'group', id: 'bad' }, reason: 'no-policy', evidence: null, viaJpegCheck: false });
    expect(automaticChoice('bad', policy, false)).toMatchObject({ model: { kind: 'group', id: 'bad' }, reason: 'no-policy' });
  });

  it('when the JPEG check chose the group, the check route\'s decision applies, not the group\'s', () => {
    const checkRoute = decideRouteTrust([{ groupGain: 1.1, baselineGain: 0 }, { groupGain: 0.3, baselineGain: 0.2 }]);
    expect(checkRoute).toMatchObject({ routed: 2, use: 'group' });
    expect(checkRoute.groupGain).toBeCloseTo(0.7, 12);
    expect(checkRoute.baselineGain).toBeCloseTo(0.1, 12);
    expect(automaticChoice('bad', policy, true, checkRoute)).toEqual({ model: { kind: 'group', id: 'bad' }, reason: 'trusted', evidence: checkRoute, viaJpegCheck: true });
    const distrusted = decideRouteTrust([{ groupGain: -1, baselineGain: 0 }]);
    expect(automaticChoice('good', policy, true, distrusted)).toMatchObject({ model: { kind: 'baseline' }, reason: 'unreliable', viaJpegCheck: true });
    expect(decideRouteTrust([])).toEqual({ routed: 0, groupGain: null, baselineGain: null, use: 'baseline' });
  });
});

describe('modelKey', () => {
  it('keys every model choice', () => {
    expect(modelKey({ kind: 'group', id: 'group-2' })).toBe('group-2');
    expect(modelKey({ kind: 'baseline' })).toBe('baseline');
    expect(modelKey({ kind: 'none' })).toBe('none');
  });

  it('is undone by modelChoiceOf, for every kind of choice', () => {
    for (const choice of [{ kind: 'group', id: 'group-2' }, { kind: 'baseline' }, { kind: 'none' }] as const) {
      expect(modelChoiceOf(modelKey(choice))).toEqual(choice);
    }
  });
});
