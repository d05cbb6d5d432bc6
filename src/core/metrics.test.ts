import { describe, expect, it } from 'vitest';
import { createImage, type RgbImage } from './image.ts';
import { mse, mseY, psnr, psnrY, rgbToY, ssim } from './metrics.ts';
import { createRng } from './random.ts';

/** Builds an image from a per-value function f(x, y, c). */
function imageFrom(width: number, height: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const image = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) image.data[(y * width + x) * 3 + c] = f(x, y, c);
    }
  }
  return image;
}

const constant = (width: number, height: number, value: number) => imageFrom(width, height, () => value);

function withNoise(image: RgbImage, sigma: number, seed: number): RgbImage {
  const rng = createRng(seed);
  return createImage(image.width, image.height, image.data.map((v) => v + sigma * rng.normal()));
}

/** A smooth, textured test image (not constant, so SSIM has structure to compare). */
const textured = (width: number, height: number) =>
  imageFrom(width, height, (x, y, c) => 0.5 + 0.3 * Math.sin(0.7 * x + 0.4 * c) * Math.cos(0.5 * y - 0.2 * c));

describe('mse / psnr', () => {
  it('matches a hand-computed 2×2 example', () => {
    const a = constant(2, 2, 0);
    // 12 values; squared errors: 0.1² ×4, 0.2² ×4, 0 ×4 → MSE = (0.04 + 0.16) / 12.
    const b = imageFrom(2, 2, (x, y, c) => (c === 2 ? 0 : c === 0 ? 0.1 : 0.2));
    const expectedMse = (4 * 0.01 + 4 * 0.04) / 12;
    expect(mse(a, b)).toBeCloseTo(expectedMse, 8);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(1 / expectedMse), 5);
  });

  it('matches a hand-computed 4×4 example with one wrong pixel', () => {
    const a = constant(4, 4, 0.5);
    const b = constant(4, 4, 0.5);
    b.data.set([1, 0, 0.5], (2 * 4 + 1) * 3); // pixel (1, 2): errors 0.5, 0.5, 0
    const expectedMse = (0.25 + 0.25) / 48;
    expect(mse(a, b)).toBeCloseTo(expectedMse, 10);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(48 / 0.5), 5); // 19.823 dB
  });

  it('gives Infinity for identical images', () => {
    const a = textured(9, 7);
    expect(mse(a, a)).toBe(0);
    expect(psnr(a, a)).toBe(Infinity);
    expect(psnrY(a, a)).toBe(Infinity);
  });

  it('gives −10·log10(c²) for a constant offset c', () => {
    for (const c of [0.5, 0.1, 0.01, 1 / 255]) {
      const a = imageFrom(6, 5, (x, y, ch) => 0.2 + 0.01 * (x + y + ch));
      const b = createImage(6, 5, a.data.map((v) => v + c));
      // float32 storage of a + c limits the agreement to ~1e-7 relative on c.
      expect(psnr(a, b)).toBeCloseTo(-10 * Math.log10(c * c), 4);
    }
    expect(psnr(constant(3, 3, 0), constant(3, 3, 1))).toBe(0);
  });

  it('ignores a border with crop', () => {
    const a = constant(8, 6, 0.3);
    const b = imageFrom(8, 6, (x, y) => (x === 0 || y === 0 || x === 7 || y === 5 ? 0.9 : 0.3));
    expect(psnr(a, b)).toBeLessThan(20);
    expect(psnr(a, b, { crop: 1 })).toBe(Infinity);
    // crop = 2 leaves a 4×2 centre whose pixel (2..5, 2..3) differ by 0.1 everywhere.
    const c = imageFrom(8, 6, (x, y) => (x >= 2 && x < 6 && y >= 2 && y < 4 ? 0.4 : 0.3));
    expect(psnr(a, c, { crop: 2 })).toBeCloseTo(20, 5);
    expect(psnr(a, c)).toBeCloseTo(10 * Math.log10(48 / 8 / 0.01), 4);
  });

  it('rejects mismatched sizes and impossible crops with clear messages', () => {
    expect(() => psnr(constant(4, 3, 0), constant(3, 4, 0))).toThrow(/sizes differ \(4×3 vs 3×4\)/);
    expect(() => ssim(constant(12, 12, 0), constant(12, 11, 0))).toThrow(/sizes differ/);
    expect(() => psnr(constant(4, 4, 0), constant(4, 4, 0), { crop: 2 })).toThrow(/cropped by 2 leaves 0×0/);
    expect(() => psnr(constant(4, 4, 0), constant(4, 4, 0), { crop: -1 })).toThrow(/non-negative integer/);
  });
});

describe('BT.601 luma and psnrY', () => {
  it('converts the primaries, black and white as MATLAB rgb2ycbcr does', () => {
    expect(rgbToY(1, 0, 0) * 255).toBeCloseTo(16 + 65.481, 10);
    expect(rgbToY(0, 1, 0) * 255).toBeCloseTo(16 + 128.553, 10);
    expect(rgbToY(0, 0, 1) * 255).toBeCloseTo(16 + 24.966, 10);
    expect(rgbToY(0, 0, 0) * 255).toBeCloseTo(16, 10);
    expect(rgbToY(1, 1, 1) * 255).toBeCloseTo(235, 10);
  });

  it('psnrY of black vs pure red is set by the red coefficient alone', () => {
    const black = constant(3, 2, 0);
    const red = imageFrom(3, 2, (x, y, c) => (c === 0 ? 1 : 0));
    const dy = 65.481 / 255;
    expect(mseY(black, red)).toBeCloseTo(dy * dy, 10);
    expect(psnrY(black, red)).toBeCloseTo(-20 * Math.log10(dy), 5);
    // The same pair on RGB: one channel of three differs by 1 → MSE 1/3.
    expect(psnr(black, red)).toBeCloseTo(10 * Math.log10(3), 5);
  });

  it('is blind to colour changes that keep luma', () => {
    // Moving R up and B down in the ratio of their coefficients keeps Y.
    const a = constant(4, 4, 0.5);
    const b = imageFrom(4, 4, (x, y, c) => (c === 0 ? 0.5 + 0.1 * 24.966 / 65.481 : c === 2 ? 0.4 : 0.5));
    expect(psnrY(a, b)).toBeGreaterThan(120); // float32 noise only
    expect(psnr(a, b)).toBeLessThan(30);
  });
});

describe('ssim', () => {
  it('is 1 for identical images, textured or flat', () => {
    const a = textured(20, 16);
    expect(ssim(a, a)).toBeCloseTo(1, 12);
    expect(ssim(a, a, { channel: 'y' })).toBeCloseTo(1, 12);
    expect(ssim(constant(11, 11, 0.3), constant(11, 11, 0.3))).toBeCloseTo(1, 12);
  });

  it('reduces to the luminance term for two flat images', () => {
    // σ = 0 in both, so SSIM = (2pq + C1)/(p² + q² + C1) · C2/C2.
    const p = 0.5, q = 0.25, c1 = 0.01 ** 2;
    expect(ssim(constant(13, 12, p), constant(13, 12, q))).toBeCloseTo((2 * p * q + c1) / (p * p + q * q + c1), 6);
  });

  it('matches the closed form on a single 11×11 window, computed with explicit loops', () => {
    const a = imageFrom(11, 11, (x, y, c) => ((x * 7 + y * 3 + c * 5) % 11) / 10);
    const b = imageFrom(11, 11, (x, y, c) => ((x * x + y * 2 + c) % 13) / 12);

    // Independent 2-D Gaussian weights (not the separable product the implementation uses).
    const weights: number[][] = [];
    let total = 0;
    for (let i = 0; i < 11; i++) {
      weights.push([]);
      for (let j = 0; j < 11; j++) {
        const w = Math.exp(-((i - 5) ** 2 + (j - 5) ** 2) / (2 * 1.5 * 1.5));
        weights[i].push(w);
        total += w;
      }
    }
    const at = (im: RgbImage, x: number, y: number, c: number) => im.data[(y * 11 + x) * 3 + c];
    let expected = 0;
    for (let c = 0; c < 3; c++) {
      let muA = 0, muB = 0;
      for (let y = 0; y < 11; y++) {
        for (let x = 0; x < 11; x++) {
          muA += (weights[y][x] / total) * at(a, x, y, c);
          muB += (weights[y][x] / total) * at(b, x, y, c);
        }
      }
      let varA = 0, varB = 0, cov = 0;
      for (let y = 0; y < 11; y++) {
        for (let x = 0; x < 11; x++) {
          const w = weights[y][x] / total;
          varA += w * (at(a, x, y, c) - muA) ** 2;
          varB += w * (at(b, x, y, c) - muB) ** 2;
          cov += w * (at(a, x, y, c) - muA) * (at(b, x, y, c) - muB);
        }
      }
      const c1 = 0.01 ** 2, c2 = 0.03 ** 2;
      expected += ((2 * muA * muB + c1) * (2 * cov + c2)) / ((muA ** 2 + muB ** 2 + c1) * (varA + varB + c2)) / 3;
    }
    expect(ssim(a, b)).toBeCloseTo(expected, 10);
    expect(expected).toBeGreaterThan(-1);
    expect(expected).toBeLessThan(0.9); // the two patterns differ: not a trivial 1
  });

  /**
   * Reference values computed here with numpy 2.4.6 / scipy 1.17.1 (skimage and cv2 were not
   * installed), by a line-for-line transcription of skimage.metrics.structural_similarity's
   * gaussian path: scipy.ndimage.gaussian_filter(sigma=1.5, truncate=3.5) on each channel, population
   * moments, mean of the map after cropping 5 px. A second transcription of BasicSR's `_ssim`
   * (scipy.signal.correlate2d 'valid' with the outer product of the 11-tap Gaussian) agreed to 1e-16.
   * Inputs: ia = (37x + 11y + 53c + xy) mod 256, ib = clip(ia + (5x + 3y + 7c) mod 61 − 30, 0, 255),
   * both /255 and rounded to float32 as this code stores them; 23×19 px. Y = (16 + [65.481,
   * 128.553, 24.966]·rgb)/255. PSNR = 10·log10(1/mean((a − b)²)).
   */
  it('agrees with an independent numpy/scipy transcription of skimage and BasicSR', () => {
    const ia = (x: number, y: number, c: number) => (x * 37 + y * 11 + c * 53 + x * y) % 256;
    const ib = (x: number, y: number, c: number) => Math.min(255, Math.max(0, ia(x, y, c) + ((x * 5 + y * 3 + c * 7) % 61) - 30));
    const a = imageFrom(23, 19, (x, y, c) => ia(x, y, c) / 255);
    const b = imageFrom(23, 19, (x, y, c) => ib(x, y, c) / 255);
    expect(ssim(a, b)).toBeCloseTo(0.9731687238976234, 10);
    expect(ssim(a, b, { channel: 'y' })).toBeCloseTo(0.9688804804253586, 10);
    expect(ssim(a, b, { crop: 2 })).toBeCloseTo(0.9811342791414983, 10);
    expect(psnr(a, b)).toBeCloseTo(23.383874643869504, 9);
    expect(psnrY(a, b)).toBeCloseTo(26.801229731308016, 9);
    expect(psnr(a, b, { crop: 2 })).toBeCloseTo(23.097931403766623, 9);
  });

  it('decreases as noise grows', () => {
    const clean = textured(40, 32);
    const scores = [0.01, 0.03, 0.1, 0.3].map((sigma) => ssim(clean, withNoise(clean, sigma, 7)));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]);
    expect(scores[0]).toBeLessThan(1);
    expect(scores[0]).toBeGreaterThan(0.9);
  });

  it('is symmetric', () => {
    const a = textured(24, 18);
    const b = withNoise(a, 0.1, 3);
    expect(ssim(a, b)).toBeCloseTo(ssim(b, a), 14);
    expect(ssim(a, b, { channel: 'y', crop: 3 })).toBeCloseTo(ssim(b, a, { channel: 'y', crop: 3 }), 14);
  });

  it('ignores a change confined to the cropped border', () => {
    const a = textured(15, 15);
    const b = imageFrom(15, 15, (x, y, c) => (x === 1 ? 0 : a.data[(y * 15 + x) * 3 + c]));
    expect(ssim(a, b)).toBeLessThan(1);
    expect(ssim(a, b, { crop: 2 })).toBeCloseTo(1, 12);
  });

  it('needs at least 11×11 pixels after cropping', () => {
    expect(() => ssim(constant(10, 20, 0), constant(10, 20, 0))).toThrow(/at least 11×11/);
    expect(() => ssim(constant(14, 14, 0), constant(14, 14, 0), { crop: 2 })).toThrow(/leaves 10×10/);
  });
});
