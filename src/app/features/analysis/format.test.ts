import { describe, expect, it } from 'vitest';
import { barFraction, formatDistance, formatGain, formatProbability, formatShare, groupTag, routerClassName } from './format';

describe('analysis formatting', () => {
  it('formats distances and gains', () => {
    expect(formatDistance(2.3456)).toBe('2.35');
    expect(formatDistance(Number.POSITIVE_INFINITY)).toBe('—');
    expect(formatGain(1.844)).toBe('+1.84 dB');
    expect(formatGain(-0.3)).toBe('−0.30 dB');
    expect(formatGain(0)).toBe('±0.00 dB');
  });

  it('names a share as "1 in n" where n is whole, else as a percentage', () => {
    expect(formatShare(0.5)).toBe('1 in 2');
    expect(formatShare(1 / 12)).toBe('1 in 12');
    expect(formatShare(0.3)).toBe('30 %');
  });

  it('keeps the smallest bar visible', () => {
    expect(barFraction(1, 1, 3)).toBeCloseTo(0.08);
    expect(barFraction(3, 1, 3)).toBe(1);
    expect(barFraction(2, 2, 2)).toBe(1);
  });
});

describe('groupTag', () => {
  it('is the 1-based place in the manifest, or the id when the group is not listed', () => {
    const groups = [{ id: 'group-1' }, { id: 'group-10' }];
    expect(groupTag(groups, 'group-10')).toBe('G2');
    expect(groupTag(groups, 'other')).toBe('other');
    expect(groupTag(undefined, 'group-1')).toBe('group-1');
  });
});

describe('formatProbability', () => {
  it('rounds to whole percent and never shows a certain 0 % or 100 %', () => {
    expect(formatProbability(0.487)).toBe('49 %');
    expect(formatProbability(0.004)).toBe('< 1 %');
    expect(formatProbability(0.9996)).toBe('> 99 %');
    expect(formatProbability(0.99)).toBe('99 %');
  });
});

describe('model and class names', () => {
  it("names router classes by the manifest, and 'clean' as no damage", () => {
    const degradations = [{ id: 'jpeg', name: 'JPEG compression' }];
    expect(routerClassName('jpeg', degradations)).toBe('JPEG compression');
    expect(routerClassName('clean', degradations)).toBe('No damage');
    expect(routerClassName('haze', degradations)).toBe('haze');
  });
});
