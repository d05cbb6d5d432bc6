import { describe, expect, it } from 'vitest';
import { createRng, createRngFromState } from './random';

describe('seeded Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xs = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(xs);
  });

  it('resumes the exact stream from a saved state', () => {
    const rng = createRng(7);
    for (let i = 0; i < 100; i++) rng.next();
    const saved = rng.state();
    const expected = Array.from({ length: 20 }, () => rng.normal());
    const resumed = createRngFromState(saved);
    expect(Array.from({ length: 20 }, () => resumed.normal())).toEqual(expected);
  });

  it('uniform, int and normal have the right moments', () => {
    const rng = createRng(1);
    const n = 200_000;
    let sum = 0, sumSq = 0, nsum = 0, nsq = 0;
    const counts = new Array(6).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u; sumSq += u * u;
      counts[rng.int(0, 5)]++;
      const z = rng.normal();
      nsum += z; nsq += z * z;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    for (const c of counts) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(0.005);
    expect(Math.abs(nsum / n)).toBeLessThan(0.01);
    expect(nsq / n).toBeCloseTo(1, 1);
  });

  it('poisson has mean and variance equal to lambda, also for large lambda', () => {
    const rng = createRng(5);
    for (const lambda of [0.3, 4, 55, 100]) {
      const n = 40_000;
      let s = 0, sq = 0;
      for (let i = 0; i < n; i++) {
        const k = rng.poisson(lambda);
        expect(Number.isInteger(k) && k >= 0).toBe(true);
        s += k; sq += k * k;
      }
      const mean = s / n, variance = sq / n - mean * mean;
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / n) + 1e-9);
      expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.05);
    }
    expect(rng.poisson(0)).toBe(0);
  });
});
