import { convolve, diskKernel } from '../degradations/index';
import { createImage, quantize8, type RgbImage } from '../image';
import type { Rng } from '../random';

/**
 * A clean photo with a shallow depth of field: a sharp subject (an ellipse with a soft edge) in
 * front of a background blurred by a lens-like disk. The router must call this clean, not blurred,
 * so its training photos include such scenes (half of them also degraded afterwards, as a user's
 * portrait would be). Ranges in one place:
 */
export const BOKEH_RANGES = {
  /** Disk radius of the background blur, px (the defocus degradation uses 2–8 over the whole frame). */
  radius: [2, 10],
  /** Subject ellipse radii as a share of the frame's width and height. */
  subject: [0.18, 0.45],
  /** Width of the soft transition from subject to background, px. */
  feather: [3, 12],
} as const;

export function syntheticBokeh(image: RgbImage, rng: Rng): RgbImage {
  const { width, height } = image;
  const radius = rng.uniform(...BOKEH_RANGES.radius);
  const background = convolve(image, diskKernel(radius), 'reflect');
  const cx = rng.uniform(0.25, 0.75) * width, cy = rng.uniform(0.25, 0.75) * height;
  const rx = rng.uniform(...BOKEH_RANGES.subject) * width, ry = rng.uniform(...BOKEH_RANGES.subject) * height;
  const feather = rng.uniform(...BOKEH_RANGES.feather);
  const out = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Signed distance (approximate, in px) from the ellipse's edge; positive inside.
      const d = (1 - Math.hypot((x - cx) / rx, (y - cy) / ry)) * Math.min(rx, ry);
      const sharp = 1 / (1 + Math.exp(-d / (feather / 4)));
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        out.data[i] = sharp * image.data[i] + (1 - sharp) * background.data[i];
      }
    }
  }
  return quantize8(out);
}
