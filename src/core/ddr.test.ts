import { describe, expect, it } from 'vitest';
import { centredGram, ddrStatistic, pcaScoresViaGram, trimOutliers } from './ddr.ts';
import { fitGGD, sampleGGD } from './ggd.ts';
import { symmetricEigen } from './linalg.ts';
import { createRng, type Rng } from './random.ts';

/**
 * Cyclic Jacobi eigensolver for a small symmetric matrix (row-major). Written independently of
 * linalg.ts so that the brute-force PCA below does not share code with the route under test.
 * Returns eigenvalues descending and eigenvectors as columns.
 */
function jacobiEigen(input: Float64Array, n: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(input);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // A ← A·J (columns p, q), then A ← Jᵀ·A (rows p, q), V ← V·J.
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const vectors = new Float64Array(n * n);
  order.forEach((source, j) => {
    for (let i = 0; i < n; i++) vectors[i * n + j] = v[i * n + source];
  });
  return { values: order.map((i) => a[i * n + i]), vectors };
}

/** sklearn-style PCA the slow way: eigenvectors of the D×D scatter matrix, scores = Xc·V. */
function bruteForcePca(x: Float32Array, rows: number, cols: number, k: number) {
  const xc = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += x[r * cols + c];
    mean /= rows;
    for (let r = 0; r < rows; r++) xc[r * cols + c] = x[r * cols + c] - mean;
  }
  const scatter = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += xc[r * cols + a] * xc[r * cols + b];
      scatter[a * cols + b] = s;
    }
  }
  const { values, vectors } = jacobiEigen(scatter, cols);
  const scores: number[][] = []; // scores[j] = column j
  for (let j = 0; j < k; j++) {
    const column: number[] = [];
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += xc[r * cols + c] * vectors[c * cols + j];
      column.push(s);
    }
    scores.push(column);
  }
  return { values, scores };
}

function randomStack(rows: number, cols: number, rng: Rng): Float32Array {
  // Columns with different spreads and offsets so the spectrum is non-degenerate and centring matters.
  const x = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) x[r * cols + c] = 3 + c * 0.5 + rng.normal() * (1 + 0.3 * c) + (c % 3 === 0 ? rng.next() : 0);
  }
  return x;
}

/** Column j of a rows × components row-major score matrix. */
function scoreColumn(scores: Float64Array, rows: number, components: number, j: number): number[] {
  return Array.from({ length: rows }, (_, i) => scores[i * components + j]);
}

function expectEqualUpToSign(actual: number[], expected: number[], tolerance: number): void {
  const dot = actual.reduce((s, x, i) => s + x * expected[i], 0);
  const sign = dot < 0 ? -1 : 1;
  const scale = Math.max(...expected.map(Math.abs));
  for (let i = 0; i < actual.length; i++) expect(Math.abs(sign * actual[i] - expected[i])).toBeLessThan(tolerance * scale);
}

describe('pcaScoresViaGram', () => {
  it('matches a brute-force D×D PCA (N=12, D=7; N=6, D=30; N=13, D=40)', () => {
    const rng = createRng(31);
    for (const [rows, cols, k, expectedComponents] of [
      [12, 7, 5, 5],
      [12, 7, 300, 7], // rank limited by D
      [6, 30, 300, 5], // rank limited by N − 1 after centring
      [13, 40, 8, 8], // odd row count: the unpaired last row of the Gram kernel
    ]) {
      const x = randomStack(rows, cols, rng);
      const fast = pcaScoresViaGram(x, rows, cols, k);
      expect(fast.components).toBe(expectedComponents);
      const brute = bruteForcePca(x, rows, cols, fast.components);
      for (let j = 0; j < fast.components; j++) {
        expect(fast.eigenvalues[j] / brute.values[j]).toBeCloseTo(1, 9);
        expectEqualUpToSign(scoreColumn(fast.scores, rows, fast.components, j), brute.scores[j], 1e-6);
      }
    }
  });

  it('gives each component zero mean and variance λ/N, and scores are uncorrelated', () => {
    const rng = createRng(5);
    const rows = 40;
    const x = randomStack(rows, 25, rng);
    const { scores, components, eigenvalues } = pcaScoresViaGram(x, rows, 25, 10);
    for (let a = 0; a < components; a++) {
      const ca = scoreColumn(scores, rows, components, a);
      expect(ca.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 8);
      for (let b = 0; b < components; b++) {
        const cb = scoreColumn(scores, rows, components, b);
        const dot = ca.reduce((s, v, i) => s + v * cb[i], 0);
        expect(dot / eigenvalues[0]).toBeCloseTo(a === b ? eigenvalues[a] / eigenvalues[0] : 0, 10);
      }
    }
  });

  it('builds an exactly symmetric centred Gram matrix, independent of column offsets', () => {
    const rng = createRng(9);
    const rows = 9;
    const cols = 700; // several column blocks
    const x = randomStack(rows, cols, rng);
    const shifted = x.map((v, i) => v + 1000 * ((i % cols) % 2)); // add a constant to odd columns
    const g = centredGram(x, rows, cols);
    const gs = centredGram(shifted, rows, cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < rows; j++) {
        expect(g[i * rows + j]).toBe(g[j * rows + i]);
        expect(gs[i * rows + j]).toBeCloseTo(g[i * rows + j], 4 - Math.ceil(Math.log10(Math.abs(g[0]) + 1)));
      }
    }
  });

  it('validates its input', () => {
    const x = new Float32Array(12);
    expect(() => pcaScoresViaGram(x, 3, 5, 2)).toThrow(/expected rows·cols/);
    expect(() => pcaScoresViaGram(x, 1, 12, 2)).toThrow(/rows ≥ 2/);
    expect(() => pcaScoresViaGram(x, 3, 4, 0)).toThrow(/k must be/);
    expect(() => pcaScoresViaGram(x, 3, 4, 2)).toThrow(/no variance/);
    expect(() => pcaScoresViaGram(new Float32Array([1, Number.NaN, 2, 3]), 2, 2, 1)).toThrow(/non-finite/);
  });
});

describe('trimOutliers', () => {
  it('keeps values strictly inside mean ± s·std (population std), in one pass', () => {
    // 19 zeros and one 10: mean 0.5, std = sqrt(0.25·19/20 + 9.5²/20) ≈ 2.179, so 10 lies beyond 4 std.
    const x = [...new Array(19).fill(0), 10];
    expect(trimOutliers(x, 5).length).toBe(20);
    expect(Array.from(trimOutliers(x, 4))).toEqual(new Array(19).fill(0));
    // A value exactly on the boundary is dropped (SRGA removes x ≤ lo and x ≥ hi).
    expect(Array.from(trimOutliers([-1, 1], 1))).toEqual([]);
    expect(trimOutliers([1, 2, 3], Infinity).length).toBe(3);
  });
});

describe('ddrStatistic', () => {
  it('validates options and reports its sample counts', () => {
    const rng = createRng(1);
    const x = randomStack(10, 20, rng);
    expect(() => ddrStatistic(x, 10, 20, { k: 0 })).toThrow(/k must be/);
    const result = ddrStatistic(x, 10, 20, { k: 4 });
    expect(result.componentsUsed).toBe(4);
    expect(result.samplesTotal).toBe(40);
    expect(result.samplesKept).toBeLessThanOrEqual(40);
  });

  /*
   * Shape recovery. PCA scores are linear combinations of the data, so a naive "iid GGD features"
   * stack tends to Gaussian scores. The known shape survives only if the principal axes are the
   * latent axes:
   *   features = Z·Wᵀ, W (D×k) with orthonormal columns, Z (N×k) with GGD(β) columns.
   * Then Xc·Xcᵀ = Zc·Zcᵀ and PCA of the stack is PCA of Zc. Two things rotate principal axes away
   * from the latent ones: equal column variances (any rotation is then a valid eigenbasis) and,
   * with distinct variances, the O(1/√N) sample correlations between independently drawn columns
   * (axis tilt ≈ ρ·s_i·s_j/(s_i² − s_j²)). Measured: with independent columns and scale ratio 0.7,
   * N = 400, β = 0.7, the scores' fitted shape drifts by up to 0.07 towards Gaussian. Well
   * separated scales also cannot fix this, because pooling components of unequal scale is a scale
   * mixture with heavier tails than each component.
   *
   * So the test removes the sample correlations by construction: the centred GGD columns are
   * symmetrically (Löwdin) orthogonalised, Zo = Zc·(ZcᵀZc)^(−1/2), which changes each column only
   * by an O(√(k/N)) admixture of the others, and column j gets norm √N·(1 − 0.01·j). Now Zo·Wᵀ is
   * exactly an SVD (distinct singular values, 1 % apart), so the scores must be Zo's columns up to
   * sign, and the pooled scale mixture is negligible (scales within 0.85–1.00).
   */
  function latentStack(beta: number, rows: number, k: number, dims: number, rng: Rng) {
    const zc = new Float64Array(rows * k);
    for (let j = 0; j < k; j++) {
      const column = sampleGGD({ sigma: 1, beta }, rows, rng);
      const mean = column.reduce((s, v) => s + v, 0) / rows;
      for (let i = 0; i < rows; i++) zc[i * k + j] = column[i] - mean;
    }
    const m = new Float64Array(k * k);
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += zc[i * k + a] * zc[i * k + b];
        m[a * k + b] = s;
      }
    }
    const { values, vectors } = jacobiEigen(m, k);
    const inverseSqrt = new Float64Array(k * k);
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += (vectors[a * k + t] * vectors[b * k + t]) / Math.sqrt(values[t]);
        inverseSqrt[a * k + b] = s;
      }
    }
    const latent = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) {
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let a = 0; a < k; a++) s += zc[i * k + a] * inverseSqrt[a * k + b];
        latent[i * k + b] = s * Math.sqrt(rows) * (1 - 0.01 * b); // descending, as PCA orders them
      }
    }
    // W: orthonormal columns by Gram–Schmidt of a Gaussian matrix, so every feature mixes all latents.
    const w = new Float64Array(dims * k);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal();
    for (let j = 0; j < k; j++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += w[d * k + j] * w[d * k + p];
        for (let d = 0; d < dims; d++) w[d * k + j] -= dot * w[d * k + p];
      }
      let norm = 0;
      for (let d = 0; d < dims; d++) norm += w[d * k + j] ** 2;
      norm = Math.sqrt(norm);
      for (let d = 0; d < dims; d++) w[d * k + j] /= norm;
    }
    const features = new Float32Array(rows * dims);
    for (let i = 0; i < rows; i++) {
      for (let d = 0; d < dims; d++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += latent[i * k + j] * w[d * k + j];
        features[i * dims + d] = s;
      }
    }
    return { features, latent };
  }

  it('recovers a known GGD shape (β = 0.7, 1, 2) through PCA, pooling and fitting', () => {
    const rows = 400;
    const k = 16;
    const dims = 48;
    const rng = createRng(2718);
    for (const beta of [0.7, 1, 2]) {
      const { features, latent } = latentStack(beta, rows, k, dims, rng);

      // 1. The scores are the latent columns (up to sign): float32 features limit this to ~1e-6.
      const pca = pcaScoresViaGram(features, rows, dims, 300);
      expect(pca.components).toBe(k); // rank k: the 300 requested are capped
      for (let j = 0; j < k; j++) {
        expectEqualUpToSign(scoreColumn(pca.scores, rows, k, j), scoreColumn(latent, rows, k, j), 1e-5);
      }

      // 2. Untrimmed, the fitted shape is the latent shape. 6400 pooled samples: the estimator's
      //    sd is about 0.03, and it is biased up by ~0.03 for β = 0.7 at this size. Tolerance 0.1.
      const untrimmed = ddrStatistic(features, rows, dims, { k: 300, trimSigmas: Infinity });
      expect(untrimmed.samplesKept).toBe(rows * k);
      expect(untrimmed.ggd.beta).toBeCloseTo(fitGGD(latent).beta, 2);
      expect(Math.abs(untrimmed.ggd.beta - beta), `β=${beta}, untrimmed fit ${untrimmed.ggd.beta}`).toBeLessThan(0.1);
      expect(untrimmed.ggd.sigma / Math.sqrt(latent.reduce((s, v) => s + v * v, 0) / latent.length)).toBeCloseTo(1, 5);

      // 3. With SRGA's 5σ trim (the default) heavy tails lose their extremes, which raises the
      //    fitted shape: 0.7 → 0.77 and 1 → 1.03 even on 1e6 samples, 2 stays 2. Compare with that
      //    large-sample value of the same estimator, to the same tolerance.
      const trimmed = ddrStatistic(features, rows, dims, { k: 300 });
      const largeSample = fitGGD(trimOutliers(sampleGGD({ sigma: 1, beta }, 1_000_000, rng), 5)).beta;
      expect(Math.abs(trimmed.ggd.beta - largeSample), `β=${beta}: trimmed fit ${trimmed.ggd.beta} vs ${largeSample}`).toBeLessThan(0.1);
      expect(trimmed.ggd.beta).toBeCloseTo(fitGGD(trimOutliers(latent, 5)).beta, 2);
    }
  });

  it('uses the eigensolver consistently with the Gram matrix', () => {
    // Cross-check: eigenvalues of the Gram equal the squared norms of the score columns.
    const rng = createRng(12);
    const rows = 30;
    const cols = 50;
    const x = randomStack(rows, cols, rng);
    const pca = pcaScoresViaGram(x, rows, cols, 6);
    const direct = symmetricEigen(centredGram(x, rows, cols), rows).values;
    for (let j = 0; j < 6; j++) {
      const column = scoreColumn(pca.scores, rows, 6, j);
      expect(column.reduce((s, v) => s + v * v, 0) / direct[j]).toBeCloseTo(1, 10);
    }
  });
});
