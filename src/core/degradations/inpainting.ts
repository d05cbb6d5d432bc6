import { createImage, type RgbImage } from '../image.ts';
import type { Rng } from '../random.ts';
import { DEGRADATION_TABLE, sampleParam, type DegradationParams } from './table.ts';

const geometry = DEGRADATION_TABLE.inpainting.families.strokes.drawnInApply;
const blobGeometry = DEGRADATION_TABLE.inpainting.families.blobs.drawnInApply;

/**
 * Draws `strokes` random polylines of width `thickness` px into a width × height mask (1 = stroke).
 * Each segment is rasterised as a capsule (all pixel centres within thickness/2 of the segment), which
 * gives round caps and joints. Vertices may leave the image; the strokes are simply clipped.
 */
export function drawStrokeMask(width: number, height: number, strokes: number, thickness: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(width * height);
  const shorterSide = Math.min(width, height);
  for (let s = 0; s < strokes; s++) {
    let x = (sampleParam(rng, geometry.start) as number) * width;
    let y = (sampleParam(rng, geometry.start) as number) * height;
    const segments = sampleParam(rng, geometry.segments) as number;
    for (let k = 0; k < segments; k++) {
      const length = (sampleParam(rng, geometry.segmentLength) as number) * shorterSide;
      const direction = ((sampleParam(rng, geometry.direction) as number) * Math.PI) / 180;
      const nx = x + length * Math.cos(direction);
      const ny = y + length * Math.sin(direction);
      fillCapsule(mask, width, height, x, y, nx, ny, thickness / 2);
      x = nx;
      y = ny;
    }
  }
  return mask;
}

/** Sets every pixel whose centre lies within `radius` of segment (ax, ay)–(bx, by). */
function fillCapsule(mask: Uint8Array, width: number, height: number, ax: number, ay: number, bx: number, by: number, radius: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - radius));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + radius));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - radius));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + radius));
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const r2 = radius * radius;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5 - ay;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - ax;
      let t = lengthSquared > 0 ? (px * dx + py * dy) / lengthSquared : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey <= r2) mask[y * width + x] = 1;
    }
  }
}

/**
 * Draws `blobs` irregular blobs into a width × height mask (1 = blob): each an ellipse of mean radius
 * `size` px, its rim r(φ) wobbling by its 2nd and 3rd harmonics; pixel centres inside are set.
 */
export function drawBlobMask(width: number, height: number, blobs: number, size: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(width * height);
  const draw = (spec: (typeof blobGeometry)[keyof typeof blobGeometry]) => sampleParam(rng, spec) as number;
  for (let b = 0; b < blobs; b++) {
    const cx = draw(blobGeometry.centre) * width;
    const cy = draw(blobGeometry.centre) * height;
    const ratio = draw(blobGeometry.axisRatio);
    const angle = (draw(blobGeometry.angle) * Math.PI) / 180;
    const harmonics = [2, 3].map((k) => ({ k, amplitude: draw(blobGeometry.wobble), phase: rng.uniform(0, 2 * Math.PI) }));
    // Major and minor semi-axes with the mean radius `size` (geometric mean).
    const major = size / Math.sqrt(ratio);
    const minor = size * Math.sqrt(ratio);
    const reach = major * (1 + harmonics.reduce((s, h) => s + h.amplitude, 0));
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(height - 1, Math.ceil(cy + reach)); y++) {
      for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(width - 1, Math.ceil(cx + reach)); x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        const u = (dx * cos + dy * sin) / major;
        const v = (-dx * sin + dy * cos) / minor;
        const phi = Math.atan2(v, u);
        const rim = 1 + harmonics.reduce((s, h) => s + h.amplitude * Math.sin(h.k * phi + h.phase), 0);
        if (Math.hypot(u, v) <= rim) mask[y * width + x] = 1;
      }
    }
  }
  return mask;
}

/** Paints the holes' mask white or black (for a binary mask, adding/subtracting 1 then clipping is exactly this). */
export function applyInpainting(image: RgbImage, params: DegradationParams<'inpainting'>, rng: Rng): RgbImage {
  const { width, height } = image;
  const mask =
    params.family === 'strokes'
      ? drawStrokeMask(width, height, params.strokes, params.thickness, rng)
      : drawBlobMask(width, height, params.blobs, params.size, rng);
  const value = params.colour === 'white' ? 1 : 0;
  const out = createImage(width, height, new Float32Array(image.data));
  const d = out.data;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p]) {
      d[p * 3] = value;
      d[p * 3 + 1] = value;
      d[p * 3 + 2] = value;
    }
  }
  return out;
}
