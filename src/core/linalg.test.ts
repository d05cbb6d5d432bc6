import { describe, expect, it } from 'vitest';
import { eigenvector, symmetricEigen, topSymmetricEigen, type SymmetricEigen, type TopSymmetricEigen } from './linalg.ts';
import { createRng, type Rng } from './random.ts';

function randomSymmetric(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = rng.normal();
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  return a;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** max |A − V·Λ·Vᵀ| and max |VᵀV − I|. */
function residuals(a: ArrayLike<number>, eigen: SymmetricEigen): { reconstruction: number; orthogonality: number } {
  const { n, values, vectors: v } = eigen;
  let reconstruction = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let dot = 0;
      for (let k = 0; k < n; k++) {
        sum += v[i * n + k] * values[k] * v[j * n + k];
        dot += v[k * n + i] * v[k * n + j];
      }
      reconstruction = Math.max(reconstruction, Math.abs(sum - a[i * n + j]));
      orthogonality = Math.max(orthogonality, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return { reconstruction, orthogonality };
}

function expectDescending(values: Float64Array): void {
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
}

describe('symmetricEigen', () => {
  it('reconstructs random symmetric matrices with orthonormal eigenvectors', () => {
    const rng = createRng(42);
    for (const n of [1, 2, 5, 50]) {
      const a = randomSymmetric(n, rng);
      const eigen = symmetricEigen(a, n);
      const { reconstruction, orthogonality } = residuals(a, eigen);
      expect(reconstruction, `n=${n}`).toBeLessThan(1e-12 * Math.max(1, n) * maxAbs(a));
      expect(orthogonality, `n=${n}`).toBeLessThan(1e-12 * Math.max(1, n));
      expectDescending(eigen.values);
      // The trace is invariant.
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i];
      expect(eigen.values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 10);
    }
  });

  it('solves diagonal matrices exactly, sorted descending with unit vectors', () => {
    const diag = [3, -1, 7, 0, 2];
    const n = diag.length;
    const a = new Float64Array(n * n);
    diag.forEach((x, i) => (a[i * n + i] = x));
    const eigen = symmetricEigen(a, n);
    expect(Array.from(eigen.values)).toEqual([7, 3, 2, 0, -1]);
    const expectedIndex = [2, 0, 4, 3, 1];
    for (let j = 0; j < n; j++) {
      const vj = eigenvector(eigen, j);
      for (let i = 0; i < n; i++) expect(Math.abs(vj[i])).toBe(i === expectedIndex[j] ? 1 : 0);
    }
  });

  it('matches the closed form of a 2×2 matrix', () => {
    // [[2, 1], [1, 2]] has eigenvalues 3 and 1 with vectors (1, 1)/√2 and (1, −1)/√2.
    const eigen = symmetricEigen([2, 1, 1, 2], 2);
    expect(eigen.values[0]).toBeCloseTo(3, 14);
    expect(eigen.values[1]).toBeCloseTo(1, 14);
    const v0 = eigenvector(eigen, 0);
    const v1 = eigenvector(eigen, 1);
    expect(Math.abs(v0[0])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(v0[0] * v0[1]).toBeGreaterThan(0);
    expect(v1[0] * v1[1]).toBeLessThan(0);
  });

  it('handles repeated eigenvalues', () => {
    // Q·diag(5, 5, 5, 1, 1, −2)·Qᵀ with a random orthogonal Q (Gram–Schmidt of a random matrix).
    const rng = createRng(8);
    const n = 6;
    const spectrum = [5, 5, 5, 1, 1, -2];
    const q = randomOrthogonal(n, rng);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += q[i * n + k] * spectrum[k] * q[j * n + k];
        a[i * n + j] = s;
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]; // exact symmetry
    const eigen = symmetricEigen(a, n);
    for (let k = 0; k < n; k++) expect(eigen.values[k]).toBeCloseTo(spectrum[k], 12);
    const { reconstruction, orthogonality } = residuals(a, eigen);
    expect(reconstruction).toBeLessThan(1e-12);
    expect(orthogonality).toBeLessThan(1e-12);
  });

  it('identity and zero matrices', () => {
    const n = 4;
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    expect(Array.from(symmetricEigen(identity, n).values)).toEqual([1, 1, 1, 1]);
    const zero = symmetricEigen(new Float64Array(n * n), n);
    expect(Array.from(zero.values)).toEqual([0, 0, 0, 0]);
    expect(residuals(new Float64Array(n * n), zero).orthogonality).toBeLessThan(1e-15);
  });

  it('finds the rank of a rank-deficient Gram matrix', () => {
    // G = X·Xᵀ with X 20×3: three positive eigenvalues equal to those of XᵀX, the rest ~0.
    const rng = createRng(77);
    const n = 20;
    const d = 3;
    const x = new Float64Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += x[i * d + k] * x[j * d + k];
        g[i * n + j] = s;
      }
    }
    const xtx = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i * d + a] * x[i * d + b];
        xtx[a * d + b] = s;
      }
    }
    const small = symmetricEigen(xtx, d).values;
    const eigen = symmetricEigen(g, n);
    for (let k = 0; k < d; k++) expect(eigen.values[k] / small[k]).toBeCloseTo(1, 12);
    for (let k = d; k < n; k++) expect(Math.abs(eigen.values[k])).toBeLessThan(1e-12 * eigen.values[0]);
    const { reconstruction, orthogonality } = residuals(g, eigen);
    expect(reconstruction).toBeLessThan(1e-12 * eigen.values[0]);
    expect(orthogonality).toBeLessThan(1e-12);
  });

  it('does not modify its input and validates it', () => {
    const a = new Float64Array([4, 1, 1, 3]);
    symmetricEigen(a, 2);
    expect(Array.from(a)).toEqual([4, 1, 1, 3]);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/expected 2×2/);
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow(/not symmetric/);
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow(/not finite/);
    expect(() => symmetricEigen([], 0)).toThrow(/positive integer/);
  });
});

/** Q·diag(spectrum)·Qᵀ, exactly symmetric. */
function withSpectrum(spectrum: readonly number[], rng: Rng): Float64Array {
  const n = spectrum.length;
  const q = randomOrthogonal(n, rng);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * spectrum[k] * q[j * n + k];
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** max ‖A·v_j − λ_j·v_j‖∞ / ‖A‖ and max |VᵀV − I| over the computed vectors. */
function topResiduals(a: ArrayLike<number>, eigen: TopSymmetricEigen): { residual: number; orthogonality: number } {
  const { n, count, values, vectors: v } = eigen;
  let residual = 0;
  let orthogonality = 0;
  for (let j = 0; j < count; j++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += a[i * n + k] * v[k * count + j];
      residual = Math.max(residual, Math.abs(av - values[j] * v[i * count + j]));
    }
    for (let p = 0; p <= j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i * count + j] * v[i * count + p];
      orthogonality = Math.max(orthogonality, Math.abs(dot - (p === j ? 1 : 0)));
    }
  }
  return { residual: residual / Math.max(maxAbs(a), Number.MIN_VALUE), orthogonality };
}

describe('topSymmetricEigen (inverse iteration for the leading eigenvectors)', () => {
  it('agrees with symmetricEigen on random matrices: same eigenvalues, same vectors up to sign', () => {
    const rng = createRng(5);
    for (const [n, count] of [[1, 1], [2, 1], [7, 7], [60, 12], [200, 40]]) {
      const a = randomSymmetric(n, rng);
      const full = symmetricEigen(a, n);
      const top = topSymmetricEigen(a, n, count);
      expect(Array.from(top.values), `n=${n}`).toEqual(Array.from(full.values)); // the same QL, without vectors
      expect(top.count).toBe(count);
      for (let j = 0; j < count; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += top.vectors[i * count + j] * full.vectors[i * n + j];
        expect(Math.abs(dot), `n=${n}, vector ${j}`).toBeCloseTo(1, 10);
      }
      const { residual, orthogonality } = topResiduals(a, top);
      expect(residual, `n=${n}`).toBeLessThan(1e-12 * n);
      expect(orthogonality, `n=${n}`).toBeLessThan(1e-12 * n);
    }
  });

  it('stays orthonormal inside clusters of equal and nearly equal eigenvalues', () => {
    const rng = createRng(11);
    const spectra = [
      [9, 9, 9, 9, 4, 4, 1, 0.5, 0, 0, 0, -1],
      [5, 5 + 1e-9, 5 - 1e-9, 5 + 2e-12, 3, 3 * (1 + 1e-14), 2, 1, 1e-20, 0],
      Array.from({ length: 40 }, (_, i) => (i < 30 ? 1 : 0)), // a Gram-like rank-deficient spectrum
    ];
    for (const spectrum of spectra) {
      const n = spectrum.length;
      const a = withSpectrum(spectrum, rng);
      const count = Math.min(n, 30);
      const top = topSymmetricEigen(a, n, count);
      const { residual, orthogonality } = topResiduals(a, top);
      expect(residual, spectrum.join(',')).toBeLessThan(1e-12 * n);
      expect(orthogonality, spectrum.join(',')).toBeLessThan(1e-10);
    }
  });

  it('computes as many vectors as the callback asks, after seeing the eigenvalues; validates its input', () => {
    const a = withSpectrum([4, 3, 2, 1e-20, 0], createRng(3));
    const top = topSymmetricEigen(a, 5, (values) => values.filter((x) => x > 1e-10 * values[0]).length);
    expect(top.count).toBe(3);
    expect(top.vectors.length).toBe(15);
    expect(() => topSymmetricEigen(a, 5, 6)).toThrow(/count must be an integer in 0..5/);
    expect(() => topSymmetricEigen([1, 2, 3, 4], 2, 1)).toThrow(/not symmetric/);
    expect(topSymmetricEigen(new Float64Array(9), 3, 0).vectors.length).toBe(0);
  });
});

function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n); // columns orthonormalised by modified Gram–Schmidt
  for (let i = 0; i < n * n; i++) q[i] = rng.normal();
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + p];
      for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + p];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * n + j] /= norm;
  }
  return q;
}
