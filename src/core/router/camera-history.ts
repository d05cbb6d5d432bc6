import { convolveSeparable, gaussianTaps, resize } from '../degradations/index';
import { jpegRoundTrip } from '../degradations/jpeg';
import { addGaussianNoise } from '../degradations/noise';
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
 * The softening, the noise and the sharpening stay clear of the degradations' own ranges
 * (degradations/table.ts: Gaussian blur σ ≥ 1.5, defocus radius ≥ 2, noise σ ≥ 10 levels). Two
 * overlap on purpose. The enlargement is what a mild SR also does, and the JPEG class reaches up to
 * quality 95, drawn log-uniformly so that four in five of its saves are below 60 where a camera's
 * are 60–95: at high quality the router is meant to find the two alike, and restoring such a photo
 * gains little. One table, each step drawn on its own:
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
  /** A JPEG round trip at this quality, its chroma halved each way (as cameras and most websites save) in this share. */
  jpeg: { chance: 0.5, quality: [60, 95], subsampled: 0.7 },
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
  return quantize8(addGaussianNoise(image, sigmaLevels, rng));
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
  if (rng.next() < h.jpeg.chance) out = jpegRoundTrip(out, rng.int(...h.jpeg.quality), rng.next() < h.jpeg.subsampled ? '4:2:0' : '4:4:4');
  return out;
}
