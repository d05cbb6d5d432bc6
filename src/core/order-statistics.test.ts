import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kthSmallest, nearestRankQuantile } from './order-statistics';

// + 0 turns −0 into 0: a sort orders −0 before 0, a selection treats them as the same value (as every comparison does).
const values = fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => x + 0), fc.constantFrom(0, 1, 1, -1, 0.5)), { minLength: 1, maxLength: 300 });

describe('order statistics', () => {
  it('kthSmallest gives the value a sort puts at rank k, for every k, ties and duplicates included', () => {
    fc.assert(fc.property(values, (xs) => {
      const sorted = Float64Array.from(xs).sort();
      for (let k = 0; k < xs.length; k++) expect(kthSmallest(Float64Array.from(xs), xs.length, k)).toBe(sorted[k]);
    }));
  });

  it('kthSmallest reads only the first n values', () => {
    const a = Float64Array.from([5, 3, 9, -100, -200]);
    expect(kthSmallest(a, 3, 0)).toBe(3);
    expect(kthSmallest(a, 3, 2)).toBe(9);
    expect(() => kthSmallest(a, 3, 3)).toThrow(RangeError);
  });

  it('nearestRankQuantile is the sorted value at round(q·(n − 1))', () => {
    fc.assert(fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
      const sorted = Float64Array.from(xs).sort();
      expect(nearestRankQuantile(Float64Array.from(xs), q)).toBe(sorted[Math.round(q * (xs.length - 1))]);
    }));
    expect(nearestRankQuantile(new Float64Array(0), 0.5)).toBe(0);
  });
});
