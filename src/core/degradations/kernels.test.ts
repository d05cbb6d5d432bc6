import { describe, expect, it } from 'vitest';
import {
  besselJ1,
  boxKernel,
  circularLowpassKernel,
  diskKernel,
  gaussianKernel,
  gaussianTaps,
  kernelSum,
  motionKernel,
  type Kernel,
} from './kernels.ts';

/** J1 from its integral definition (1/π)∫₀^π cos(τ − x·sin τ) dτ; the trapezoid rule is spectrally accurate here. */
function besselJ1ByIntegral(x: number): number {
  const n = 4000;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const tau = (Math.PI * i) / n;
    const weight = i === 0 || i === n ? 0.5 : 1;
    sum += weight * Math.cos(tau - x * Math.sin(tau));
  }
  return sum / n;
}

const at = (k: Kernel, dx: number, dy: number) => {
  const r = (k.size - 1) / 2;
  return k.weights[(dy + r) * k.size + (dx + r)];
};

describe('besselJ1', () => {
  it('matches tabulated values', () => {
    expect(besselJ1(0)).toBe(0);
    expect(besselJ1(1)).toBeCloseTo(0.4400505857, 8);
    expect(besselJ1(2.5)).toBeCloseTo(0.4970941025, 8);
    expect(besselJ1(10)).toBeCloseTo(0.0434727462, 8);
    expect(besselJ1(-1)).toBeCloseTo(-0.4400505857, 8); // odd function
  });

  it('matches the integral definition across both approximation branches', () => {
    for (let x = 0; x <= 16; x += 0.37) expect(Math.abs(besselJ1(x) - besselJ1ByIntegral(x))).toBeLessThan(1e-7);
  });
});

describe('kernels', () => {
  const kernels: [string, Kernel][] = [
    ['box 5', boxKernel(5)],
    ['gaussian 15 σ2', gaussianKernel(15, 2)],
    ['gaussian 15 σ4', gaussianKernel(15, 4)],
    ['motion r5 σ3 0°', motionKernel(5, 3, 0)],
    ['motion r20 σ12 37°', motionKernel(20, 12, 37)],
    ['motion r13 σ6 −90°', motionKernel(13, 6, -90)],
    ['disk 2', diskKernel(2)],
    ['disk 5.3', diskKernel(5.3)],
    ['disk 8', diskKernel(8)],
    ['sinc 1.2 15→21', circularLowpassKernel(1.2, 15, 21)],
  ];

  it.each(kernels)('%s sums to 1 and is point-symmetric', (_, k) => {
    expect(Math.abs(kernelSum(k) - 1)).toBeLessThan(1e-6);
    const n = k.weights.length;
    for (let i = 0; i < n; i++) expect(k.weights[i]).toBeCloseTo(k.weights[n - 1 - i], 9);
  });

  it('gaussian follows exp(−r²/2σ²) and is the outer product of its 1-D taps', () => {
    const k = gaussianKernel(15, 3);
    expect(at(k, 3, 4) / at(k, 0, 0)).toBeCloseTo(Math.exp(-25 / 18), 10);
    const taps = gaussianTaps(15, 3);
    for (let y = 0; y < 15; y++) for (let x = 0; x < 15; x++) expect(k.weights[y * 15 + x]).toBeCloseTo(taps[y] * taps[x], 12);
  });

  it('motion kernel lies on its line, with Gaussian weights along it', () => {
    const horizontal = motionKernel(10, 4, 0);
    expect(horizontal.size).toBe(21);
    for (let dy = -10; dy <= 10; dy++) {
      for (let dx = -10; dx <= 10; dx++) if (dy !== 0) expect(at(horizontal, dx, dy)).toBe(0);
    }
    expect(at(horizontal, 6, 0) / at(horizontal, 0, 0)).toBeCloseTo(Math.exp(-36 / 32), 2);
    const vertical = motionKernel(10, 4, 90);
    for (let dy = -10; dy <= 10; dy++) expect(at(vertical, 0, dy)).toBeCloseTo(at(horizontal, dy, 0), 9);
    // 45° counter-clockwise (y down): weight on the anti-diagonal (dx, −dx), none on the diagonal.
    const diagonal = motionKernel(8, 4, 45);
    expect(at(diagonal, 4, -4)).toBeGreaterThan(0.01);
    expect(at(diagonal, 4, 4)).toBe(0);
  });

  it('disk covers about πr² taps uniformly', () => {
    for (const r of [2, 3.5, 8]) {
      const k = diskKernel(r);
      expect(k.size).toBe(2 * Math.ceil(r) + 1);
      const centre = at(k, 0, 0);
      // Total weight / centre weight = covered area in pixels.
      expect(1 / centre).toBeCloseTo(Math.PI * r * r, 0);
      expect(at(k, Math.ceil(r), Math.ceil(r))).toBe(0); // the corner is outside the circle
    }
  });

  it('circular low-pass kernel matches the closed form and is zero-padded to 21', () => {
    const k = circularLowpassKernel(1.2, 15, 21);
    expect(k.size).toBe(21);
    // Ratio of two taps is independent of the normalisation.
    const raw = (d: number) => (1.2 * besselJ1(1.2 * d)) / (2 * Math.PI * d);
    expect(at(k, 3, 4) / at(k, 1, 0)).toBeCloseTo(raw(5) / raw(1), 10);
    expect(at(k, 0, 0) / at(k, 1, 0)).toBeCloseTo(1.2 ** 2 / (4 * Math.PI) / raw(1), 10);
    // The 3-pixel ring of padding is zero; the 15×15 core is not.
    for (let i = -10; i <= 10; i++) {
      expect(at(k, i, -10)).toBe(0);
      expect(at(k, -8, i)).toBe(0);
    }
    expect(at(k, 7, 7)).not.toBe(0);
    // It has negative lobes (that is what rings).
    expect(Math.min(...k.weights)).toBeLessThan(0);
  });

  it('rejects invalid sizes', () => {
    expect(() => boxKernel(4)).toThrow(RangeError);
    expect(() => gaussianKernel(15, 0)).toThrow(RangeError);
    expect(() => circularLowpassKernel(1.2, 21, 15)).toThrow(RangeError);
  });
});
