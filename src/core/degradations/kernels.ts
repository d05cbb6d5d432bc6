/**
 * Square, odd-sized convolution kernels for the blur-type degradations. Every builder returns a
 * kernel normalised to sum 1 (so a flat image stays flat) with the centre tap at (radius, radius).
 * Weights are float64: they are summed in many orders and the sum-to-1 property is tested at 1e-6.
 */
export interface Kernel {
  /** Side length, always odd. */
  readonly size: number;
  /** size × size weights, row-major; tap (dx, dy) relative to the centre is at (dy + r) * size + (dx + r). */
  readonly weights: Float64Array;
}

export function kernelRadius(kernel: Kernel): number {
  return (kernel.size - 1) / 2;
}

function assertOddSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) {
    throw new RangeError(`kernel size must be a positive odd integer, got ${size}`);
  }
}

/** Divides by the sum so the weights add to 1. */
function normalised(size: number, weights: Float64Array): Kernel {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i];
  if (!(sum > 0)) throw new RangeError('kernel weights sum to zero or less; cannot normalise');
  for (let i = 0; i < weights.length; i++) weights[i] /= sum;
  return { size, weights };
}

/** n×n mean filter (the R-L point spread function). */
export function boxKernel(size: number): Kernel {
  assertOddSize(size);
  return normalised(size, new Float64Array(size * size).fill(1));
}

/**
 * 1-D Gaussian taps exp(−x² / 2σ²), normalised. The isotropic 2-D kernel is exactly their outer
 * product, so the blur runs as two 1-D passes.
 */
export function gaussianTaps(size: number, sigma: number): Float64Array {
  assertOddSize(size);
  if (!(sigma > 0)) throw new RangeError(`Gaussian sigma must be > 0, got ${sigma}`);
  const r = (size - 1) / 2;
  const taps = new Float64Array(size);
  let sum = 0;
  for (let x = -r; x <= r; x++) sum += taps[x + r] = Math.exp(-(x * x) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) taps[i] /= sum;
  return taps;
}

/** Isotropic Gaussian exp(−(x² + y²) / 2σ²) sampled on a size×size grid (BasicSR's isotropic kernel). */
export function gaussianKernel(size: number, sigma: number): Kernel {
  assertOddSize(size);
  if (!(sigma > 0)) throw new RangeError(`Gaussian sigma must be > 0, got ${sigma}`);
  const r = (size - 1) / 2;
  const weights = new Float64Array(size * size);
  const inv2s2 = 1 / (2 * sigma * sigma);
  for (let y = -r; y <= r; y++) {
    for (let x = -r; x <= r; x++) weights[(y + r) * size + (x + r)] = Math.exp(-(x * x + y * y) * inv2s2);
  }
  return normalised(size, weights);
}

/**
 * Linear motion blur: a line through the centre, `radius` pixels each way, at `angleDeg` (counter-
 * clockwise from +x, image y pointing down), with Gaussian weights exp(−t²/2σ²) along the line.
 * The line is sampled every 1/4 px and each sample is splatted bilinearly, so non-axis angles give
 * an anti-aliased line rather than a jagged one. Size is 2·radius + 1.
 */
export function motionKernel(radius: number, sigma: number, angleDeg: number): Kernel {
  if (!Number.isInteger(radius) || radius < 1) throw new RangeError(`motion radius must be an integer ≥ 1, got ${radius}`);
  if (!(sigma > 0)) throw new RangeError(`motion sigma must be > 0, got ${sigma}`);
  const size = 2 * radius + 1;
  const weights = new Float64Array(size * size);
  const theta = (angleDeg * Math.PI) / 180;
  const ux = Math.cos(theta);
  const uy = -Math.sin(theta);
  const inv2s2 = 1 / (2 * sigma * sigma);
  const stepsPerPixel = 4;
  for (let i = -radius * stepsPerPixel; i <= radius * stepsPerPixel; i++) {
    const t = i / stepsPerPixel;
    const w = Math.exp(-t * t * inv2s2);
    // Position in kernel coordinates; |t| ≤ radius keeps it inside [0, size − 1].
    const px = radius + t * ux;
    const py = radius + t * uy;
    const x0 = Math.floor(px);
    const y0 = Math.floor(py);
    const fx = px - x0;
    const fy = py - y0;
    splat(weights, size, x0, y0, w * (1 - fx) * (1 - fy));
    splat(weights, size, x0 + 1, y0, w * fx * (1 - fy));
    splat(weights, size, x0, y0 + 1, w * (1 - fx) * fy);
    splat(weights, size, x0 + 1, y0 + 1, w * fx * fy);
  }
  return normalised(size, weights);
}

function splat(weights: Float64Array, size: number, x: number, y: number, w: number): void {
  if (w === 0 || x < 0 || y < 0 || x >= size || y >= size) return;
  weights[y * size + x] += w;
}

/**
 * Defocus (pillbox) kernel: a uniform disk of continuous `radius`, each tap weighted by the fraction
 * of its pixel square inside the circle (8×8 supersampling), so radius 2.0 and 2.4 differ smoothly.
 * Size is 2·ceil(radius) + 1.
 */
export function diskKernel(radius: number): Kernel {
  if (!(radius > 0)) throw new RangeError(`disk radius must be > 0, got ${radius}`);
  const r = Math.ceil(radius);
  const size = 2 * r + 1;
  const weights = new Float64Array(size * size);
  const sub = 8;
  const r2 = radius * radius;
  for (let y = -r; y <= r; y++) {
    for (let x = -r; x <= r; x++) {
      let inside = 0;
      for (let sy = 0; sy < sub; sy++) {
        const py = y - 0.5 + (sy + 0.5) / sub;
        for (let sx = 0; sx < sub; sx++) {
          const px = x - 0.5 + (sx + 0.5) / sub;
          if (px * px + py * py <= r2) inside++;
        }
      }
      weights[(y + r) * size + (x + r)] = inside / (sub * sub);
    }
  }
  return normalised(size, weights);
}

/**
 * 2-D sinc ("circular low-pass") kernel as Real-ESRGAN's circular_lowpass_kernel: the ideal
 * low-pass filter with cut-off ω_c, k(r) = ω_c·J1(ω_c·r) / (2π·r) with the limit ω_c²/(4π) at the
 * centre, normalised, then zero-padded to `padTo`. Its negative lobes produce ringing at edges.
 */
export function circularLowpassKernel(cutoff: number, size: number, padTo = size): Kernel {
  assertOddSize(size);
  assertOddSize(padTo);
  if (padTo < size) throw new RangeError(`padTo (${padTo}) must be ≥ kernel size (${size})`);
  if (!(cutoff > 0)) throw new RangeError(`cut-off must be > 0, got ${cutoff}`);
  const r = (size - 1) / 2;
  const core = new Float64Array(size * size);
  for (let y = -r; y <= r; y++) {
    for (let x = -r; x <= r; x++) {
      const dist = Math.hypot(x, y);
      core[(y + r) * size + (x + r)] =
        dist === 0 ? (cutoff * cutoff) / (4 * Math.PI) : (cutoff * besselJ1(cutoff * dist)) / (2 * Math.PI * dist);
    }
  }
  const { weights: normalisedCore } = normalised(size, core);
  const offset = (padTo - size) / 2;
  const weights = new Float64Array(padTo * padTo);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) weights[(y + offset) * padTo + (x + offset)] = normalisedCore[y * size + x];
  }
  return { size: padTo, weights };
}

/**
 * Bessel function of the first kind, order 1 (Numerical Recipes `bessj1` rational / asymptotic
 * approximations; absolute error below about 1e-8, plenty for a kernel that is normalised anyway).
 */
export function besselJ1(x: number): number {
  const ax = Math.abs(x);
  if (ax < 8) {
    const y = x * x;
    const num =
      x * (72362614232.0 + y * (-7895059235.0 + y * (242396853.1 + y * (-2972611.439 + y * (15704.4826 + y * -30.16036606)))));
    const den = 144725228442.0 + y * (2300535178.0 + y * (18583304.74 + y * (99447.43394 + y * (376.9991397 + y))));
    return num / den;
  }
  const z = 8 / ax;
  const y = z * z;
  const xx = ax - 2.356194491; // ax − 3π/4
  const p = 1 + y * (0.183105e-2 + y * (-0.3516396496e-4 + y * (0.2457520174e-5 + y * -0.240337019e-6)));
  const q = 0.04687499995 + y * (-0.2002690873e-3 + y * (0.8449199096e-5 + y * (-0.88228987e-6 + y * 0.105787412e-6)));
  const ans = Math.sqrt(0.636619772 / ax) * (Math.cos(xx) * p - z * Math.sin(xx) * q);
  return x < 0 ? -ans : ans;
}

export function kernelSum(kernel: Kernel): number {
  let sum = 0;
  for (let i = 0; i < kernel.weights.length; i++) sum += kernel.weights[i];
  return sum;
}
