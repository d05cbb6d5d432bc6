import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImage, quantize8, toRgb8, toRgba8, type RgbImage } from '../image.ts';
import { createRng } from '../random.ts';
import { jpegRoundTrip } from './jpeg.ts';
import { decodeJpeg, encodeJpeg } from './jpeg-codec.ts';
import {
  anisotropicGaussianKernel,
  diskKernel,
  gaussianKernel,
  gaussianTaps,
  generalizedGaussianKernel,
  kernelSum,
  lensKernel,
  shakeKernel,
  trailKernel,
  type Kernel,
} from './kernels.ts';
import { DEGRADATIONS } from './registry.ts';
import { lanczos3Weight, resize } from './resize.ts';
import { DEGRADATION_TABLE } from './table.ts';
import { generateTestScene } from './test-scenes.ts';

// Each family of each degradation against an independent reference: a kernel's sum, support and
// moments, a codec that is not ours (libjpeg-turbo and libvips through sharp), noise statistics.

const scene = generateTestScene({ width: 96, height: 80, seed: 4 });

function psnr(a: RgbImage, b: RgbImage): number {
  let squared = 0;
  for (let i = 0; i < a.data.length; i++) squared += (a.data[i] - b.data[i]) ** 2;
  return 10 * Math.log10(a.data.length / squared);
}

/** Centroid and second central moments of a kernel, in (x right, y down) tap coordinates from the centre tap. */
function moments(k: Kernel) {
  const r = (k.size - 1) / 2;
  let mx = 0, my = 0;
  for (let y = 0; y < k.size; y++) for (let x = 0; x < k.size; x++) (mx += (x - r) * k.weights[y * k.size + x]), (my += (y - r) * k.weights[y * k.size + x]);
  let xx = 0, yy = 0, xy = 0;
  for (let y = 0; y < k.size; y++) {
    for (let x = 0; x < k.size; x++) {
      const w = k.weights[y * k.size + x];
      xx += w * (x - r - mx) ** 2;
      yy += w * (y - r - my) ** 2;
      xy += w * (x - r - mx) * (y - r - my);
    }
  }
  return { mx, my, xx, yy, xy };
}

describe('blur kernels of the families', () => {
  it('anisotropic Gaussian: sums to 1 and has the covariance R·diag(σ², (ρσ)²)·Rᵀ', () => {
    const [sigma, ratio, angle] = [2, 0.5, 30];
    const k = anisotropicGaussianKernel(21, sigma, ratio, angle);
    expect(kernelSum(k)).toBeCloseTo(1, 9);
    const m = moments(k);
    const t = (angle * Math.PI) / 180;
    const [ux, uy] = [Math.cos(t), -Math.sin(t)]; // image y points down
    const a = sigma ** 2, b = (ratio * sigma) ** 2;
    expect(m.xx).toBeCloseTo(a * ux * ux + b * uy * uy, 2);
    expect(m.yy).toBeCloseTo(a * uy * uy + b * ux * ux, 2);
    expect(m.xy).toBeCloseTo((a - b) * ux * uy, 2);
    expect(Math.hypot(m.mx, m.my)).toBeLessThan(1e-9);
    // Ratio 1 is the isotropic Gaussian.
    const iso = anisotropicGaussianKernel(21, 3, 1, 70).weights;
    gaussianKernel(21, 3).weights.forEach((w, i) => expect(iso[i]).toBeCloseTo(w, 12));
  });

  it('generalized Gaussian: β = 1 is the Gaussian; β > 1 is flatter at the top than β < 1', () => {
    const g = generalizedGaussianKernel(21, 2.5, 1).weights;
    gaussianKernel(21, 2.5).weights.forEach((w, i) => expect(g[i]).toBeCloseTo(w, 12));
    const centre = (k: Kernel) => k.weights[10 * 21 + 10] / k.weights[10 * 21 + 11];
    expect(centre(generalizedGaussianKernel(21, 2.5, 4))).toBeLessThan(centre(generalizedGaussianKernel(21, 2.5, 0.5)));
  });

  it('trail: one-sided, along its angle, weights falling away from the centre tap', () => {
    const k = trailKernel(12, 6, 0);
    expect(kernelSum(k)).toBeCloseTo(1, 9);
    const r = 12;
    const row = Array.from({ length: 25 }, (_, x) => k.weights[r * 25 + x]);
    // Nothing behind the pixel or off the line; past the first tap (which gathers only half the samples
    // around it, those at t ≥ 0) the weights fall along +x.
    expect(row.slice(0, r).every((w) => w === 0)).toBe(true);
    expect(kernelSum(k) - row.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    for (let x = r + 1; x < 24; x++) expect(row[x + 1]).toBeLessThan(row[x]);
    // At 90° it points up (image y down): the centroid moves to negative y.
    const up = moments(trailKernel(10, 5, 90));
    expect(up.my).toBeLessThan(-2);
    expect(Math.abs(up.mx)).toBeLessThan(1e-9);
  });

  it('shake: sums to 1, centred on its centroid (the splat keeps the first moment), within 41 px, reproducible', () => {
    const geometry = DEGRADATION_TABLE.motion_blur.families.shake.drawnInApply;
    for (let seed = 0; seed < 20; seed++) {
      const rng = createRng(seed);
      const t = {
        length: rng.uniform(8, 40), anxiety: rng.uniform(0.005, 0.1), direction: rng.uniform(0, 360), centripetal: rng.uniform(0, 0.7),
        gaussianTerm: rng.uniform(0, 10), jerkRate: rng.uniform(0, 0.2), steps: geometry.steps.value, maxRadius: geometry.maxRadius.value,
      };
      const a = createRng(seed + 100), b = createRng(seed + 100);
      const k = shakeKernel(t, () => a.next(), () => a.normal());
      expect(Array.from(shakeKernel(t, () => b.next(), () => b.normal()).weights)).toEqual(Array.from(k.weights));
      expect(kernelSum(k)).toBeCloseTo(1, 9);
      expect(k.size).toBeLessThanOrEqual(41);
      const m = moments(k);
      expect(Math.hypot(m.mx, m.my)).toBeLessThan(1e-9);
      // A path of length L spreads a point: its kernel's spread is at most that of a straight line of length L.
      expect(m.xx + m.yy).toBeLessThanOrEqual(t.length ** 2 / 12 + 0.5);
      expect(m.xx + m.yy).toBeGreaterThan(0.1);
    }
  });

  it('lens: rim 0 and no aberration is the disk; a soft rim reaches past the radius; the aberration moves the brightness', () => {
    expect(Array.from(lensKernel(3.4, 0, 0).weights)).toEqual(Array.from(diskKernel(3.4).weights));
    const soft = lensKernel(3, 1, 0);
    expect(kernelSum(soft)).toBeCloseTo(1, 9);
    expect(soft.size).toBe(9);
    expect(soft.weights[4 * 9 + 8]).toBeGreaterThan(0); // 4 px from the centre, inside radius + rim
    expect(diskKernel(3).size).toBe(7);
    const rimToCentre = (a: number) => {
      const k = lensKernel(6, 0.5, a);
      const r = (k.size - 1) / 2;
      return k.weights[r * k.size + r + 5] / k.weights[r * k.size + r];
    };
    expect(rimToCentre(0.6)).toBeGreaterThan(2);
    expect(rimToCentre(-0.6)).toBeLessThan(0.5);
    expect(rimToCentre(0)).toBeCloseTo(1, 9);
  });

  it('every family of the three blurs keeps a flat image flat', () => {
    const flat = quantize8(createImage(40, 40, new Float32Array(40 * 40 * 3).fill(0.4)));
    for (const id of ['gaussian_blur', 'motion_blur', 'defocus_blur'] as const) {
      const seen = new Set<string>();
      for (let seed = 0; seed < 30; seed++) {
        const rng = createRng(seed);
        const params = DEGRADATIONS[id].sampleParams(rng);
        seen.add(params.family);
        const out = DEGRADATIONS[id].apply(flat, params as never, rng);
        expect(out.data.every((v) => Math.abs(v - flat.data[0]) < 1e-6)).toBe(true);
      }
      expect(seen.size).toBe(Object.keys(DEGRADATION_TABLE[id].families).length);
    }
  });
});

describe('resize filters of the SR families', () => {
  it('nearest picks the source pixel whose centre is nearest (brute force)', () => {
    const out = resize(scene, 37, 29, 'nearest');
    for (let y = 0; y < 29; y++) {
      for (let x = 0; x < 37; x++) {
        const sx = Math.floor(((x + 0.5) * 96) / 37);
        const sy = Math.floor(((y + 0.5) * 80) / 29);
        for (let c = 0; c < 3; c++) expect(out.data[(y * 37 + x) * 3 + c]).toBe(scene.data[(sy * 96 + sx) * 3 + c]);
      }
    }
  });

  it('Lanczos-3 is sinc(t)·sinc(t/3), interpolating, and keeps a flat image flat', () => {
    expect(lanczos3Weight(0)).toBe(1);
    for (const t of [1, 2, -1, 3]) expect(Math.abs(lanczos3Weight(t))).toBeLessThan(1e-12);
    const t = 0.4;
    expect(lanczos3Weight(t)).toBeCloseTo((Math.sin(Math.PI * t) / (Math.PI * t)) * (Math.sin((Math.PI * t) / 3) / ((Math.PI * t) / 3)), 12);
    const flat = createImage(30, 20, new Float32Array(30 * 20 * 3).fill(0.3));
    for (const antialias of [false, true]) for (const v of resize(flat, 11, 7, 'lanczos3', { antialias }).data) expect(v).toBeCloseTo(0.3, 6);
  });

  it("anti-aliased shrinks agree with libvips' (sharp) Lanczos-3 and bicubic", async () => {
    const big = generateTestScene({ width: 192, height: 160, seed: 2 });
    const raw = Buffer.from(toRgb8(big));
    for (const [method, kernel] of [['lanczos3', 'lanczos3'], ['bicubic', 'cubic']] as const) {
      const ours = resize(big, 64, 40, method, { antialias: true });
      const { data } = await sharp(raw, { raw: { width: 192, height: 160, channels: 3 } })
        .resize(64, 40, { kernel, fit: 'fill' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const theirs = createImage(64, 40, Float32Array.from(data, (v) => v / 255));
      const aliased = resize(big, 64, 40, method);
      expect(psnr(quantize8(ours), theirs)).toBeGreaterThan(35);
      // The reference is the widened filter's: ours without anti-aliasing is further from it.
      expect(psnr(quantize8(ours), theirs)).toBeGreaterThan(psnr(quantize8(aliased), theirs) + 3);
    }
  });
});

describe('JPEG families', () => {
  const rgba = new Uint8Array(toRgba8(scene).buffer);

  it('4:2:0 is a valid JPEG with 2×2 luma sampling that libjpeg-turbo decodes close to its own 4:2:0 save', async () => {
    for (const quality of [15, 50, 90]) {
      const bytes = encodeJpeg(rgba, 96, 80, quality, '4:2:0');
      const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
      expect(bytes[sof + 11]).toBe(0x22); // component 1 (Y): H = V = 2
      expect([bytes[sof + 14], bytes[sof + 17]]).toEqual([0x11, 0x11]);
      const decode = async (b: Uint8Array) => {
        const { data, info } = await sharp(b).raw().toBuffer({ resolveWithObject: true });
        return createImage(info.width, info.height, Float32Array.from(data, (v) => v / 255));
      };
      const oursByLibjpeg = await decode(bytes);
      const libjpeg = await decode(
        await sharp(Buffer.from(toRgb8(scene)), { raw: { width: 96, height: 80, channels: 3 } })
          .jpeg({ quality, chromaSubsampling: '4:2:0' })
          .toBuffer(),
      );
      // Same tables and sampling, other DCT rounding: the two saves nearly agree, far closer than either is to the photo.
      expect(psnr(oursByLibjpeg, libjpeg)).toBeGreaterThan(psnr(libjpeg, scene) + 8);
      // jpeg-js repeats the chroma where libjpeg interpolates it; the luma is the same.
      expect(psnr(fromRgbBytes(decodeJpeg(bytes).rgb), oursByLibjpeg)).toBeGreaterThan(30);
    }
  });

  it('4:2:0 loses colour detail that 4:4:4 keeps', () => {
    const chromaError = (image: RgbImage) => {
      let e = 0;
      for (let p = 0; p < 96 * 80; p++) {
        const [r, g, b] = [0, 1, 2].map((c) => image.data[p * 3 + c] - scene.data[p * 3 + c]);
        e += (b - (0.299 * r + 0.587 * g + 0.114 * b)) ** 2 + (r - (0.299 * r + 0.587 * g + 0.114 * b)) ** 2;
      }
      return e;
    };
    expect(chromaError(jpegRoundTrip(scene, 90, '4:2:0'))).toBeGreaterThan(2 * chromaError(jpegRoundTrip(scene, 90, '4:4:4')));
  });

  it('a second save moves the grid by the shift and keeps the cropped border of the first', () => {
    const once = jpegRoundTrip(scene, 40, '4:2:0');
    const twice = DEGRADATIONS.jpeg.apply(scene, { family: 'twice', quality: 40, chroma: '4:2:0', secondQuality: 30, gridShift: 3 }, createRng(0));
    for (let x = 0; x < 96; x++) for (const y of [0, 1, 2]) for (let c = 0; c < 3; c++) expect(twice.data[(y * 96 + x) * 3 + c]).toBe(quantize8(once).data[(y * 96 + x) * 3 + c]);
    const inner = (im: RgbImage) => createImage(93, 77, Float32Array.from({ length: 93 * 77 * 3 }, (_, i) => im.data[((Math.floor(i / 279) + 3) * 96 + 3) * 3 + (i % 279)]));
    expect(psnr(inner(twice), inner(scene))).toBeLessThan(psnr(inner(once), inner(scene)));
    // Saving again at the same quality on the same grid changes little.
    const again = DEGRADATIONS.jpeg.apply(scene, { family: 'twice', quality: 40, chroma: '4:4:4', secondQuality: 40, gridShift: 0 }, createRng(0));
    expect(psnr(again, quantize8(jpegRoundTrip(scene, 40, '4:4:4')))).toBeGreaterThan(38);
  });
});

function fromRgbBytes(rgb: Uint8Array): RgbImage {
  return createImage(96, 80, Float32Array.from(rgb, (v) => v / 255));
}

describe('noise families', () => {
  const grey = quantize8(createImage(160, 160, new Float32Array(160 * 160 * 3).fill(0.5)));
  const residualOf = (image: RgbImage) => image.data.map((v, i) => (v - grey.data[i]) * 255);
  const std = (values: ArrayLike<number>) => {
    let s = 0, s2 = 0;
    for (let i = 0; i < values.length; i++) (s += values[i]), (s2 += values[i] ** 2);
    return Math.sqrt(s2 / values.length - (s / values.length) ** 2);
  };
  const channel = (r: Float32Array, c: number) => r.filter((_, i) => i % 3 === c);

  it('grey: the same draw on the three channels, of the drawn σ', () => {
    const r = residualOf(DEGRADATIONS.gaussian_noise.apply(grey, { family: 'grey', sigma: 20 }, createRng(1)));
    for (let p = 0; p < r.length; p += 3) expect(r[p]).toBe(r[p + 2]);
    expect(std(r)).toBeGreaterThan(19.4);
    expect(std(r)).toBeLessThan(20.6);
  });

  it('luma-chroma: σ per RGB channel on average, and chroma σ ÷ luma σ as drawn', () => {
    for (const chromaRatio of [0.5, 1.8]) {
      const r = residualOf(DEGRADATIONS.gaussian_noise.apply(grey, { family: 'luma-chroma', sigma: 20, chromaRatio }, createRng(2)));
      const meanVariance = [0, 1, 2].reduce((s, c) => s + std(channel(r, c)) ** 2, 0) / 3;
      expect(Math.sqrt(meanVariance)).toBeGreaterThan(19.3);
      expect(Math.sqrt(meanVariance)).toBeLessThan(20.7);
      // Back to YCbCr (BT.601): the drawn ratio comes back.
      const y = [], cb = [];
      for (let p = 0; p < r.length; p += 3) {
        y.push(0.299 * r[p] + 0.587 * r[p + 1] + 0.114 * r[p + 2]);
        cb.push(-0.168736 * r[p] - 0.331264 * r[p + 1] + 0.5 * r[p + 2]);
      }
      expect(std(cb) / std(y)).toBeCloseTo(chromaRatio, 1);
    }
  });

  it('correlated: σ per value, and the lag-1 correlation of white noise through its taps, Σtᵢtᵢ₊₁ / Σtᵢ²', () => {
    for (const grain of [0.5, 1.1]) {
      const r = residualOf(DEGRADATIONS.gaussian_noise.apply(grey, { family: 'correlated', sigma: 20, grain }, createRng(3)));
      expect(std(r)).toBeGreaterThan(18.8);
      expect(std(r)).toBeLessThan(21.2);
      let products = 0, n = 0;
      for (let y = 0; y < 160; y++) for (let x = 0; x < 159; x++) (products += r[(y * 160 + x) * 3] * r[(y * 160 + x + 1) * 3]), n++;
      const taps = gaussianTaps(2 * Math.ceil(3 * grain) + 1, grain);
      let lagged = 0, energy = 0;
      taps.forEach((t, i) => ((energy += t * t), (lagged += t * (taps[i + 1] ?? 0))));
      expect(products / n / std(r) ** 2).toBeCloseTo(lagged / energy, 1);
    }
  });

  it('Poisson–Gaussian: variance x/peak plus the read noise²', () => {
    const image = DEGRADATIONS.poisson_noise.apply(grey, { family: 'poisson-gaussian', peak: 60, readNoise: 5 }, createRng(4));
    const variance = std(residualOf(image)) ** 2 / 255 ** 2;
    const expected = 0.5 / 60 + (5 / 255) ** 2;
    expect(variance / expected).toBeGreaterThan(0.95);
    expect(variance / expected).toBeLessThan(1.05);
  });

  it('luma Poisson: one draw on the luminance, added to the three channels alike, variance y/peak', () => {
    const r = residualOf(DEGRADATIONS.poisson_noise.apply(grey, { family: 'luma', peak: 80 }, createRng(5)));
    for (let p = 0; p < r.length; p += 3) expect(Math.abs(r[p] - r[p + 1])).toBeLessThan(1e-3);
    const variance = std(channel(r, 0)) ** 2 / 255 ** 2;
    expect(variance / (0.5 / 80)).toBeGreaterThan(0.94);
    expect(variance / (0.5 / 80)).toBeLessThan(1.06);
  });
});
