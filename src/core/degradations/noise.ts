import { createImage, type RgbImage } from '../image.ts';
import type { Rng } from '../random.ts';
import { convolveSeparable } from './convolve.ts';
import { gaussianTaps } from './kernels.ts';
import type { DegradationParams } from './table.ts';

// The noise degradations. They leave values outside [0, 1]; the registry's 8-bit quantisation clips.

/** x + σ·N(0, 1) per pixel and channel, σ in 8-bit levels (the paper's Gaussian noise; a sensor's read noise). */
export function addGaussianNoise(image: RgbImage, sigmaLevels: number, rng: Rng): RgbImage {
  const sigma = sigmaLevels / 255;
  const src = image.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] + sigma * rng.normal();
  return createImage(image.width, image.height, out);
}

// BT.601 YCbCr → RGB: the R, G, B change for a unit change of Cb and of Cr (Y adds to all three alike).
const CB_TO_RGB = [0, -0.344136, 1.772] as const;
const CR_TO_RGB = [1.402, -0.714136, 0] as const;
/** The mean over R, G, B of the variance a unit-variance Cb and a unit-variance Cr add. */
const CHROMA_VARIANCE_IN_RGB = [0, 1, 2].reduce((sum, c) => sum + CB_TO_RGB[c] ** 2 + CR_TO_RGB[c] ** 2, 0) / 3;

/**
 * White Gaussian noise of unit variance per value, low-passed by a separable Gaussian of σ `grain`
 * px and scaled back to unit variance, so only its spectrum changes: a value of the filtered noise
 * is Σᵢⱼ tᵢtⱼ·wᵢⱼ, of variance (Σt²)².
 */
function correlatedNoise(width: number, height: number, grain: number, rng: Rng): Float32Array {
  const white = createImage(width, height);
  for (let i = 0; i < white.data.length; i++) white.data[i] = rng.normal();
  const taps = gaussianTaps(2 * Math.ceil(3 * grain) + 1, grain);
  let energy = 0;
  for (const t of taps) energy += t * t;
  const filtered = convolveSeparable(white, taps, 'reflect').data;
  for (let i = 0; i < filtered.length; i++) filtered[i] /= energy;
  return filtered;
}

export function applyGaussianNoise(image: RgbImage, params: DegradationParams<'gaussian_noise'>, rng: Rng): RgbImage {
  if (params.family === 'rgb') return addGaussianNoise(image, params.sigma, rng);
  const sigma = params.sigma / 255;
  const src = image.data;
  const n = image.width * image.height;
  const out = new Float32Array(src);
  switch (params.family) {
    case 'grey':
      for (let p = 0; p < n; p++) {
        const e = sigma * rng.normal();
        for (let c = 0; c < 3; c++) out[p * 3 + c] += e;
      }
      break;
    case 'luma-chroma': {
      // σ stays the noise per RGB channel on average: a channel's variance is σy² + σc²·CHROMA_VARIANCE_IN_RGB.
      const luma = sigma / Math.sqrt(1 + CHROMA_VARIANCE_IN_RGB * params.chromaRatio ** 2);
      const chroma = luma * params.chromaRatio;
      for (let p = 0; p < n; p++) {
        const y = luma * rng.normal();
        const cb = chroma * rng.normal();
        const cr = chroma * rng.normal();
        for (let c = 0; c < 3; c++) out[p * 3 + c] += y + CB_TO_RGB[c] * cb + CR_TO_RGB[c] * cr;
      }
      break;
    }
    case 'correlated': {
      const noise = correlatedNoise(image.width, image.height, params.grain, rng);
      for (let i = 0; i < out.length; i++) out[i] += sigma * noise[i];
      break;
    }
  }
  return createImage(image.width, image.height, out);
}

/** Shot noise as the family says: per channel, with read noise added, or on the luminance only. */
export function applyPoissonNoise(image: RgbImage, params: DegradationParams<'poisson_noise'>, rng: Rng): RgbImage {
  switch (params.family) {
    case 'rgb':
      return poissonNoise(image, params.peak, rng);
    case 'poisson-gaussian':
      return addGaussianNoise(poissonNoise(image, params.peak, rng), params.readNoise, rng);
    case 'luma': {
      // The noise of the BT.601 luma, added to each channel alike.
      const n = image.width * image.height;
      const src = image.data;
      const luma = createImage(image.width, image.height);
      for (let p = 0; p < n; p++) {
        const y = 0.299 * src[p * 3] + 0.587 * src[p * 3 + 1] + 0.114 * src[p * 3 + 2];
        luma.data[p * 3] = luma.data[p * 3 + 1] = luma.data[p * 3 + 2] = y;
      }
      const noisy = poissonNoiseOfChannel(luma, 0, params.peak, rng);
      const out = new Float32Array(src);
      for (let p = 0; p < n; p++) {
        const e = noisy[p] - luma.data[p * 3];
        for (let c = 0; c < 3; c++) out[p * 3 + c] += e;
      }
      return createImage(image.width, image.height, out);
    }
  }
}

/** One channel's values through Poisson(x·peak)/peak (see {@link poissonNoise}), as a plane. */
function poissonNoiseOfChannel(image: RgbImage, channel: number, peak: number, rng: Rng): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(n);
  const cdfs = new Map<number, Float64Array>();
  for (let p = 0; p < n; p++) out[p] = poissonValue(image.data[p * 3 + channel], peak, cdfs, rng);
  return out;
}

function poissonValue(x: number, peak: number, cdfByMean: Map<number, Float64Array>, rng: Rng): number {
  const mean = x * peak;
  if (!(mean > 0)) return 0; // Poisson(0) is 0 (and negative inputs carry no light)
  let cdf = cdfByMean.get(mean);
  if (!cdf) {
    cdf = poissonCdf(mean);
    cdfByMean.set(mean, cdf);
  }
  return sampleFromCdf(cdf, rng.next()) / peak;
}

/**
 * Poisson(x·peak)/peak per pixel and channel: shot noise of a sensor that counts `peak` photons at white.
 * Sampled by inverting the exact Poisson CDF with one uniform per value. Images are usually 8-bit, so
 * there are at most 256 distinct means; each CDF is built once per call and reused.
 */
export function poissonNoise(image: RgbImage, peak: number, rng: Rng): RgbImage {
  const src = image.data;
  const out = new Float32Array(src.length);
  const cdfByMean = new Map<number, Float64Array>();
  for (let i = 0; i < src.length; i++) out[i] = poissonValue(src[i], peak, cdfByMean, rng);
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

/** Impulses: with probability `amount`, a pixel location (all channels together) or each channel apart turns white or black. */
export function applySaltPepper(image: RgbImage, params: DegradationParams<'salt_pepper'>, rng: Rng): RgbImage {
  const out = new Float32Array(image.data);
  const n = image.width * image.height;
  const impulse = () => (rng.next() < params.saltFraction ? 1 : 0);
  for (let p = 0; p < n; p++) {
    if (params.family === 'location') {
      if (rng.next() < params.amount) out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = impulse();
    } else {
      for (let c = 0; c < 3; c++) if (rng.next() < params.amount) out[p * 3 + c] = impulse();
    }
  }
  return createImage(image.width, image.height, out);
}
