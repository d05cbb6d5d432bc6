/**
 * The learned router's front end: a fixed grid of patches over the photo, and for each patch a
 * short vector of degradation cues (its spectrum's radial profile and anisotropy, noise residual
 * statistics, JPEG blockiness, clipped pixels). The router network (router.onnx) reads the set of
 * patch vectors, so a photo whose subject is sharp in front of a soft background still shows sharp
 * patches, and a blur shows in every patch.
 *
 * Pure TypeScript: the browser worker and the CLI compute the same numbers, and the ONNX model
 * does the rest, so both report the same probabilities.
 */
import type { RgbImage } from '../image';
import { kthSmallest } from '../order-statistics';
import { fft2dPower } from './fft';

/** Patch side in pixels: a power of two for the FFT, a multiple of JPEG's 8-px block. */
export const PATCH_SIZE = 64;
/** Patches per side of the grid; a photo always yields GRID × GRID patches. */
export const GRID = 7;
export const PATCH_COUNT = GRID * GRID;
/** The name stored with a trained router, so that a changed feature definition is caught at load time. */
export const PATCH_FEATURES_VERSION = 'patch-cues-v1';

const RADIAL_BINS = 16;
const ANGLE_BINS = 8;
/** Radial bins merged into the bands whose angular spread is measured (motion blur is directional). */
const ANISOTROPY_BANDS: readonly (readonly [number, number])[] = [[1, 2], [3, 5], [6, 9], [10, 15]];

export const PATCH_FEATURE_NAMES: readonly string[] = [
  'log_energy',
  ...Array.from({ length: RADIAL_BINS }, (_, i) => `radial_${i}`),
  ...ANISOTROPY_BANDS.flatMap((_, i) => [`angular_sd_${i}`, `angular_range_${i}`]),
  'residual_log_mad',
  'residual_log_sd',
  'residual_abs_over_sd',
  'residual_corr_rg',
  'residual_corr_gb',
  'residual_dark_over_bright',
  'impulse_share',
  'white_share',
  'black_share',
  'isolated_extreme_share',
  'blockiness_x',
  'blockiness_y',
  'chroma_over_luma',
  'log_gradient',
  'laplacian_over_gradient',
  'mean_luma',
  'sd_luma',
];
export const PATCH_FEATURE_COUNT = PATCH_FEATURE_NAMES.length;

/**
 * Top-left corners of the GRID × GRID patches: evenly spread over the image, snapped to JPEG's
 * 8-px grid so that the blockiness cues see block boundaries where the codec put them. Images
 * smaller than a patch are padded by reflection first (see patchFeatures).
 */
export function patchCorners(width: number, height: number): [number, number][] {
  const positions = (extent: number) =>
    Array.from({ length: GRID }, (_, i) => {
      const span = Math.floor(Math.max(0, extent - PATCH_SIZE) / 8) * 8;
      return Math.round((span * i) / (GRID - 1) / 8) * 8;
    });
  const xs = positions(width);
  const ys = positions(height);
  return ys.flatMap((y) => xs.map((x): [number, number] => [x, y]));
}

/** Reflect-pads an image to at least PATCH_SIZE on each side (tiny images still get analysed). */
function atLeastPatch(image: RgbImage): RgbImage {
  if (image.width >= PATCH_SIZE && image.height >= PATCH_SIZE) return image;
  const width = Math.max(PATCH_SIZE, image.width);
  const height = Math.max(PATCH_SIZE, image.height);
  const reflect = (i: number, n: number) => {
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    const m = i % period;
    return m < n ? m : period - m;
  };
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = reflect(y, image.height);
    for (let x = 0; x < width; x++) {
      const s = (sy * image.width + reflect(x, image.width)) * 3;
      const d = (y * width + x) * 3;
      data[d] = image.data[s];
      data[d + 1] = image.data[s + 1];
      data[d + 2] = image.data[s + 2];
    }
  }
  return { width, height, data };
}

/** Precomputed per-frequency bin indices and the 2-D Hann window, shared by every patch. */
const layout = (() => {
  const n = PATCH_SIZE;
  const radial = new Int16Array(n * n).fill(-1);
  const angle = new Int16Array(n * n);
  for (let v = 0; v < n; v++) {
    const fv = v < n / 2 ? v : v - n;
    for (let u = 0; u < n; u++) {
      const fu = u < n / 2 ? u : u - n;
      const rho = Math.hypot(fu, fv) / n; // cycles per pixel
      if (rho === 0 || rho > 0.5) continue;
      radial[v * n + u] = Math.min(RADIAL_BINS - 1, Math.floor(rho * 2 * RADIAL_BINS));
      const theta = (Math.atan2(fv, fu) + Math.PI) % Math.PI; // [0, π): a spectrum is point-symmetric
      angle[v * n + u] = Math.min(ANGLE_BINS - 1, Math.floor((theta / Math.PI) * ANGLE_BINS));
    }
  }
  const hann = new Float64Array(n);
  for (let i = 0; i < n; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return { radial, angle, hann };
})();

/** Work buffers reused by every patch (the analysis is synchronous, so one set serves all calls). */
const scratch = (() => {
  const plane = PATCH_SIZE * PATCH_SIZE, inner = (PATCH_SIZE - 2) ** 2;
  const make = (n: number) => new Float64Array(n);
  return {
    r: make(plane), g: make(plane), b: make(plane), luma: make(plane), windowed: make(plane), extreme: new Uint8Array(plane),
    resY: make(inner), resR: make(inner), resG: make(inner), resB: make(inner), absY: make(inner),
    dark: make(inner), bright: make(inner), median: make(inner),
  };
})();

const LOG_EPS = 1e-10;
const log = (x: number) => Math.log(x + LOG_EPS);

function correlation(a: Float64Array, b: Float64Array): number {
  let sa = 0, sb = 0, sab = 0;
  for (let i = 0; i < a.length; i++) {
    sa += a[i] * a[i];
    sb += b[i] * b[i];
    sab += a[i] * b[i];
  }
  return sa > 0 && sb > 0 ? sab / Math.sqrt(sa * sb) : 0;
}

/** Median of values[0..n), the mean of the two middle values when n is even; rearranges a scratch copy. */
function median(values: Float64Array, n = values.length): number {
  if (n === 0) return 0;
  const copy = scratch.median.subarray(0, n);
  copy.set(values.subarray(0, n));
  const upper = kthSmallest(copy, n, n >> 1);
  if (n % 2) return upper;
  // The largest value left of the upper middle is the lower middle.
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (copy[i] > lower) lower = copy[i];
  return (lower + upper) / 2;
}

/** The cues of one PATCH_SIZE² patch whose top-left corner is (x0, y0); writes PATCH_FEATURE_COUNT values at out[offset]. */
function patchCues(image: RgbImage, x0: number, y0: number, out: Float32Array, offset: number): void {
  const n = PATCH_SIZE;
  const { width, data } = image;
  const { r, g, b, luma, extreme } = scratch;
  let white = 0, black = 0, lumaSum = 0, lumaSquares = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const s = ((y0 + y) * width + x0 + x) * 3;
      const i = y * n + x;
      r[i] = data[s];
      g[i] = data[s + 1];
      b[i] = data[s + 2];
      luma[i] = 0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i];
      lumaSum += luma[i];
      lumaSquares += luma[i] * luma[i];
      const isWhite = r[i] >= 254.5 / 255 && g[i] >= 254.5 / 255 && b[i] >= 254.5 / 255;
      const isBlack = !isWhite && r[i] <= 0.5 / 255 && g[i] <= 0.5 / 255 && b[i] <= 0.5 / 255;
      if (isWhite) white++;
      if (isBlack) black++;
      extreme[i] = isWhite || isBlack ? 1 : 0;
    }
  }
  const pixels = n * n;
  const meanLuma = lumaSum / pixels;
  const sdLuma = Math.sqrt(Math.max(0, lumaSquares / pixels - meanLuma * meanLuma));

  // Spectrum of the windowed, mean-removed luminance.
  const re = scratch.windowed;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) re[y * n + x] = (luma[y * n + x] - meanLuma) * layout.hann[x] * layout.hann[y];
  const power = fft2dPower(re, n);
  const ringSum = new Float64Array(RADIAL_BINS), ringCount = new Float64Array(RADIAL_BINS);
  const cellSum = new Float64Array(RADIAL_BINS * ANGLE_BINS), cellCount = new Float64Array(RADIAL_BINS * ANGLE_BINS);
  let energy = 0;
  for (let i = 0; i < pixels; i++) {
    const ring = layout.radial[i];
    if (ring < 0) continue;
    ringSum[ring] += power[i];
    ringCount[ring]++;
    cellSum[ring * ANGLE_BINS + layout.angle[i]] += power[i];
    cellCount[ring * ANGLE_BINS + layout.angle[i]]++;
    energy += power[i];
  }
  const logEnergy = log(energy / pixels);
  let k = offset;
  out[k++] = logEnergy;
  // The radial profile relative to the patch's own energy: the shape, whatever the contrast.
  for (let ring = 0; ring < RADIAL_BINS; ring++) out[k++] = log(ringSum[ring] / ringCount[ring] / pixels) - logEnergy;
  for (const [from, to] of ANISOTROPY_BANDS) {
    const perAngle: number[] = [];
    for (let a = 0; a < ANGLE_BINS; a++) {
      let s = 0, c = 0;
      for (let ring = from; ring <= to; ring++) {
        s += cellSum[ring * ANGLE_BINS + a];
        c += cellCount[ring * ANGLE_BINS + a];
      }
      perAngle.push(log(c ? s / c / pixels : 0));
    }
    const m = perAngle.reduce((p, q) => p + q, 0) / ANGLE_BINS;
    out[k++] = Math.sqrt(perAngle.reduce((p, q) => p + (q - m) ** 2, 0) / ANGLE_BINS);
    out[k++] = Math.max(...perAngle) - Math.min(...perAngle);
  }

  // Residuals from the 3×3 mean, on the interior, per channel and for luminance.
  const inner = n - 2;
  const residual = (plane: Float64Array, res: Float64Array) => {
    for (let y = 1; y < n - 1; y++) {
      for (let x = 1; x < n - 1; x++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += plane[(y + dy) * n + x + dx];
        res[(y - 1) * inner + x - 1] = plane[y * n + x] - s / 9;
      }
    }
    return res;
  };
  const resY = residual(luma, scratch.resY), resR = residual(r, scratch.resR), resG = residual(g, scratch.resG), resB = residual(b, scratch.resB);
  const absY = scratch.absY;
  for (let i = 0; i < absY.length; i++) absY[i] = Math.abs(resY[i]);
  let sumAbs = 0, sumSquares = 0, impulses = 0, isolatedExtremes = 0;
  for (let i = 0; i < absY.length; i++) {
    sumAbs += absY[i];
    sumSquares += resY[i] * resY[i];
    if (absY[i] > 0.25) impulses++;
  }
  const sdResidual = Math.sqrt(sumSquares / absY.length);
  const { dark, bright } = scratch;
  let nDark = 0, nBright = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x, j = (y - 1) * inner + x - 1;
      if (luma[i] < meanLuma) dark[nDark++] = absY[j];
      else bright[nBright++] = absY[j];
      if (extreme[i] && absY[j] > 0.25) isolatedExtremes++;
    }
  }
  out[k++] = log(median(absY));
  out[k++] = log(sdResidual);
  out[k++] = sdResidual > 0 ? sumAbs / absY.length / sdResidual : 0;
  out[k++] = correlation(resR, resG);
  out[k++] = correlation(resG, resB);
  out[k++] = nDark && nBright ? log(median(dark, nDark)) - log(median(bright, nBright)) : 0;
  out[k++] = impulses / absY.length;
  out[k++] = white / pixels;
  out[k++] = black / pixels;
  out[k++] = isolatedExtremes / absY.length;

  // JPEG blockiness: steps across the 8-px block boundaries against steps inside the blocks.
  // Patch corners are multiples of 8, so phase 7 → 0 is a boundary of the image's block grid.
  let acrossX = 0, withinX = 0, acrossY = 0, withinY = 0, nAcross = 0, nWithin = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n - 1; x++) {
      const stepX = Math.abs(luma[y * n + x + 1] - luma[y * n + x]);
      const stepY = Math.abs(luma[(x + 1) * n + y] - luma[x * n + y]);
      if (x % 8 === 7) {
        acrossX += stepX;
        acrossY += stepY;
        nAcross++;
      } else {
        withinX += stepX;
        withinY += stepY;
        nWithin++;
      }
    }
  }
  out[k++] = log(acrossX / nAcross + 1e-4) - log(withinX / nWithin + 1e-4);
  out[k++] = log(acrossY / nAcross + 1e-4) - log(withinY / nWithin + 1e-4);

  // Chroma detail against luminance detail (JPEG subsamples chroma; channel noise adds chroma detail).
  let chroma = 0;
  for (let i = 0; i < resR.length; i++) {
    const cb = -0.168736 * resR[i] - 0.331264 * resG[i] + 0.5 * resB[i];
    const cr = 0.5 * resR[i] - 0.418688 * resG[i] - 0.081312 * resB[i];
    chroma += cb * cb + cr * cr;
  }
  out[k++] = log(chroma / resR.length) - log(sumSquares / resY.length);

  // Edge sharpness: gradient energy, and Laplacian energy relative to it.
  let gradient = 0, laplacian = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const gx = (luma[i + 1] - luma[i - 1]) / 2, gy = (luma[i + n] - luma[i - n]) / 2;
      const lap = luma[i + 1] + luma[i - 1] + luma[i + n] + luma[i - n] - 4 * luma[i];
      gradient += gx * gx + gy * gy;
      laplacian += lap * lap;
    }
  }
  out[k++] = log(gradient / resY.length);
  out[k++] = log(laplacian / resY.length) - log(gradient / resY.length);
  out[k++] = meanLuma;
  out[k++] = sdLuma;
  if (k - offset !== PATCH_FEATURE_COUNT) throw new Error(`patch cues wrote ${k - offset} values, expected ${PATCH_FEATURE_COUNT}`);
}

/**
 * The router's input for one photo: PATCH_COUNT × PATCH_FEATURE_COUNT values, row-major (one row
 * per patch, grid order).
 */
export function patchFeatures(image: RgbImage): Float32Array {
  const padded = atLeastPatch(image);
  const corners = patchCorners(padded.width, padded.height);
  const out = new Float32Array(PATCH_COUNT * PATCH_FEATURE_COUNT);
  corners.forEach(([x, y], i) => patchCues(padded, x, y, out, i * PATCH_FEATURE_COUNT));
  return out;
}
