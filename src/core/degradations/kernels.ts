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
  const theta = (angleDeg * Math.PI) / 180;
  const ux = Math.cos(theta);
  const uy = -Math.sin(theta);
  const inv2s2 = 1 / (2 * sigma * sigma);
  const stepsPerPixel = 4;
  const points: [number, number, number][] = [];
  // |t| ≤ radius keeps every sample inside the kernel.
  for (let i = -radius * stepsPerPixel; i <= radius * stepsPerPixel; i++) {
    const t = i / stepsPerPixel;
    points.push([t * ux, t * uy, Math.exp(-t * t * inv2s2)]);
  }
  return splatPath(radius, points);
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
 * Elliptic Gaussian exp(−½ xᵀΣ⁻¹x) with σ `sigmaMajor` along the axis at `angleDeg` and
 * σ·`axisRatio` across it (BasicSR's anisotropic kernel), on a size×size grid.
 */
export function anisotropicGaussianKernel(size: number, sigmaMajor: number, axisRatio: number, angleDeg: number): Kernel {
  assertOddSize(size);
  if (!(sigmaMajor > 0) || !(axisRatio > 0 && axisRatio <= 1)) {
    throw new RangeError(`anisotropic Gaussian needs σ > 0 and an axis ratio in (0, 1], got ${sigmaMajor}, ${axisRatio}`);
  }
  const r = (size - 1) / 2;
  const theta = (angleDeg * Math.PI) / 180;
  const c = Math.cos(theta);
  const s = -Math.sin(theta); // image y points down
  const a = 1 / (sigmaMajor * sigmaMajor);
  const b = 1 / (sigmaMajor * axisRatio) ** 2;
  const weights = new Float64Array(size * size);
  for (let y = -r; y <= r; y++) {
    for (let x = -r; x <= r; x++) {
      const along = x * c + y * s;
      const across = -x * s + y * c;
      weights[(y + r) * size + (x + r)] = Math.exp(-0.5 * (along * along * a + across * across * b));
    }
  }
  return normalised(size, weights);
}

/** Isotropic generalized Gaussian exp(−½ (r²/σ²)^β) (BasicSR's generalized kernel; β = 1 is the Gaussian). */
export function generalizedGaussianKernel(size: number, sigma: number, beta: number): Kernel {
  assertOddSize(size);
  if (!(sigma > 0) || !(beta > 0)) throw new RangeError(`generalized Gaussian needs σ > 0 and β > 0, got ${sigma}, ${beta}`);
  const r = (size - 1) / 2;
  const weights = new Float64Array(size * size);
  for (let y = -r; y <= r; y++) {
    for (let x = -r; x <= r; x++) weights[(y + r) * size + (x + r)] = Math.exp(-0.5 * ((x * x + y * y) / (sigma * sigma)) ** beta);
  }
  return normalised(size, weights);
}

/** Splats points (kernel coordinates relative to the centre tap) with the given weights into a kernel of side 2·radius + 1. */
function splatPath(radius: number, points: readonly (readonly [number, number, number])[]): Kernel {
  const size = 2 * radius + 1;
  const weights = new Float64Array(size * size);
  for (const [dx, dy, w] of points) {
    const px = radius + dx;
    const py = radius + dy;
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

/**
 * A one-sided motion trail (ImageMagick's -motion-blur): from the centre tap `length` px towards
 * `angleDeg`, weights exp(−t²/2σ²) falling from the centre. Its mass is off-centre, so the blurred
 * image also shifts, as with that tool. Size is 2·length + 1.
 */
export function trailKernel(length: number, sigma: number, angleDeg: number): Kernel {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`trail length must be an integer ≥ 1, got ${length}`);
  if (!(sigma > 0)) throw new RangeError(`trail sigma must be > 0, got ${sigma}`);
  const theta = (angleDeg * Math.PI) / 180;
  const points: [number, number, number][] = [];
  for (let i = 0; i <= length * 4; i++) {
    const t = i / 4;
    points.push([t * Math.cos(theta), -t * Math.sin(theta), Math.exp(-(t * t) / (2 * sigma * sigma))]);
  }
  return splatPath(length, points);
}

/** A camera-shake trajectory's shape parameters (Boracchi & Foi 2012, their createTrajectory). */
export interface ShakeTrajectory {
  /** Path length, px. */
  readonly length: number;
  /** How much the direction wanders (their "anxiety"). */
  readonly anxiety: number;
  /** First direction of motion, degrees. */
  readonly direction: number;
  /** Pull back towards the start. */
  readonly centripetal: number;
  /** Weight of the random acceleration. */
  readonly gaussianTerm: number;
  /** Chance of a sudden jerk per step, times the anxiety. */
  readonly jerkRate: number;
  readonly steps: number;
  /** A trajectory reaching further from its centroid is shrunk to fit; the kernel side is then ≤ 2·maxRadius + 1. */
  readonly maxRadius: number;
}

/**
 * A camera-shake kernel: Boracchi & Foi's random trajectory (constant speed; each step adds a
 * random acceleration, a pull back to the start and, now and then, a jerk that reverses the
 * motion), exposed uniformly along its whole path, centred on its centroid. `normal` and `uniform`
 * draw the trajectory's randomness (a seeded stream in the degradation).
 */
export function shakeKernel(t: ShakeTrajectory, uniform: () => number, normal: () => number): Kernel {
  if (!(t.length > 0) || !Number.isInteger(t.steps) || t.steps < 2) throw new RangeError('a shake trajectory needs a length > 0 and at least 2 steps');
  const stepLength = t.length / (t.steps - 1);
  const theta = (t.direction * Math.PI) / 180;
  let vx = Math.cos(theta) * stepLength;
  let vy = Math.sin(theta) * stepLength;
  let x = 0;
  let y = 0;
  const xs = [0];
  const ys = [0];
  for (let i = 0; i < t.steps - 1; i++) {
    let dvx = 0;
    let dvy = 0;
    if (uniform() < t.jerkRate * t.anxiety) {
      // A jerk: twice the velocity, turned back by about 180°.
      const turn = Math.PI + (uniform() - 0.5);
      dvx = 2 * (vx * Math.cos(turn) - vy * Math.sin(turn));
      dvy = 2 * (vx * Math.sin(turn) + vy * Math.cos(turn));
    }
    dvx += t.anxiety * (t.gaussianTerm * normal() - t.centripetal * x) * stepLength;
    dvy += t.anxiety * (t.gaussianTerm * normal() - t.centripetal * y) * stepLength;
    vx += dvx;
    vy += dvy;
    const speed = Math.hypot(vx, vy) || 1;
    vx = (vx / speed) * stepLength;
    vy = (vy / speed) * stepLength;
    x += vx;
    y += vy;
    xs.push(x);
    ys.push(y);
  }
  const cx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const cy = ys.reduce((a, b) => a + b, 0) / ys.length;
  let reach = 0;
  for (let i = 0; i < xs.length; i++) reach = Math.max(reach, Math.abs(xs[i] - cx), Math.abs(ys[i] - cy));
  const shrink = reach > t.maxRadius - 1 ? (t.maxRadius - 1) / reach : 1;
  const radius = Math.max(1, Math.ceil(reach * shrink) + 1);
  return splatPath(radius, xs.map((px, i) => [(px - cx) * shrink, (ys[i] - cy) * shrink, 1] as const));
}

/**
 * A lens's disk of confusion: radius `radius`, brightness 1 + a·(2(r/R)² − 1) across it (spherical
 * aberration; a = 0 is uniform), its rim fading linearly from R − rim to R + rim (8×8 supersampling
 * per tap). With rim = 0 and a = 0 it is {@link diskKernel}. Size is 2·ceil(R + rim) + 1.
 */
export function lensKernel(radius: number, rim: number, aberration: number): Kernel {
  if (!(radius > 0) || !(rim >= 0) || !(Math.abs(aberration) < 1)) {
    throw new RangeError(`lens kernel needs radius > 0, rim ≥ 0 and |aberration| < 1, got ${radius}, ${rim}, ${aberration}`);
  }
  if (rim === 0 && aberration === 0) return diskKernel(radius);
  const r = Math.ceil(radius + rim);
  const size = 2 * r + 1;
  const weights = new Float64Array(size * size);
  const sub = 8;
  for (let y = -r; y <= r; y++) {
    for (let x = -r; x <= r; x++) {
      let sum = 0;
      for (let sy = 0; sy < sub; sy++) {
        const py = y - 0.5 + (sy + 0.5) / sub;
        for (let sx = 0; sx < sub; sx++) {
          const px = x - 0.5 + (sx + 0.5) / sub;
          const d = Math.hypot(px, py);
          const inside = rim > 0 ? Math.min(1, Math.max(0, (radius + rim - d) / (2 * rim))) : d <= radius ? 1 : 0;
          if (inside > 0) sum += inside * (1 + aberration * (2 * Math.min(1, (d / radius) ** 2) - 1));
        }
      }
      weights[(y + r) * size + (x + r)] = sum / (sub * sub);
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
