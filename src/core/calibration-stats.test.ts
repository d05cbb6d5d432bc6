import { describe, expect, it } from 'vitest';
import { auroc, linearFit, normalCdf, pearson, youdenThreshold } from './calibration-stats';
import { createRng } from './random';

describe('calibration statistics', () => {
  it('pearson and the least-squares fit recover an exact line, and known correlations', () => {
    const x = [1, 2, 3, 4, 5];
    expect(linearFit(x, x.map((v) => 3 - 2 * v))).toEqual({ slope: -2, intercept: 3, r: -1, n: 5 });
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12); // hand-computed: sxy = 1, sxx = syy = 2
  });

  it('AUROC equals the brute-force pair count (ties count ½)', () => {
    const rng = createRng(3);
    const pos = Array.from({ length: 40 }, () => Math.round(rng.normal() * 4 + 2) / 2);
    const neg = Array.from({ length: 35 }, () => Math.round(rng.normal() * 4) / 2);
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    expect(auroc(pos, neg)).toBeCloseTo(wins / (pos.length * neg.length), 12);
    expect(auroc([3, 4], [1, 2])).toBe(1);
    expect(auroc([1, 2], [3, 4])).toBe(0);
  });

  it('Youden threshold separates separable data perfectly and maximises TPR − FPR by brute force', () => {
    expect(youdenThreshold([5, 6, 7], [1, 2, 3])).toEqual({ threshold: 4, tpr: 1, fpr: 0, j: 1 });
    const rng = createRng(8);
    const pos = Array.from({ length: 30 }, () => rng.normal() + 1.5);
    const neg = Array.from({ length: 30 }, () => rng.normal());
    const best = youdenThreshold(pos, neg);
    for (let t = -3; t < 5; t += 0.01) {
      const j = pos.filter((v) => v > t).length / 30 - neg.filter((v) => v > t).length / 30;
      expect(j).toBeLessThanOrEqual(best.j + 1e-12);
    }
  });

  it('normalCdf matches tabulated values of Φ, and Φ(−x) = 1 − Φ(x)', () => {
    // Φ from standard tables (to 7 digits).
    for (const [x, phi] of [[0, 0.5], [1, 0.8413447], [1.959964, 0.975], [-2.326348, 0.01], [3, 0.9986501], [-0.5, 0.3085375]]) {
      expect(normalCdf(x)).toBeCloseTo(phi, 6);
    }
    for (const x of [0.1, 0.7, 2.2, 4]) expect(normalCdf(-x)).toBeCloseTo(1 - normalCdf(x), 12);
  });

  it('normalCdf agrees with a numerical integral of the density', () => {
    // Simpson's rule on [−8, x]; the mass below −8 is under 1e-15.
    const integral = (x: number) => {
      const n = 4000, a = -8, h = (x - a) / n;
      const f = (t: number) => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
      let s = f(a) + f(x);
      for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
      return (s * h) / 3;
    };
    for (const x of [-2.5, -1, 0.3, 1.7]) expect(normalCdf(x)).toBeCloseTo(integral(x), 6);
  });
});

