/**
 * Full-reference image quality metrics with the conventions of SR/restoration papers (BasicSR):
 * PSNR on RGB or on the Y channel of BT.601 YCbCr, and SSIM (Wang et al. 2004) with an 11×11
 * Gaussian window (σ = 1.5) over the valid region only. Images are float RGB in [0, 1].
 *
 * All sums run in float64: PSNR near 40–50 dB and SSIM near 1 would otherwise lose digits.
 */
import type { RgbImage } from './image.ts';

export interface PsnrOptions {
  /** Pixels to ignore on every border (BasicSR's `crop_border`, usually the SR scale). Default 0. */
  crop?: number;
  /** Peak signal value; images are in [0, 1], so this is 1. */
  maxValue?: 1;
}

export interface SsimOptions {
  /** 'rgb' averages the SSIM of the three channels; 'y' uses the BT.601 luma. Default 'rgb'. */
  channel?: 'rgb' | 'y';
  /** Pixels to ignore on every border. Default 0. */
  crop?: number;
}

/** SSIM constants for a data range L = 1. */
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;
export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;

/**
 * Luma Y of BT.601 YCbCr in [16/255, 235/255], as MATLAB's and BasicSR's `rgb2ycbcr` for inputs in
 * [0, 1]. Not the full-range JPEG luma (0.299, 0.587, 0.114): papers report PSNR-Y with this one.
 */
export function rgbToY(r: number, g: number, b: number): number {
  return (16 + 65.481 * r + 128.553 * g + 24.966 * b) / 255;
}

/** Mean squared error over all RGB values, after cropping `crop` pixels from every border. */
export function mse(a: RgbImage, b: RgbImage, options: { crop?: number } = {}): number {
  const region = checkedRegion(a, b, options.crop, 1, 'mse');
  let sum = 0;
  for (let y = region.y0; y < region.y1; y++) {
    const start = (y * a.width + region.x0) * 3;
    const end = (y * a.width + region.x1) * 3;
    for (let i = start; i < end; i++) {
      const d = a.data[i] - b.data[i];
      sum += d * d;
    }
  }
  return sum / (region.width * region.height * 3);
}

/** MSE of the BT.601 Y channel (see {@link rgbToY}). */
export function mseY(a: RgbImage, b: RgbImage, options: { crop?: number } = {}): number {
  const region = checkedRegion(a, b, options.crop, 1, 'mseY');
  const da = a.data;
  const db = b.data;
  let sum = 0;
  for (let y = region.y0; y < region.y1; y++) {
    for (let x = region.x0; x < region.x1; x++) {
      const i = (y * a.width + x) * 3;
      const d = rgbToY(da[i], da[i + 1], da[i + 2]) - rgbToY(db[i], db[i + 1], db[i + 2]);
      sum += d * d;
    }
  }
  return sum / (region.width * region.height);
}

/** PSNR in dB over all RGB values; identical images give Infinity. */
export function psnr(a: RgbImage, b: RgbImage, options: PsnrOptions = {}): number {
  return psnrFromMse(mse(a, b, options), options.maxValue ?? 1);
}

/** PSNR in dB on the BT.601 Y channel, the usual convention of SR papers. */
export function psnrY(a: RgbImage, b: RgbImage, options: PsnrOptions = {}): number {
  return psnrFromMse(mseY(a, b, options), options.maxValue ?? 1);
}

export function psnrFromMse(meanSquaredError: number, maxValue = 1): number {
  if (meanSquaredError === 0) return Infinity;
  return 10 * Math.log10((maxValue * maxValue) / meanSquaredError);
}

/**
 * Mean SSIM. Matches BasicSR's `calculate_ssim` and skimage's `structural_similarity(...,
 * gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1)`: local statistics
 * come from an 11×11 Gaussian window, and only windows fully inside the (cropped) image count.
 * The cropped image must therefore be at least 11×11.
 */
export function ssim(a: RgbImage, b: RgbImage, options: SsimOptions = {}): number {
  const channel = options.channel ?? 'rgb';
  if (channel !== 'rgb' && channel !== 'y') throw new RangeError(`ssim channel must be 'rgb' or 'y', got ${String(channel)}`);
  const region = checkedRegion(a, b, options.crop, SSIM_WINDOW, 'ssim');
  if (channel === 'y') {
    return ssimPlane(lumaRowReader(a, region), lumaRowReader(b, region), region.width, region.height);
  }
  let total = 0;
  for (let c = 0; c < 3; c++) {
    total += ssimPlane(channelRowReader(a, region, c), channelRowReader(b, region, c), region.width, region.height);
  }
  return total / 3;
}

/** The normalised 1-D Gaussian of the SSIM window (cv2.getGaussianKernel(11, 1.5)). */
export function ssimGaussianKernel(size = SSIM_WINDOW, sigma = SSIM_SIGMA): Float64Array {
  const kernel = new Float64Array(size);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    kernel[i] = Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma));
    sum += kernel[i];
  }
  for (let i = 0; i < size; i++) kernel[i] /= sum;
  return kernel;
}

interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  width: number;
  height: number;
}

function checkedRegion(a: RgbImage, b: RgbImage, crop = 0, minSize: number, metric: string): Region {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`${metric}: image sizes differ (${a.width}×${a.height} vs ${b.width}×${b.height})`);
  }
  if (!Number.isInteger(crop) || crop < 0) {
    throw new RangeError(`${metric}: crop must be a non-negative integer, got ${crop}`);
  }
  const width = a.width - 2 * crop;
  const height = a.height - 2 * crop;
  if (width < minSize || height < minSize) {
    throw new RangeError(
      `${metric}: a ${a.width}×${a.height} image cropped by ${crop} leaves ${Math.max(width, 0)}×${Math.max(height, 0)}, ` +
        `but at least ${minSize}×${minSize} is needed`,
    );
  }
  return { x0: crop, y0: crop, x1: crop + width, y1: crop + height, width, height };
}

/** Fills `out` with row `row` (relative to the region) of one channel. */
type RowReader = (row: number, out: Float64Array) => void;

function channelRowReader(image: RgbImage, region: Region, channel: number): RowReader {
  return (row, out) => {
    let i = ((region.y0 + row) * image.width + region.x0) * 3 + channel;
    for (let x = 0; x < region.width; x++, i += 3) out[x] = image.data[i];
  };
}

function lumaRowReader(image: RgbImage, region: Region): RowReader {
  const d = image.data;
  return (row, out) => {
    let i = ((region.y0 + row) * image.width + region.x0) * 3;
    for (let x = 0; x < region.width; x++, i += 3) out[x] = rgbToY(d[i], d[i + 1], d[i + 2]);
  };
}

/**
 * Mean SSIM of one channel. The Gaussian is separable, so each row is filtered horizontally once
 * into a ring of the last 11 rows, and each output row is the vertical combination of that ring.
 * Memory is O(width), which keeps multi-megapixel images affordable in a browser worker.
 */
function ssimPlane(readA: RowReader, readB: RowReader, width: number, height: number): number {
  const n = SSIM_WINDOW;
  const g = ssimGaussianKernel();
  const c1 = SSIM_K1 ** 2;
  const c2 = SSIM_K2 ** 2;
  const outWidth = width - n + 1;
  const outHeight = height - n + 1;

  const rowA = new Float64Array(width);
  const rowB = new Float64Array(width);
  // Horizontal responses of a, b, a², b², ab for the last n rows; slot = row % n.
  const ring = Array.from({ length: 5 }, () => new Float64Array(n * outWidth));
  const [hA, hB, hAA, hBB, hAB] = ring;

  let sum = 0;
  for (let row = 0; row < height; row++) {
    readA(row, rowA);
    readB(row, rowB);
    const base = (row % n) * outWidth;
    for (let x = 0; x < outWidth; x++) {
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let k = 0; k < n; k++) {
        const va = rowA[x + k];
        const vb = rowB[x + k];
        const w = g[k];
        sa += w * va;
        sb += w * vb;
        saa += w * va * va;
        sbb += w * vb * vb;
        sab += w * va * vb;
      }
      hA[base + x] = sa;
      hB[base + x] = sb;
      hAA[base + x] = saa;
      hBB[base + x] = sbb;
      hAB[base + x] = sab;
    }
    if (row < n - 1) continue;

    // Window rows row-n+1 .. row are complete: combine them vertically.
    const first = row - n + 1;
    for (let x = 0; x < outWidth; x++) {
      let muA = 0, muB = 0, eAA = 0, eBB = 0, eAB = 0;
      for (let k = 0; k < n; k++) {
        const j = ((first + k) % n) * outWidth + x;
        const w = g[k];
        muA += w * hA[j];
        muB += w * hB[j];
        eAA += w * hAA[j];
        eBB += w * hBB[j];
        eAB += w * hAB[j];
      }
      // Population (biased) moments, as BasicSR and skimage with use_sample_covariance=False.
      const varA = eAA - muA * muA;
      const varB = eBB - muB * muB;
      const cov = eAB - muA * muB;
      sum += ((2 * muA * muB + c1) * (2 * cov + c2)) / ((muA * muA + muB * muB + c1) * (varA + varB + c2));
    }
  }
  return sum / (outWidth * outHeight);
}
