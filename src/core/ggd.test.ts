import { describe, expect, it } from 'vitest';
import type { Ggd } from './ggd-types.ts';
import {
  GGD_SHAPE_GRID_SIZE,
  distanceGGD,
  fitGGD,
  ggdDistance,
  ggdLogPdf,
  ggdLogScale,
  ggdPdf,
  ggdShapeTable,
  klGGD,
  lgamma,
  nearestShapeIndex,
  sampleGGD,
} from './ggd.ts';
import { createRng } from './random.ts';

/** ln Γ(x) reference values from mpmath at 40 digits. */
const LGAMMA_REFERENCE: [number, number][] = [
  [1e-8, 18.42068073818020890538],
  [1e-3, 6.907178885383853682512],
  [0.1, 2.25271265173420595987],
  [0.2, 1.524063822430784524881],
  [0.5, 0.5723649429247000870717], // ln √π
  [2.5, 0.2846828704729191596325],
  [3.7, 1.428072326665387921872],
  [5, 3.178053830347945619647], // ln 24
  [10, 12.80182748008146961121], // ln 362880
  [15, 25.19122118273868150009],
  [50, 144.5657439463448860089],
  [100.5, 361.4355404677776215553],
  [1e5, 1051287.708973656894901],
  [1e8, 1742068066.103834709276],
];

/**
 * ∫_{−∞}^{∞} f(x) dx for an even integrand, by the trapezoid rule in s = ln x on (0, ∞):
 * 2∫ f(e^s) e^s ds. In s the GGD terms exp(−e^{β(s − ln α)}) are analytic and decay
 * exponentially on the left and double-exponentially on the right, so the trapezoid rule
 * converges geometrically. Independent of the closed forms under test.
 */
function integrateEven(logIntegrand: (x: number) => { log: number; factor: number }, sLo: number, sHi: number, h = 0.005) {
  let total = 0;
  const steps = Math.ceil((sHi - sLo) / h);
  const step = (sHi - sLo) / steps;
  for (let i = 0; i <= steps; i++) {
    const s = sLo + i * step;
    const x = Math.exp(s);
    const { log, factor } = logIntegrand(x);
    const weight = i === 0 || i === steps ? 0.5 : 1;
    total += weight * Math.exp(log + s) * factor;
  }
  return 2 * total * step;
}

/** Integration limits in s = ln x that cover p's mass: e^-40 relative on the left, (x/α)^β = 800 on the right. */
function limitsFor(p: Ggd): [number, number] {
  const logAlpha = ggdLogScale(p);
  return [logAlpha - 40, logAlpha + Math.log(800) / p.beta];
}

function numericalKl(p: Ggd, q: Ggd): number {
  const [lo, hi] = limitsFor(p);
  return integrateEven((x) => {
    const lp = ggdLogPdf(x, p);
    return { log: lp, factor: lp - ggdLogPdf(x, q) };
  }, lo, hi);
}

describe('lgamma', () => {
  it('matches high-precision reference values', () => {
    for (const [x, expected] of LGAMMA_REFERENCE) {
      expect(Math.abs(lgamma(x) - expected) / Math.abs(expected), `lgamma(${x})`).toBeLessThan(1e-13);
    }
  });

  it('is accurate in absolute terms near its zeros at 1 and 2', () => {
    expect(Math.abs(lgamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(lgamma(2))).toBeLessThan(1e-15);
    expect(Math.abs(lgamma(0.999) - 0.0005780385328913797240363)).toBeLessThan(1e-15);
    expect(Math.abs(lgamma(1.5) - -0.1207822376352452223455)).toBeLessThan(1e-15);
  });

  it('satisfies the recurrence lnΓ(x+1) − lnΓ(x) = ln x', () => {
    for (let x = 0.013; x < 60; x *= 1.37) {
      expect(lgamma(x + 1) - lgamma(x)).toBeCloseTo(Math.log(x), 12);
    }
  });

  it('rejects x ≤ 0', () => {
    expect(() => lgamma(0)).toThrow(RangeError);
    expect(() => lgamma(-1.5)).toThrow(RangeError);
    expect(() => lgamma(Number.NaN)).toThrow(RangeError);
  });
});

describe('fitGGD shape table', () => {
  it('is SRGA’s grid: 0.2 … 9.999 in steps of 0.001', () => {
    const { betas } = ggdShapeTable();
    expect(betas.length).toBe(GGD_SHAPE_GRID_SIZE);
    expect(betas[0]).toBe(0.2);
    expect(betas[800]).toBe(1);
    expect(betas[betas.length - 1]).toBe(9.999);
  });

  it('holds r(β) at closed-form points', () => {
    const { ratios } = ggdShapeTable();
    expect(ratios[300]).toBeCloseTo(120 / 36, 12); // β = 0.5: Γ(2)Γ(6)/Γ(4)²
    expect(ratios[800]).toBeCloseTo(2, 12); // β = 1: Γ(1)Γ(3)/Γ(2)²
    expect(ratios[1800]).toBeCloseTo(Math.PI / 2, 12); // β = 2: Γ(½)Γ(3/2)/Γ(1)²
  });

  it('bisection returns exactly numpy’s argmin (first index on ties)', () => {
    const { ratios } = ggdShapeTable();
    const linearArgmin = (rho: number) => {
      let best = 0;
      for (let i = 1; i < ratios.length; i++) if (Math.abs(rho - ratios[i]) < Math.abs(rho - ratios[best])) best = i;
      return best;
    };
    const rng = createRng(7);
    const probes: number[] = [0.5, 1, 1.35, 20, 100, ratios[0], ratios[ratios.length - 1]];
    for (let k = 0; k < 300; k++) probes.push(rng.uniform(1.3, 16.5));
    for (let k = 0; k < 200; k++) {
      const i = rng.int(0, ratios.length - 2);
      probes.push(ratios[i], (ratios[i] + ratios[i + 1]) / 2); // exact grid values and near-ties
    }
    for (const rho of probes) expect(nearestShapeIndex(rho), `rho=${rho}`).toBe(linearArgmin(rho));
  });
});

describe('fitGGD', () => {
  it('follows SRGA’s moments on a hand-computed sample', () => {
    // x = [0, 0, 0, 3]: σ² = 9/4 (not centred), mean 0.75, E = (3·0.75 + 2.25)/4 = 1.125.
    const fit = fitGGD([0, 0, 0, 3]);
    expect(fit.sigma).toBe(1.5);
    const rho = 2.25 / (1.125 * 1.125);
    expect(fit.beta).toBe(ggdShapeTable().betas[nearestShapeIndex(rho)]);
    // A ratio below the table's range clamps to the last grid point, as numpy's argmin does.
    expect(fitGGD(new Float32Array([1, -1, 1, -1])).beta).toBe(9.999);
  });

  it('recovers shapes 0.5 / 1 / 2 from 2e5 exact samples within ±0.03', () => {
    const rng = createRng(2024);
    for (const beta of [0.5, 1, 2]) {
      const fit = fitGGD(sampleGGD({ sigma: 1.7, beta }, 200_000, rng));
      expect(Math.abs(fit.beta - beta), `beta ${beta} fitted as ${fit.beta}`).toBeLessThan(0.03);
      expect(fit.sigma / 1.7).toBeCloseTo(1, 1);
    }
  });

  it('accepts Float32Array and rejects empty, constant or non-finite input', () => {
    expect(fitGGD(new Float32Array([1, -2, 0.5])).sigma).toBeCloseTo(Math.sqrt(5.25 / 3), 12);
    expect(() => fitGGD([])).toThrow(/at least one/);
    expect(() => fitGGD([2, 2, 2])).toThrow(/equal/);
    expect(() => fitGGD([1, Number.NaN])).toThrow(/non-finite/);
  });
});

describe('klGGD', () => {
  it('matches the method notes’ reference values', () => {
    const cases: [Ggd, Ggd, number][] = [
      [{ sigma: 1, beta: 2 }, { sigma: 2, beta: 2 }, 0.31814718],
      [{ sigma: 0.5, beta: 0.8 }, { sigma: 1.3, beta: 1.6 }, 0.59199501],
      [{ sigma: 2, beta: 1.2 }, { sigma: 0.7, beta: 0.6 }, 0.81145708],
      [{ sigma: 1, beta: 0.5 }, { sigma: 1, beta: 2 }, 0.42639004],
    ];
    for (const [p, q, expected] of cases) expect(Math.abs(klGGD(p, q) - expected)).toBeLessThan(1e-4);
  });

  it('equals the Gaussian KL for β = 2', () => {
    const gaussianKl = (s1: number, s2: number) => Math.log(s2 / s1) + (s1 * s1) / (2 * s2 * s2) - 0.5;
    expect(klGGD({ sigma: 0.3, beta: 2 }, { sigma: 2.2, beta: 2 })).toBeCloseTo(gaussianKl(0.3, 2.2), 12);
  });

  it('is zero for identical distributions and ~0 for one-ulp perturbations', () => {
    const rng = createRng(3);
    for (let k = 0; k < 200; k++) {
      const p = { sigma: rng.uniform(0.01, 50), beta: rng.uniform(0.2, 10) };
      expect(klGGD(p, { ...p })).toBe(0);
      const nudged = { sigma: p.sigma * (1 + 2 ** -50), beta: p.beta };
      const kl = klGGD(p, nudged);
      expect(kl).toBeGreaterThanOrEqual(0);
      expect(kl).toBeLessThan(1e-12);
    }
  });

  it('is asymmetric and positive', () => {
    const p = { sigma: 1, beta: 0.5 };
    const q = { sigma: 1, beta: 2 };
    expect(klGGD(p, q)).toBeGreaterThan(0);
    expect(klGGD(q, p)).toBeGreaterThan(0);
    expect(Math.abs(klGGD(p, q) - klGGD(q, p))).toBeGreaterThan(0.01);
  });

  it('stays finite at the shape grid’s extremes where raw Γ would overflow', () => {
    const kl = klGGD({ sigma: 1, beta: 0.2 }, { sigma: 0.01, beta: 9.999 });
    expect(Number.isFinite(kl)).toBe(true);
    expect(kl).toBeGreaterThan(0);
  });

  it('density integrates to 1 and has variance σ² (numerical check of ggdPdf)', () => {
    for (const p of [
      { sigma: 0.4, beta: 0.45 },
      { sigma: 1, beta: 1 },
      { sigma: 2.5, beta: 3.7 },
    ]) {
      const [lo, hi] = limitsFor(p);
      const mass = integrateEven((x) => ({ log: ggdLogPdf(x, p), factor: 1 }), lo, hi);
      const variance = integrateEven((x) => ({ log: ggdLogPdf(x, p), factor: x * x }), lo, hi);
      expect(mass).toBeCloseTo(1, 9);
      expect(variance / (p.sigma * p.sigma)).toBeCloseTo(1, 9);
      expect(ggdPdf(0.3, p)).toBeCloseTo(Math.exp(ggdLogPdf(0.3, p)), 14);
    }
  });

  it('agrees with numerical integration of p·ln(p/q) on random pairs', () => {
    const rng = createRng(11);
    for (let k = 0; k < 20; k++) {
      const p = { sigma: rng.uniform(0.3, 3), beta: rng.uniform(0.4, 4) };
      const q = { sigma: rng.uniform(0.3, 3), beta: rng.uniform(0.4, 4) };
      const closed = klGGD(p, q);
      const numeric = numericalKl(p, q);
      const ok = Math.abs(closed - numeric) <= Math.max(1e-6, 1e-5 * Math.abs(numeric));
      expect(ok, `p=${JSON.stringify(p)} q=${JSON.stringify(q)}: ${closed} vs ${numeric}`).toBe(true);
    }
  });

  it('rejects invalid parameters', () => {
    expect(() => klGGD({ sigma: 0, beta: 1 }, { sigma: 1, beta: 1 })).toThrow(RangeError);
    expect(() => klGGD({ sigma: 1, beta: 1 }, { sigma: 1, beta: Number.NaN })).toThrow(RangeError);
  });
});

describe('ggdDistance', () => {
  it('is 0 at KL = 0, 3 at KL ≈ 0.01, and increasing', () => {
    expect(ggdDistance(0)).toBe(0);
    expect(ggdDistance(0.01 - 1e-5)).toBeCloseTo(3, 12);
    let previous = ggdDistance(0);
    for (let kl = 1e-9; kl < 1e3; kl *= 1.5) {
      const d = ggdDistance(kl);
      expect(d).toBeGreaterThan(previous);
      previous = d;
    }
  });

  it('distanceGGD composes the two', () => {
    const p = { sigma: 0.5, beta: 0.8 };
    const q = { sigma: 1.3, beta: 1.6 };
    expect(distanceGGD(p, q)).toBe(Math.log10(klGGD(p, q) + 1e-5) + 5);
  });
});

describe('sampleGGD', () => {
  it('has variance σ² and E[(|X|/α)^β] = 1/β', () => {
    const rng = createRng(99);
    for (const p of [
      { sigma: 0.5, beta: 0.6 },
      { sigma: 2, beta: 1 },
      { sigma: 1, beta: 2 },
      { sigma: 3, beta: 4 },
    ]) {
      const n = 100_000;
      const x = sampleGGD(p, n, rng);
      const alpha = Math.exp(ggdLogScale(p));
      let sumSquares = 0;
      let sumPower = 0;
      let positives = 0;
      for (let i = 0; i < n; i++) {
        sumSquares += x[i] * x[i];
        sumPower += Math.pow(Math.abs(x[i]) / alpha, p.beta);
        if (x[i] > 0) positives++;
      }
      expect(sumSquares / n / (p.sigma * p.sigma), `variance for ${JSON.stringify(p)}`).toBeCloseTo(1, 1);
      // (|X|/α)^β ~ Gamma(1/β, 1): mean 1/β, standard error sqrt(1/β / n).
      expect(Math.abs(sumPower / n - 1 / p.beta)).toBeLessThan(4 * Math.sqrt(1 / p.beta / n));
      expect(Math.abs(positives / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    }
  });

  it('is reproducible from the seed', () => {
    const a = sampleGGD({ sigma: 1, beta: 0.7 }, 50, createRng(5));
    const b = sampleGGD({ sigma: 1, beta: 0.7 }, 50, createRng(5));
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
