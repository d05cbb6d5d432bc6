import { createImage, type RgbImage } from '../image.ts';
import type { Rng } from '../random.ts';
import type { DegradationParams } from './table.ts';

// The noise degradations. They leave values outside [0, 1]; the registry's 8-bit quantisation clips.

/** x + σ·N(0, 1) per pixel and channel, σ given in 8-bit levels. */
export function applyGaussianNoise(image: RgbImage, params: DegradationParams<'gaussian_noise'>, rng: Rng): RgbImage {
  const sigma = params.sigma / 255;
  const src = image.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] + sigma * rng.normal();
  return createImage(image.width, image.height, out);
}

/**
 * Poisson(x·peak)/peak per pixel and channel: shot noise of a sensor that counts `peak` photons at white.
 * Sampled by inverting the exact Poisson CDF with one uniform per value. Images are usually 8-bit, so
 * there are at most 256 distinct means; each CDF is built once per call and reused.
 */
export function applyPoissonNoise(image: RgbImage, params: DegradationParams<'poisson_noise'>, rng: Rng): RgbImage {
  const peak = params.peak;
  const src = image.data;
  const out = new Float32Array(src.length);
  const cdfByMean = new Map<number, Float64Array>();
  for (let i = 0; i < src.length; i++) {
    const mean = src[i] * peak;
    if (!(mean > 0)) continue; // Poisson(0) is 0 (and negative inputs carry no light)
    let cdf = cdfByMean.get(mean);
    if (!cdf) {
      cdf = poissonCdf(mean);
      cdfByMean.set(mean, cdf);
    }
    out[i] = sampleFromCdf(cdf, rng.next()) / peak;
  }
  return createImage(image.width, image.height, out);
}

/**
 * P(K ≤ k) for k = 0, 1, … until the remaining tail is below 1e-15 (the pmf by the recurrence
 * p(k) = p(k − 1)·mean/k, from p(0) = e^−mean, which stays far from underflow for means ≤ 700).
 */
export function poissonCdf(mean: number): Float64Array {
  if (!(mean > 0 && mean <= 700)) throw new RangeError(`Poisson mean must be in (0, 700], got ${mean}`);
  const values: number[] = [];
  let p = Math.exp(-mean);
  let total = 0;
  const last = Math.ceil(mean + 40 * Math.sqrt(mean) + 40);
  for (let k = 0; k <= last; k++) {
    if (k > 0) p *= mean / k;
    total += p;
    values.push(total);
    if (k > mean && 1 - total < 1e-15) break;
  }
  return Float64Array.from(values);
}

/** The smallest k with cdf[k] > u (binary search); u beyond the stored tail maps to the last k. */
export function sampleFromCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Each pixel location (all channels together) turns white or black with probability `amount`. */
export function applySaltPepper(image: RgbImage, params: DegradationParams<'salt_pepper'>, rng: Rng): RgbImage {
  const out = new Float32Array(image.data);
  const n = image.width * image.height;
  for (let p = 0; p < n; p++) {
    if (rng.next() < params.amount) {
      const value = rng.next() < params.saltFraction ? 1 : 0;
      out[p * 3] = value;
      out[p * 3 + 1] = value;
      out[p * 3 + 2] = value;
    }
  }
  return createImage(image.width, image.height, out);
}
