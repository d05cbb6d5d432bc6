import { createImage, type RgbImage } from '../image.ts';

/**
 * Resize filters. All use half-pixel centres (output pixel i samples source coordinate
 * (i + 0.5)·in/out − 0.5, like cv2.resize, PIL and torch with align_corners=false), and taps that
 * fall outside the image are clamped to the edge (cv2's BORDER_REPLICATE).
 * - `bilinear`: 2 taps per axis, no anti-aliasing when shrinking (like cv2 INTER_LINEAR and torch
 *   antialias=false), so downscales alias a little.
 * - `bicubic`: Keys cubic with a = −0.5 (PIL / Matlab; cv2 uses −0.75), 4 taps per axis, no
 *   anti-aliasing either; it can overshoot [0, 1] near edges and this function does not clip.
 * - `lanczos3`: the windowed sinc sinc(t)·sinc(t/3), 6 taps per axis (PIL's, ImageMagick's and
 *   libvips' Lanczos), weights normalised to sum 1 per output pixel.
 * - `nearest`: the source pixel whose centre is nearest (PIL's NEAREST: floor((i + 0.5)·in/out)).
 * - `area`: exact box integration: each output pixel averages the source pixels it covers, weighted
 *   by overlap. For shrinking this is cv2 INTER_AREA; for enlarging it is a fractional
 *   nearest-neighbour (cv2 switches to a bilinear-like filter there instead).
 *
 * With `antialias`, a shrink widens the bilinear, bicubic or Lanczos filter by the factor (its
 * support scales with in/out), as PIL, ImageMagick and libvips do; without it (the default) the
 * filter keeps its width and a shrink aliases, as cv2 and torch's antialias=false do.
 */
export type ResizeMethod = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos3' | 'area';

export const RESIZE_METHODS: readonly ResizeMethod[] = ['nearest', 'bilinear', 'bicubic', 'lanczos3', 'area'];

export interface ResizeOptions {
  /** Widen the filter by the shrink factor (no effect when enlarging, and on `nearest` and `area`). */
  readonly antialias?: boolean;
}

/** Keys' cubic convolution weight for distance t (a = −0.5). */
export function cubicWeight(t: number, a = -0.5): number {
  const x = Math.abs(t);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Lanczos-3 window weight for distance t. */
export function lanczos3Weight(t: number): number {
  return Math.abs(t) < 3 ? sinc(t) * sinc(t / 3) : 0;
}

/** The interpolating filters by kernel function and support (half-width in source pixels at scale 1). */
const FILTERS = {
  bilinear: { support: 1, weight: (t: number) => Math.max(0, 1 - Math.abs(t)) },
  bicubic: { support: 2, weight: (t: number) => cubicWeight(t) },
  lanczos3: { support: 3, weight: lanczos3Weight },
} as const;

/** Per output coordinate along one axis: which source indices it reads and with what weights. */
interface AxisTaps {
  /** start[i]..start[i + 1] index into `index` and `weight` for output coordinate i. */
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

function axisTaps(inSize: number, outSize: number, method: ResizeMethod, antialias: boolean): AxisTaps {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize + 1);
  const index: number[] = [];
  const weight: number[] = [];
  const clamp = (i: number) => (i < 0 ? 0 : i >= inSize ? inSize - 1 : i);
  for (let o = 0; o < outSize; o++) {
    start[o] = index.length;
    if (method === 'nearest') {
      index.push(clamp(Math.floor((o + 0.5) * scale)));
      weight.push(1);
    } else if (method === 'lanczos3' || (antialias && scale > 1 && method !== 'area')) {
      // The general filter: support and argument stretched by the shrink factor when anti-aliasing.
      const filter = FILTERS[method];
      const stretch = antialias && scale > 1 ? scale : 1;
      const center = (o + 0.5) * scale - 0.5;
      const lo = Math.ceil(center - filter.support * stretch);
      const hi = Math.floor(center + filter.support * stretch);
      const taps: number[] = [];
      let sum = 0;
      for (let j = lo; j <= hi; j++) {
        const w = filter.weight((j - center) / stretch);
        taps.push(w);
        sum += w;
      }
      for (let j = lo; j <= hi; j++) {
        const w = taps[j - lo] / sum;
        if (w === 0) continue;
        index.push(clamp(j));
        weight.push(w);
      }
    } else if (method === 'area') {
      const lo = o * scale;
      const hi = (o + 1) * scale;
      for (let j = Math.floor(lo); j < hi && j < inSize; j++) {
        const overlap = Math.min(hi, j + 1) - Math.max(lo, j);
        if (overlap > 1e-12) {
          index.push(j);
          weight.push(overlap / scale);
        }
      }
    } else {
      const center = (o + 0.5) * scale - 0.5;
      const base = Math.floor(center);
      const frac = center - base;
      if (method === 'bilinear') {
        index.push(clamp(base), clamp(base + 1));
        weight.push(1 - frac, frac);
      } else {
        for (let k = -1; k <= 2; k++) {
          index.push(clamp(base + k));
          weight.push(cubicWeight(frac - k));
        }
      }
    }
  }
  start[outSize] = index.length;
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/** Resizes to exactly width × height with the given filter; works for any scale, up or down. */
export function resize(image: RgbImage, width: number, height: number, method: ResizeMethod, options: ResizeOptions = {}): RgbImage {
  const antialias = options.antialias ?? false;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize target must be positive integers, got ${width}×${height}`);
  }
  if (width === image.width && height === image.height) return createImage(width, height, new Float32Array(image.data));
  const src = image.data;
  const inWidth = image.width;

  // Horizontal pass: inWidth × inHeight → width × inHeight.
  const cols = axisTaps(inWidth, width, method, antialias);
  const mid = new Float32Array(width * image.height * 3);
  for (let y = 0; y < image.height; y++) {
    const srcRow = y * inWidth * 3;
    const midRow = y * width * 3;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = cols.start[x]; t < cols.start[x + 1]; t++) {
        const s = srcRow + cols.index[t] * 3;
        const w = cols.weight[t];
        r += w * src[s];
        g += w * src[s + 1];
        b += w * src[s + 2];
      }
      const o = midRow + x * 3;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
    }
  }

  // Vertical pass: width × inHeight → width × height, whole rows at a time.
  const rows = axisTaps(image.height, height, method, antialias);
  const out = createImage(width, height);
  const dst = out.data;
  const rowLength = width * 3;
  const acc = new Float64Array(rowLength);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let t = rows.start[y]; t < rows.start[y + 1]; t++) {
      const base = rows.index[t] * rowLength;
      const w = rows.weight[t];
      for (let i = 0; i < rowLength; i++) acc[i] += w * mid[base + i];
    }
    dst.set(acc, y * rowLength);
  }
  return out;
}
