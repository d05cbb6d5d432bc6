import { convolveSeparable, gaussianTaps, resize } from '../degradations/index';
import { applyJpeg } from '../degradations/jpeg';
import { applyGaussianNoise } from '../degradations/noise';
import { cropImage, quantize8, type RgbImage } from '../image';
import type { Rng } from '../random';

/**
 * What an undamaged photo has usually been through before anyone damaged it: a lens's slight
 * softness or a small enlargement, sensor noise, the camera's sharpening, and a JPEG at the quality
 * cameras and websites use. The router's training views go through some of it before their label's
 * damage (or none), so that such a photo reads as clean: without it, the router trained on pristine
 * views found JPEG most likely in 58 of the 96 held-out clean crops once saved at JPEG quality 75, and
 * SR in 67 of them once softened by a σ = 0.6 px blur (campaign/camera-history-study).
 *
 * Every range stays clear of the degradations' own (degradations/table.ts: JPEG quality 10–40,
 * Gaussian blur σ ≥ 2, defocus radius ≥ 2, noise σ ≥ 10 levels), except the enlargement, which is
 * what SR with a scale near 1 also does: the router is meant to find those two alike, and restoring
 * an SR crop that mild gains little. One table, each step drawn on its own:
 */
export const CAMERA_HISTORY = {
  /** Lens softness: a Gaussian blur of this σ, px. */
  soften: { chance: 0.25, sigma: [0.3, 0.8] },
  /** An enlargement by this factor (bicubic), cropped back to the view's size; drawn only when not softened. */
  enlarge: { chance: 0.2, factor: [1.05, 1.3] },
  /** Sensor noise, σ in 8-bit levels. */
  noise: { chance: 0.3, sigma: [0.5, 3] },
  /** Unsharp masking: x + amount·(x − blur_σ(x)). */
  sharpen: { chance: 0.3, amount: [0.2, 1], sigma: [0.5, 1.5] },
  /** A JPEG round trip at this quality. */
  jpeg: { chance: 0.5, quality: [60, 95] },
} as const;

/** The Gaussian blur degradation's separable filter (its kernel is fixed at 15 px), here with a kernel of ±3σ. */
function gaussianBlur(image: RgbImage, sigma: number): RgbImage {
  return convolveSeparable(image, gaussianTaps(2 * Math.ceil(3 * sigma) + 1, sigma), 'reflect');
}

export function soften(image: RgbImage, sigma: number): RgbImage {
  return quantize8(gaussianBlur(image, sigma));
}

/** Enlarged by `factor` (bicubic) about the centre and cropped back to the same size. */
export function enlarge(image: RgbImage, factor: number): RgbImage {
  const w = Math.max(image.width, Math.round(image.width * factor)), h = Math.max(image.height, Math.round(image.height * factor));
  const big = resize(image, w, h, 'bicubic');
  return quantize8(cropImage(big, (w - image.width) >> 1, (h - image.height) >> 1, image.width, image.height));
}

/** The Gaussian noise degradation at a sensor's small σ (8-bit levels), quantised. */
export function sensorNoise(image: RgbImage, sigmaLevels: number, rng: Rng): RgbImage {
  return quantize8(applyGaussianNoise(image, { sigma: sigmaLevels }, rng));
}

export function unsharpMask(image: RgbImage, amount: number, sigma: number): RgbImage {
  const blurred = gaussianBlur(image, sigma);
  return quantize8({ ...image, data: image.data.map((v, i) => v + amount * (v - blurred.data[i])) });
}

/** The view after a random history drawn from CAMERA_HISTORY (in the order a camera applies it). */
export function cameraHistory(image: RgbImage, rng: Rng): RgbImage {
  const h = CAMERA_HISTORY;
  let out = image;
  if (rng.next() < h.soften.chance) out = soften(out, rng.uniform(...h.soften.sigma));
  else if (rng.next() < h.enlarge.chance) out = enlarge(out, rng.uniform(...h.enlarge.factor));
  if (rng.next() < h.noise.chance) out = sensorNoise(out, rng.uniform(...h.noise.sigma), rng);
  if (rng.next() < h.sharpen.chance) out = unsharpMask(out, rng.uniform(...h.sharpen.amount), rng.uniform(...h.sharpen.sigma));
  if (rng.next() < h.jpeg.chance) out = applyJpeg(out, { quality: rng.int(...h.jpeg.quality) });
  return out;
}
