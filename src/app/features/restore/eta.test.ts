import { describe, expect, it } from 'vitest';
import { formatDuration, formatEta, formatTiles, percent } from './eta';

describe('progress text', () => {
  it('counts tiles', () => {
    expect(formatTiles(3, 12)).toBe('3 / 12 tiles');
    expect(formatTiles(0, 1)).toBe('0 / 1 tile');
  });

  it('estimates time left in words', () => {
    expect(formatEta(null)).toBe('estimating time left…');
    expect(formatEta(Number.NaN)).toBe('estimating time left…');
    expect(formatEta(800)).toBe('almost done');
    expect(formatEta(42_400)).toBe('about 42 s left');
    expect(formatEta(185_000)).toBe('about 3 min left');
    expect(formatEta(2 * 3600_000 + 5 * 60_000)).toBe('about 2 h 5 min left');
  });

  it('formats durations and percentages', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 0)).toBe(0);
  });
});
