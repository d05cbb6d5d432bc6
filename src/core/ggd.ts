/**
 * Zero-mean generalized Gaussian distributions (GGD): log-gamma, the SRGA moment-matching fit,
 * the closed-form KL divergence, the SRGA distance index, an exact sampler and the density.
 *
 * Parameterisation (see ggd-types.ts): sigma is the standard deviation, beta the shape. The
 * density's scale is α = σ·sqrt(Γ(1/β)/Γ(3/β)) and p(x) = β / (2αΓ(1/β)) · exp(−(|x|/α)^β).
 */
import type { Ggd } from './ggd-types.ts';
import type { Rng } from './random.ts';

// ---------------------------------------------------------------------------------------------
// log-gamma

/** Lanczos coefficients for g = 7, n = 9 (Godfrey); relative error of Γ about 1e-15 for x ≥ 0.5. */
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (Lanczos; reflection below 0.5). Throws for x ≤ 0 or non-finite x. */
export function lgamma(x: number): number {
  if (!(x > 0) || x === Infinity) throw new RangeError(`lgamma is defined here for finite x > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection Γ(x)Γ(1−x) = π / sin(πx); keeps the Lanczos sum in its accurate range.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) sum += LANCZOS_COEFFICIENTS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// ---------------------------------------------------------------------------------------------
// Validation and the scale α

function assertGgd(ggd: Ggd, name: string): void {
  if (!(ggd.sigma > 0) || !Number.isFinite(ggd.sigma) || !(ggd.beta > 0) || !Number.isFinite(ggd.beta)) {
    throw new RangeError(`${name} needs finite sigma > 0 and beta > 0, got sigma=${ggd.sigma}, beta=${ggd.beta}`);
  }
}

/** ln α with α = σ·sqrt(Γ(1/β)/Γ(3/β)), computed in logs so that small β cannot overflow. */
export function ggdLogScale(ggd: Ggd): number {
  return Math.log(ggd.sigma) + 0.5 * (lgamma(1 / ggd.beta) - lgamma(3 / ggd.beta));
}

// ---------------------------------------------------------------------------------------------
// SRGA moment-matching fit

/**
 * The shape grid of SRGA's `estimate_GGD_parameters`: numpy's `np.arange(0.2, 10.0, 0.001)`,
 * which excludes the stop value, so 9800 points from 0.2 to 9.999. Each point is built from its
 * integer index, (200 + i) / 1000, so no rounding drift accumulates and the values print cleanly
 * (numpy's 0.2 + i·0.001 differs by at most one ulp, far below anything the fit can resolve).
 */
export const GGD_SHAPE_GRID_START = 0.2;
export const GGD_SHAPE_GRID_STEP = 0.001;
export const GGD_SHAPE_GRID_SIZE = 9800;

interface ShapeTable {
  readonly betas: Float64Array;
  /** r(β) = Γ(1/β)Γ(3/β)/Γ(2/β)², strictly decreasing in β. */
  readonly ratios: Float64Array;
}

let shapeTable: ShapeTable | null = null;

/** The lookup table, built once on first use (about 30k lgamma calls, well under a millisecond). */
export function ggdShapeTable(): ShapeTable {
  if (shapeTable) return shapeTable;
  const betas = new Float64Array(GGD_SHAPE_GRID_SIZE);
  const ratios = new Float64Array(GGD_SHAPE_GRID_SIZE);
  for (let i = 0; i < GGD_SHAPE_GRID_SIZE; i++) {
    const beta = (200 + i) / 1000; // = GGD_SHAPE_GRID_START + i·GGD_SHAPE_GRID_STEP
    betas[i] = beta;
    ratios[i] = Math.exp(lgamma(1 / beta) + lgamma(3 / beta) - 2 * lgamma(2 / beta));
  }
  // The binary search below is only equal to numpy's argmin if the table is strictly monotone.
  for (let i = 1; i < GGD_SHAPE_GRID_SIZE; i++) {
    if (!(ratios[i] < ratios[i - 1])) throw new Error(`GGD shape table is not strictly decreasing at index ${i}`);
  }
  shapeTable = { betas, ratios };
  return shapeTable;
}

/**
 * Index of the grid point minimising |rho − r(β)|, the first one on an exact tie (numpy's argmin).
 * r is strictly decreasing, so |rho − r| falls then rises: find the first r ≤ rho by bisection and
 * compare it with its predecessor.
 */
export function nearestShapeIndex(rho: number): number {
  const { ratios } = ggdShapeTable();
  let lo = 0;
  let hi = ratios.length; // invariant: ratios[<lo] > rho, ratios[≥hi] ≤ rho
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ratios[mid] > rho) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return 0;
  if (lo === ratios.length) return ratios.length - 1;
  // The predecessor comes first, so it wins an exact tie.
  return Math.abs(rho - ratios[lo - 1]) <= Math.abs(rho - ratios[lo]) ? lo - 1 : lo;
}

/**
 * Fits a zero-mean GGD by SRGA's moment matching: σ² = mean(x²) (not centred),
 * E = mean(|x − mean x|) (centred), β = grid argmin |σ²/E² − r(β)|, sigma = sqrt(σ²).
 * Two passes over the data; accumulates in float64.
 */
export function fitGGD(samples: ArrayLike<number>): Ggd {
  const n = samples.length;
  if (n === 0) throw new RangeError('fitGGD needs at least one sample');
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i];
    sum += x;
    sumSquares += x * x;
  }
  if (!Number.isFinite(sumSquares)) throw new RangeError('fitGGD: samples contain non-finite values (or overflow)');
  const mean = sum / n;
  let sumAbsDeviation = 0;
  for (let i = 0; i < n; i++) sumAbsDeviation += Math.abs(samples[i] - mean);
  const secondMoment = sumSquares / n;
  const meanAbsDeviation = sumAbsDeviation / n;
  if (!(meanAbsDeviation > 0)) {
    throw new RangeError('fitGGD: all samples are equal, so the shape is undefined');
  }
  const rho = secondMoment / (meanAbsDeviation * meanAbsDeviation);
  const { betas } = ggdShapeTable();
  return { sigma: Math.sqrt(secondMoment), beta: betas[nearestShapeIndex(rho)] };
}

// ---------------------------------------------------------------------------------------------
// KL divergence and the SRGA distance

/**
 * KL(p ‖ q) between zero-mean GGDs, closed form (Do & Vetterli 2002; SRGA's KL_GGD3):
 * ln[β1·α2·Γ(1/β2) / (β2·α1·Γ(1/β1))] + (α1/α2)^β2 · Γ((β2+1)/β1)/Γ(1/β1) − 1/β1.
 * Everything is in logs: Γ(3/β) and Γ((β2+1)/β1) overflow for small shapes.
 */
export function klGGD(p: Ggd, q: Ggd): number {
  assertGgd(p, 'klGGD p');
  assertGgd(q, 'klGGD q');
  if (p.sigma === q.sigma && p.beta === q.beta) return 0;
  const b1 = p.beta;
  const b2 = q.beta;
  const logAlpha1 = ggdLogScale(p);
  const logAlpha2 = ggdLogScale(q);
  const lgInv1 = lgamma(1 / b1);
  const logNormRatio = Math.log(b1) + logAlpha2 + lgamma(1 / b2) - Math.log(b2) - logAlpha1 - lgInv1;
  const expectedPower = Math.exp(b2 * (logAlpha1 - logAlpha2) + lgamma((b2 + 1) / b1) - lgInv1);
  const kl = logNormRatio + expectedPower - 1 / b1;
  // KL ≥ 0; only rounding can push a near-identical pair below zero.
  return kl < 0 && kl > -1e-12 ? 0 : kl;
}

/** SRGA's index: log10(KL + 1e-5) + 5. 0 for identical distributions, 3 at KL ≈ 0.01, 4 at KL ≈ 0.1. */
export function ggdDistance(kl: number): number {
  if (kl === 0) return 0; // log10(1e-5) is −5 up to rounding; make "identical" exactly 0
  return Math.log10(kl + 1e-5) + 5;
}

/** ggdDistance(klGGD(p, q)). */
export function distanceGGD(p: Ggd, q: Ggd): number {
  return ggdDistance(klGGD(p, q));
}

// ---------------------------------------------------------------------------------------------
// Density and sampling

/** ln p(x). Stays finite far in the tails where the density itself underflows. */
export function ggdLogPdf(x: number, ggd: Ggd): number {
  assertGgd(ggd, 'ggdLogPdf');
  const logAlpha = ggdLogScale(ggd);
  const logNorm = Math.log(ggd.beta) - Math.LN2 - logAlpha - lgamma(1 / ggd.beta);
  if (x === 0) return logNorm;
  return logNorm - Math.exp(ggd.beta * (Math.log(Math.abs(x)) - logAlpha));
}

/** p(x) = β / (2αΓ(1/β)) · exp(−(|x|/α)^β). */
export function ggdPdf(x: number, ggd: Ggd): number {
  return Math.exp(ggdLogPdf(x, ggd));
}

/**
 * Gamma(shape, 1) by Marsaglia & Tsang (2000). For shape < 1 it samples Gamma(shape + 1) and
 * multiplies by U^(1/shape), which is exact.
 */
export function sampleGamma(shape: number, rng: Rng): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be finite and > 0, got ${shape}`);
  if (shape < 1) {
    const u = 1 - rng.next(); // (0, 1]
    return sampleGamma(shape + 1, rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next(); // (0, 1]: log(u) is finite
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v; // cheap squeeze
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * n exact GGD draws: if G ~ Gamma(1/β, 1) then |X|/α = G^(1/β), and the sign is a fair coin.
 */
export function sampleGGD(ggd: Ggd, n: number, rng: Rng): Float64Array {
  assertGgd(ggd, 'sampleGGD');
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sample count must be a non-negative integer, got ${n}`);
  const alpha = Math.exp(ggdLogScale(ggd));
  const shape = 1 / ggd.beta;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const magnitude = alpha * Math.pow(sampleGamma(shape, rng), shape);
    out[i] = rng.next() < 0.5 ? -magnitude : magnitude;
  }
  return out;
}
