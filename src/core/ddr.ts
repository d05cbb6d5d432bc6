/**
 * The DDR statistic (SRGA, method notes §2): PCA scores of a patch-feature stack, pooled into one
 * sample, trimmed at mean ± 5·std, and fitted with one GGD. The same function serves the reference
 * degradations and user images, so the two are always comparable.
 *
 * The stack is N×D with N patches (16–800) and D possibly huge (64 channels × 64×64 px), so PCA
 * goes through the N×N Gram matrix of the centred rows and never forms a D×D covariance: if
 * Xc = U·S·Vᵀ then Xc·Xcᵀ = U·S²·Uᵀ, and sklearn's scores Xc·V = U·S are the Gram eigenvectors
 * scaled by sqrt(eigenvalue), up to a sign per component (irrelevant for a symmetric GGD).
 */
import { fitGGD } from './ggd.ts';
import type { Ggd } from './ggd-types.ts';
import { topSymmetricEigen } from './linalg.ts';

export type FeatureStack = Float32Array | Float64Array;

export interface DdrOptions {
  /** Number of principal components (SRGA uses 300); fewer are used when the data has lower rank. */
  readonly k: number;
  /** Pooled scores outside mean ± trimSigmas·std are dropped before the fit (SRGA: 5). */
  readonly trimSigmas?: number;
}

export interface DdrStatistic {
  readonly ggd: Ggd;
  readonly componentsUsed: number;
  readonly samplesKept: number;
  readonly samplesTotal: number;
}

export interface PcaScores {
  readonly rows: number;
  readonly components: number;
  /** rows × components, row-major: scores[i·components + j] = (Xc·v_j)_i, sklearn's fit_transform. */
  readonly scores: Float64Array;
  /** All N eigenvalues of the centred Gram matrix, descending (= squared singular values of Xc). */
  readonly eigenvalues: Float64Array;
}

/** All rows of the stack are identical, so there is no distribution to fit (e.g. a flat image). */
export class FlatFeaturesError extends RangeError {
  constructor() {
    super('feature stack has no variance: all rows are identical');
    this.name = 'FlatFeaturesError';
  }
}

/** Eigenvalues at or below this fraction of the largest are rounding noise (rank deficiency). */
export const RELATIVE_RANK_TOLERANCE = 1e-10;

function validateStack(features: FeatureStack, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 2 || cols < 1) {
    throw new RangeError(`feature stack needs integer rows ≥ 2 and cols ≥ 1, got ${rows}×${cols}`);
  }
  if (features.length !== rows * cols) {
    throw new RangeError(`feature stack has ${features.length} values, expected rows·cols = ${rows}·${cols} = ${rows * cols}`);
  }
}

/**
 * G = Xc·Xcᵀ (N×N, row-major, exactly symmetric) with Xc the column-centred stack, accumulated
 * in float64. Columns are processed in blocks: each block is centred once into a float64 buffer
 * of about 1 MiB that stays in cache while every row pair is multiplied. Centring before
 * multiplying avoids the cancellation of the X·Xᵀ − n·μμᵀ shortcut.
 */
export function centredGram(features: FeatureStack, rows: number, cols: number): Float64Array {
  validateStack(features, rows, cols);
  const means = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    for (let c = 0; c < cols; c++) means[c] += features[offset + c];
  }
  for (let c = 0; c < cols; c++) {
    means[c] /= rows;
    if (!Number.isFinite(means[c])) throw new RangeError(`feature column ${c} contains non-finite values`);
  }

  const gram = new Float64Array(rows * rows);
  const blockWidth = Math.min(cols, Math.max(64, Math.floor(131072 / rows)));
  const block = new Float64Array(rows * blockWidth);
  for (let start = 0; start < cols; start += blockWidth) {
    const width = Math.min(blockWidth, cols - start);
    for (let r = 0; r < rows; r++) {
      const source = r * cols + start;
      const target = r * width;
      for (let c = 0; c < width; c++) block[target + c] = features[source + c] - means[start + c];
    }
    accumulateLowerGram(block, rows, width, gram);
  }
  for (let i = 0; i < rows; i++) for (let j = 0; j < i; j++) gram[j * rows + i] = gram[i * rows + j];
  return gram;
}

/**
 * gram[i][j] += <row i, row j> over one block (rows × width, row-major), for j ≤ i only.
 * Rows i, i+1 are paired against four rows j..j+3 at a time: 6 loads feed 8 multiply-adds, which
 * about doubles the throughput of plain pairwise dot products in V8 (no SIMD in plain JS).
 */
function accumulateLowerGram(block: Float64Array, rows: number, width: number, gram: Float64Array): void {
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const a0 = i * width;
    const a1 = a0 + width;
    const g0 = i * rows;
    const g1 = g0 + rows;
    let j = 0;
    for (; j + 3 <= i; j += 4) {
      const b0 = j * width;
      const b1 = b0 + width;
      const b2 = b1 + width;
      const b3 = b2 + width;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let c = 0; c < width; c++) {
        const x0 = block[a0 + c];
        const x1 = block[a1 + c];
        const y0 = block[b0 + c];
        const y1 = block[b1 + c];
        const y2 = block[b2 + c];
        const y3 = block[b3 + c];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      gram[g0 + j] += s00;
      gram[g0 + j + 1] += s01;
      gram[g0 + j + 2] += s02;
      gram[g0 + j + 3] += s03;
      gram[g1 + j] += s10;
      gram[g1 + j + 1] += s11;
      gram[g1 + j + 2] += s12;
      gram[g1 + j + 3] += s13;
    }
    // The remaining columns of the pair: up to i for row i, up to i + 1 for row i + 1.
    for (; j <= i + 1; j++) {
      const b = j * width;
      let s0 = 0;
      let s1 = 0;
      for (let c = 0; c < width; c++) {
        const y = block[b + c];
        s0 += block[a0 + c] * y;
        s1 += block[a1 + c] * y;
      }
      if (j <= i) gram[g0 + j] += s0;
      gram[g1 + j] += s1;
    }
  }
  if (i < rows) {
    // Odd row count: the last row on its own.
    const a = i * width;
    for (let j = 0; j <= i; j++) {
      const b = j * width;
      let s = 0;
      for (let c = 0; c < width; c++) s += block[a + c] * block[b + c];
      gram[i * rows + j] += s;
    }
  }
}

/**
 * sklearn-equivalent PCA scores (U·S, not whitened) of the top components, computed through the
 * Gram matrix. Uses k' = min(k, numerical rank, N − 1) components: centring leaves rank ≤ N − 1,
 * and components with (numerically) zero variance carry no scores, only rounding noise.
 */
export function pcaScoresViaGram(features: FeatureStack, rows: number, cols: number, k: number): PcaScores {
  return pcaScoresFromGram(centredGram(features, rows, cols), rows, k);
}

/** The same, from a centred Gram matrix computed elsewhere (N×N, row-major, exactly symmetric). */
export function pcaScoresFromGram(gram: Float64Array, rows: number, k: number): PcaScores {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`number of components k must be an integer ≥ 1, got ${k}`);
  // Only the vectors of the components used: min(k, numerical rank, N − 1).
  const { values, vectors, count: components } = topSymmetricEigen(gram, rows, (values) => {
    const largest = values[0];
    if (!(largest > 0)) throw new FlatFeaturesError();
    let rank = 0;
    while (rank < rows && values[rank] > RELATIVE_RANK_TOLERANCE * largest) rank++;
    return Math.min(k, rank, rows - 1);
  });

  const scores = new Float64Array(rows * components);
  for (let j = 0; j < components; j++) {
    const singular = Math.sqrt(values[j]);
    for (let i = 0; i < rows; i++) scores[i * components + j] = vectors[i * components + j] * singular;
  }
  return { rows, components, scores, eigenvalues: values };
}

/**
 * A Gram matrix from float32 arithmetic (onnxruntime's GEMM) as float64, made exactly symmetric:
 * (G + Gᵀ)/2, because a blocked GEMM need not sum G[i][j] and G[j][i] in the same order.
 */
export function symmetrisedGram(values: ArrayLike<number>, rows: number): Float64Array {
  if (!Number.isInteger(rows) || rows < 2) throw new RangeError(`Gram matrix needs integer rows ≥ 2, got ${rows}`);
  if (values.length !== rows * rows) throw new RangeError(`Gram matrix has ${values.length} values, expected ${rows}×${rows} = ${rows * rows}`);
  const gram = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j <= i; j++) {
      const v = (values[i * rows + j] + values[j * rows + i]) / 2;
      if (!Number.isFinite(v)) throw new RangeError(`Gram matrix entry (${i},${j}) is not finite: the features contain non-finite values`);
      gram[i * rows + j] = v;
      gram[j * rows + i] = v;
    }
  }
  return gram;
}

/**
 * Keeps the values strictly inside mean ± sigmas·std (population std), in one pass with the
 * statistics of the full sample, as SRGA's outlier removal does.
 */
export function trimOutliers(samples: ArrayLike<number>, sigmas: number): Float64Array {
  if (!(sigmas > 0)) throw new RangeError(`trim width must be > 0 standard deviations, got ${sigmas}`);
  const n = samples.length;
  if (n === 0) return new Float64Array(0);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i];
  const mean = sum / n;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const d = samples[i] - mean;
    sumSquares += d * d;
  }
  const halfWidth = sigmas * Math.sqrt(sumSquares / n);
  const lo = mean - halfWidth;
  const hi = mean + halfWidth;
  const kept = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i];
    if (x > lo && x < hi) kept[count++] = x;
  }
  return kept.slice(0, count);
}

/**
 * The DDR statistic of a row-major N×D feature stack (one row per patch): PCA scores of up to k
 * components, pooled, trimmed at mean ± trimSigmas·std, fitted with SRGA's moment-matching GGD.
 */
export function ddrStatistic(features: FeatureStack, rows: number, cols: number, options: DdrOptions): DdrStatistic {
  return ddrStatisticFromGram(centredGram(features, rows, cols), rows, options);
}

/** The same statistic from the stack's centred Gram matrix (N×N, exactly symmetric). */
export function ddrStatisticFromGram(gram: Float64Array, rows: number, options: DdrOptions): DdrStatistic {
  const trimSigmas = options.trimSigmas ?? 5;
  const { scores, components } = pcaScoresFromGram(gram, rows, options.k);
  const kept = trimOutliers(scores, trimSigmas);
  if (kept.length === 0) throw new RangeError('no PCA scores left after trimming');
  return {
    ggd: fitGGD(kept),
    componentsUsed: components,
    samplesKept: kept.length,
    samplesTotal: scores.length,
  };
}
