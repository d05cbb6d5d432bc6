import { createImage, type RgbImage } from '../image.ts';
import { kernelRadius, type Kernel } from './kernels.ts';

/**
 * How pixels outside the image are made up, named as in numpy.pad:
 * - `reflect`: mirror without repeating the edge (… c b | a b c … ) — cv2's default
 *   BORDER_REFLECT_101, which cv2.filter2D (used by BasicSR / Real-ESRGAN) applies.
 * - `edge`: repeat the edge pixel.
 * - `zero`: zeros.
 * - `linear_ramp`: a linear ramp from the edge value down to 0, reaching 0 at the outermost padded
 *   pixel: at distance d = 1…pad outside the edge the value is edge·(1 − d/pad). Rows are padded
 *   first, then columns, so corners get the product of both ramps (exactly numpy's
 *   `np.pad(x, pad, 'linear_ramp')`, whose end value defaults to 0).
 */
export type PaddingMode = 'reflect' | 'edge' | 'zero' | 'linear_ramp';

/** numpy 'reflect' index for any i (folds repeatedly, so a pad wider than the image still works). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/** For each padded coordinate along one axis: the source index and the weight it is multiplied by. */
function axisMap(n: number, pad: number, mode: PaddingMode): { index: Int32Array; weight: Float64Array } {
  const index = new Int32Array(n + 2 * pad);
  const weight = new Float64Array(n + 2 * pad);
  for (let p = 0; p < index.length; p++) {
    const i = p - pad;
    const inside = i >= 0 && i < n;
    const clamped = i < 0 ? 0 : i >= n ? n - 1 : i;
    const distance = i < 0 ? -i : i >= n ? i - n + 1 : 0;
    switch (mode) {
      case 'reflect':
        index[p] = reflectIndex(i, n);
        weight[p] = 1;
        break;
      case 'edge':
        index[p] = clamped;
        weight[p] = 1;
        break;
      case 'zero':
        index[p] = clamped;
        weight[p] = inside ? 1 : 0;
        break;
      case 'linear_ramp':
        index[p] = clamped;
        weight[p] = 1 - distance / pad;
        break;
    }
  }
  return { index, weight };
}

/** The image grown by `pad` pixels on every side. */
export function padImage(image: RgbImage, pad: number, mode: PaddingMode): RgbImage {
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`pad must be a non-negative integer, got ${pad}`);
  const { width, height, data } = image;
  const cols = axisMap(width, pad, mode);
  const rows = axisMap(height, pad, mode);
  const outWidth = width + 2 * pad;
  const out = createImage(outWidth, height + 2 * pad);
  const dst = out.data;
  for (let py = 0; py < out.height; py++) {
    const srcRow = rows.index[py] * width * 3;
    const wy = rows.weight[py];
    let o = py * outWidth * 3;
    for (let px = 0; px < outWidth; px++, o += 3) {
      const s = srcRow + cols.index[px] * 3;
      const w = wy * cols.weight[px];
      dst[o] = data[s] * w;
      dst[o + 1] = data[s + 1] * w;
      dst[o + 2] = data[s + 2] * w;
    }
  }
  return out;
}

/**
 * 'Valid' 2-D correlation (cv2.filter2D orientation: tap (dx, dy) reads input pixel (x + dx, y + dy)):
 * the output is (width − size + 1) × (height − size + 1). Every kernel in this folder is point-
 * symmetric, so correlation and convolution coincide. Zero taps are skipped, which makes sparse
 * kernels (motion lines, padded sinc, disks) cheap. Sums are accumulated in float64.
 */
export function correlateValid(image: RgbImage, kernel: Kernel): RgbImage {
  const { size, weights } = kernel;
  const outWidth = image.width - size + 1;
  const outHeight = image.height - size + 1;
  if (outWidth < 1 || outHeight < 1) {
    throw new RangeError(`a ${size}×${size} kernel does not fit in a ${image.width}×${image.height} image`);
  }
  const tapOffsets: number[] = [];
  const tapWeights: number[] = [];
  for (let dy = 0; dy < size; dy++) {
    for (let dx = 0; dx < size; dx++) {
      const w = weights[dy * size + dx];
      if (w !== 0) {
        tapOffsets.push((dy * image.width + dx) * 3);
        tapWeights.push(w);
      }
    }
  }
  const src = image.data;
  const out = createImage(outWidth, outHeight);
  const dst = out.data;
  const rowLength = outWidth * 3;
  const acc = new Float64Array(rowLength);
  for (let y = 0; y < outHeight; y++) {
    acc.fill(0);
    const rowStart = y * image.width * 3;
    for (let t = 0; t < tapOffsets.length; t++) {
      const w = tapWeights[t];
      const base = rowStart + tapOffsets[t];
      for (let i = 0; i < rowLength; i++) acc[i] += w * src[base + i];
    }
    dst.set(acc, y * rowLength);
  }
  return out;
}

/**
 * Same-size filtering with a separable kernel taps ⊗ taps (odd length, already normalised): one
 * horizontal and one vertical pass, 2n instead of n² multiplies per value. Same padding semantics.
 */
export function convolveSeparable(image: RgbImage, taps: Float64Array, padding: PaddingMode = 'reflect'): RgbImage {
  const n = taps.length;
  if (n % 2 === 0) throw new RangeError(`separable kernel length must be odd, got ${n}`);
  const r = (n - 1) / 2;
  const padded = padImage(image, r, padding);
  const { width, height } = image;
  const paddedWidth = padded.width;
  const src = padded.data;

  // Horizontal pass over all padded rows: (width + 2r) × (height + 2r) → width × (height + 2r).
  const rowLength = width * 3;
  const mid = new Float32Array(rowLength * padded.height);
  const acc = new Float64Array(rowLength);
  for (let y = 0; y < padded.height; y++) {
    acc.fill(0);
    const rowStart = y * paddedWidth * 3;
    for (let t = 0; t < n; t++) {
      const w = taps[t];
      const base = rowStart + t * 3;
      for (let i = 0; i < rowLength; i++) acc[i] += w * src[base + i];
    }
    mid.set(acc, y * rowLength);
  }

  // Vertical pass: width × (height + 2r) → width × height.
  const out = createImage(width, height);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let t = 0; t < n; t++) {
      const w = taps[t];
      const base = (y + t) * rowLength;
      for (let i = 0; i < rowLength; i++) acc[i] += w * mid[base + i];
    }
    out.data.set(acc, y * rowLength);
  }
  return out;
}

/** Same-size filtering: pad by the kernel radius with `padding`, then correlate. */
export function convolve(image: RgbImage, kernel: Kernel, padding: PaddingMode = 'reflect'): RgbImage {
  return correlateValid(padImage(image, kernelRadius(kernel), padding), kernel);
}
