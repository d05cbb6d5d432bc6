/**
 * Radix-2 FFT for the router's patch spectra. Square real inputs only, side a power of two: that is
 * all patch-features.ts needs, and at 64² it is a few hundred microseconds per patch.
 */

/** In-place iterative Cooley–Tukey FFT of one complex sequence of length n (a power of two). */
function fft1d(re: Float64Array, im: Float64Array, cos: Float64Array, sin: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const stride = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const c = cos[k * stride], s = sin[k * stride];
        const a = start + k, b = a + half;
        const tr = re[b] * c + im[b] * s;
        const ti = im[b] * c - re[b] * s;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/** Twiddle factors and work buffers per size (the transform is synchronous, so one set per size serves every call). */
const twiddles = new Map<number, { cos: Float64Array; sin: Float64Array; re: Float64Array; im: Float64Array; rowRe: Float64Array; rowIm: Float64Array }>();
function twiddlesFor(n: number) {
  let t = twiddles.get(n);
  if (!t) {
    t = { cos: new Float64Array(n / 2), sin: new Float64Array(n / 2), re: new Float64Array(n * n), im: new Float64Array(n * n), rowRe: new Float64Array(n), rowIm: new Float64Array(n) };
    for (let k = 0; k < n / 2; k++) {
      t.cos[k] = Math.cos((2 * Math.PI * k) / n);
      t.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    twiddles.set(n, t);
  }
  return t;
}

/**
 * |DFT|² of a real n×n array (row-major), with the DFT's sign convention e^{-2πi(ux+vy)/n};
 * entry v·n + u is frequency (u, v), unnormalised.
 */
export function fft2dPower(values: Float64Array, n: number): Float64Array {
  if (n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, got ${n}`);
  if (values.length !== n * n) throw new RangeError(`expected ${n * n} values for a ${n}×${n} FFT, got ${values.length}`);
  const { cos, sin, re, im, rowRe, rowIm } = twiddlesFor(n);
  re.set(values);
  for (let y = 0; y < n; y++) {
    rowRe.set(re.subarray(y * n, y * n + n));
    rowIm.fill(0);
    fft1d(rowRe, rowIm, cos, sin);
    re.set(rowRe, y * n);
    im.set(rowIm, y * n);
  }
  const power = new Float64Array(n * n);
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) {
      rowRe[y] = re[y * n + x];
      rowIm[y] = im[y * n + x];
    }
    fft1d(rowRe, rowIm, cos, sin);
    for (let y = 0; y < n; y++) power[y * n + x] = rowRe[y] * rowRe[y] + rowIm[y] * rowIm[y];
  }
  return power;
}
