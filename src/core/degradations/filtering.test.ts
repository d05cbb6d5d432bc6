import { describe, expect, it } from 'vitest';
import { createImage, type RgbImage } from '../image.ts';
import { createRng } from '../random.ts';
import { convolve, convolveSeparable, padImage, reflectIndex } from './convolve.ts';
import { gaussianKernel, gaussianTaps, motionKernel, type Kernel } from './kernels.ts';
import { cubicWeight, resize, RESIZE_METHODS } from './resize.ts';

function randomImage(width: number, height: number, seed: number): RgbImage {
  const rng = createRng(seed);
  const image = createImage(width, height);
  for (let i = 0; i < image.data.length; i++) image.data[i] = rng.next();
  return image;
}

function constantImage(width: number, height: number, value: number): RgbImage {
  return createImage(width, height, new Float32Array(width * height * 3).fill(value));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Channel-0 row of an image as plain numbers, rounded for comparison with numpy output. */
const row0 = (image: RgbImage, y: number) =>
  Array.from({ length: image.width }, (_, x) => Math.round(image.data[(y * image.width + x) * 3] * 1e6) / 1e6);

describe('padding', () => {
  it('reflect indexes like numpy.pad(mode="reflect"), also for pads wider than the image', () => {
    // np.pad([1, 2, 3, 4], 3, 'reflect') = [4 3 2 1 2 3 4 3 2 1]
    expect(Array.from({ length: 10 }, (_, p) => [1, 2, 3, 4][reflectIndex(p - 3, 4)])).toEqual([4, 3, 2, 1, 2, 3, 4, 3, 2, 1]);
    // np.pad([1, 2, 3], 6, 'reflect')
    expect(Array.from({ length: 15 }, (_, p) => [1, 2, 3][reflectIndex(p - 6, 3)])).toEqual([
      3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1,
    ]);
    expect(reflectIndex(-5, 1)).toBe(0);
  });

  it('linear_ramp matches numpy.pad(mode="linear_ramp") including the corners', () => {
    // a = arange(12).reshape(3, 4) / 11; numpy: np.pad(a, 3, 'linear_ramp')[0:4]
    const image = createImage(4, 3);
    for (let p = 0; p < 12; p++) image.data[p * 3] = p / 11;
    const padded = padImage(image, 3, 'linear_ramp');
    expect(padded.width).toBe(10);
    expect(padded.height).toBe(9);
    expect(row0(padded, 0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(row0(padded, 1)).toEqual([0, 0, 0, 0, 0.030303, 0.060606, 0.090909, 0.060606, 0.030303, 0]);
    expect(row0(padded, 2)).toEqual([0, 0, 0, 0, 0.060606, 0.121212, 0.181818, 0.121212, 0.060606, 0]);
    expect(row0(padded, 3)).toEqual([0, 0, 0, 0, 0.090909, 0.181818, 0.272727, 0.181818, 0.090909, 0]);
  });

  it('edge and zero padding', () => {
    const image = randomImage(3, 2, 1);
    const edge = padImage(image, 2, 'edge');
    const zero = padImage(image, 2, 'zero');
    expect(edge.data[0]).toBe(image.data[0]); // top-left corner repeats pixel (0, 0)
    expect(zero.data[0]).toBe(0);
    expect(zero.data[((2 * 7) + 2) * 3]).toBe(image.data[0]);
  });
});

describe('convolve', () => {
  /** Direct O(n²k²) correlation with explicit reflect indexing: the reference. */
  function bruteForce(image: RgbImage, kernel: Kernel): Float32Array {
    const { width, height, data } = image;
    const r = (kernel.size - 1) / 2;
    const out = new Float32Array(data.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = -r; dy <= r; dy++) {
            for (let dx = -r; dx <= r; dx++) {
              const sy = reflectIndex(y + dy, height);
              const sx = reflectIndex(x + dx, width);
              sum += kernel.weights[(dy + r) * kernel.size + (dx + r)] * data[(sy * width + sx) * 3 + c];
            }
          }
          out[(y * width + x) * 3 + c] = sum;
        }
      }
    }
    return out;
  }

  it('matches a brute-force reflect-padded correlation for an asymmetric kernel', () => {
    const image = randomImage(17, 11, 2);
    const weights = new Float64Array(25);
    const rng = createRng(3);
    for (let i = 0; i < 25; i++) weights[i] = rng.uniform(-0.2, 1);
    weights[3] = 0; // exercises the zero-tap skip
    const kernel: Kernel = { size: 5, weights };
    expect(maxAbsDiff(convolve(image, kernel, 'reflect').data, bruteForce(image, kernel))).toBeLessThan(1e-5);
  });

  it('a motion kernel wider than the image still works (reflect folds)', () => {
    const image = randomImage(9, 6, 4);
    const kernel = motionKernel(8, 5, 30);
    expect(maxAbsDiff(convolve(image, kernel).data, bruteForce(image, kernel))).toBeLessThan(1e-5);
  });

  it('the separable Gaussian equals the 2-D Gaussian', () => {
    const image = randomImage(32, 20, 5);
    const twoD = convolve(image, gaussianKernel(15, 2.7), 'reflect');
    const separable = convolveSeparable(image, gaussianTaps(15, 2.7), 'reflect');
    expect(maxAbsDiff(twoD.data, separable.data)).toBeLessThan(1e-5);
  });

  it('keeps a constant image constant', () => {
    const flat = convolve(constantImage(12, 12, 0.4), gaussianKernel(15, 3));
    for (const v of flat.data) expect(v).toBeCloseTo(0.4, 6);
  });
});

describe('resize', () => {
  it('cubic weights are Keys a = −0.5 (interpolating, partition of unity)', () => {
    expect(cubicWeight(0)).toBe(1);
    expect(cubicWeight(1)).toBe(0);
    expect(cubicWeight(2)).toBe(0);
    expect(cubicWeight(0.5)).toBeCloseTo(0.5625, 12);
    expect(cubicWeight(1.5)).toBeCloseTo(-0.0625, 12);
    for (const f of [0.1, 0.37, 0.8]) expect(cubicWeight(f + 1) + cubicWeight(f) + cubicWeight(1 - f) + cubicWeight(2 - f)).toBeCloseTo(1, 12);
  });

  it.each(RESIZE_METHODS)('%s: a constant image stays constant through any up/down round trip', (method) => {
    const image = constantImage(37, 23, 0.7);
    for (const scale of [0.25, 0.5, 0.61, 1.7, 4]) {
      const w = Math.max(1, Math.round(37 * scale));
      const h = Math.max(1, Math.round(23 * scale));
      const small = resize(image, w, h, method);
      expect(small.width).toBe(w);
      expect(small.height).toBe(h);
      const back = resize(small, 37, 23, method);
      for (const v of back.data) expect(v).toBeCloseTo(0.7, 5);
    }
  });

  it('bicubic and bilinear reproduce a linear ramp away from the borders', () => {
    const width = 40;
    const image = createImage(width, 8);
    for (let y = 0; y < 8; y++) for (let x = 0; x < width; x++) image.data[(y * width + x) * 3] = x / width;
    for (const method of ['bicubic', 'bilinear'] as const) {
      for (const outWidth of [10, 57, 160]) {
        const out = resize(image, outWidth, 8, method);
        const scale = width / outWidth;
        for (let x = 0; x < outWidth; x++) {
          const source = (x + 0.5) * scale - 0.5; // half-pixel centres
          if (source < 2 || source > width - 3) continue; // clamped taps bend the ramp at the edges
          expect(out.data[(3 * outWidth + x) * 3]).toBeCloseTo(source / width, 5);
        }
      }
    }
  });

  it('area downscale by an integer factor is the block mean', () => {
    const image = randomImage(12, 9, 6);
    const out = resize(image, 4, 3, 'area');
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        let sum = 0;
        for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) sum += image.data[((3 * y + dy) * 12 + 3 * x + dx) * 3 + 1];
        expect(out.data[(y * 4 + x) * 3 + 1]).toBeCloseTo(sum / 9, 5);
      }
    }
  });

  it('bicubic ×1/4 then ×4 (the SR descriptor path) keeps size and roughly the content', () => {
    const image = constantImage(64, 48, 0.2);
    for (let y = 16; y < 32; y++) for (let x = 0; x < 64 * 3; x++) image.data[y * 64 * 3 + x] = 0.8;
    const small = resize(image, 16, 12, 'bicubic');
    const back = resize(small, 64, 48, 'bicubic');
    expect([back.width, back.height]).toEqual([64, 48]);
    expect(back.data[(24 * 64 + 30) * 3]).toBeCloseTo(0.8, 1);
    expect(back.data[(4 * 64 + 30) * 3]).toBeCloseTo(0.2, 1);
  });

  it('same size returns an equal copy, not the input', () => {
    const image = randomImage(5, 4, 7);
    const out = resize(image, 5, 4, 'bicubic');
    expect(out.data).not.toBe(image.data);
    expect(Array.from(out.data)).toEqual(Array.from(image.data));
  });
});
