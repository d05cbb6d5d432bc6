import { describe, expect, it } from 'vitest';
import { degrade, generateTestScene } from '../degradations/index';
import { createImage } from '../image';
import { createRng } from '../random';
import { syntheticBokeh } from './bokeh';
import { fft2dPower } from './fft';
import { GRID, PATCH_COUNT, PATCH_FEATURE_COUNT, PATCH_FEATURE_NAMES, PATCH_SIZE, patchCorners, patchFeatures } from './patch-features';

function bruteForcePower(values: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      let re = 0, im = 0;
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          const a = (-2 * Math.PI * (u * x + v * y)) / n;
          re += values[y * n + x] * Math.cos(a);
          im += values[y * n + x] * Math.sin(a);
        }
      }
      out[v * n + u] = re * re + im * im;
    }
  }
  return out;
}

const scene = generateTestScene({ width: 256, height: 256, seed: 1 });
const feature = (features: Float32Array, name: string) => {
  const j = PATCH_FEATURE_NAMES.indexOf(name);
  let s = 0;
  for (let p = 0; p < PATCH_COUNT; p++) s += features[p * PATCH_FEATURE_COUNT + j];
  return s / PATCH_COUNT;
};

describe('fft2dPower', () => {
  for (const n of [1, 2, 8, 16]) {
    it(`equals the brute-force DFT's |X|² at ${n}×${n}`, () => {
      const rng = createRng(n);
      const values = Float64Array.from({ length: n * n }, () => rng.uniform(-1, 1));
      const fast = fft2dPower(values, n), slow = bruteForcePower(values, n);
      for (let i = 0; i < n * n; i++) expect(fast[i]).toBeCloseTo(slow[i], 9);
    });
  }

  it('refuses sizes that are not powers of two', () => {
    expect(() => fft2dPower(new Float64Array(36), 6)).toThrow(/power of two/);
  });
});

describe('patchCorners', () => {
  it('a GRID × GRID grid inside the image, snapped to the 8-px JPEG grid, covering both edges', () => {
    const corners = patchCorners(300, 517);
    expect(corners).toHaveLength(GRID * GRID);
    for (const [x, y] of corners) {
      expect(x % 8).toBe(0);
      expect(y % 8).toBe(0);
      expect(x + PATCH_SIZE).toBeLessThanOrEqual(300);
      expect(y + PATCH_SIZE).toBeLessThanOrEqual(517);
    }
    expect(Math.min(...corners.map((c) => c[0]))).toBe(0);
    expect(Math.max(...corners.map((c) => c[0]))).toBeGreaterThan(300 - PATCH_SIZE - 8);
  });
});

describe('patchFeatures', () => {
  it('PATCH_COUNT rows of PATCH_FEATURE_COUNT finite values, for ordinary, flat and tiny images', () => {
    const flat = createImage(100, 80, new Float32Array(100 * 80 * 3).fill(0.5));
    const tiny = generateTestScene({ width: 9, height: 30, seed: 2 });
    for (const image of [scene, flat, tiny]) {
      const f = patchFeatures(image);
      expect(f).toHaveLength(PATCH_COUNT * PATCH_FEATURE_COUNT);
      expect(f.every(Number.isFinite)).toBe(true);
    }
  });

  it('is deterministic: the same pixels give the same numbers (the browser and the CLI agree)', () => {
    expect(patchFeatures(scene)).toEqual(patchFeatures(createImage(256, 256, new Float32Array(scene.data))));
  });

  it('each cue moves the way its degradation should', () => {
    const clean = patchFeatures(scene);
    const of = (id: Parameters<typeof degrade>[1]) => patchFeatures(degrade(scene, id, 3).image);
    expect(feature(of('jpeg'), 'blockiness_x')).toBeGreaterThan(feature(clean, 'blockiness_x') + 0.1);
    expect(feature(of('gaussian_noise'), 'residual_log_mad')).toBeGreaterThan(feature(clean, 'residual_log_mad') + 1);
    expect(feature(of('gaussian_blur'), 'radial_12')).toBeLessThan(feature(clean, 'radial_12') - 1);
    expect(feature(of('salt_pepper'), 'isolated_extreme_share')).toBeGreaterThan(feature(clean, 'isolated_extreme_share'));
    expect(feature(of('motion_blur'), 'angular_range_2')).toBeGreaterThan(feature(of('gaussian_blur'), 'angular_range_2'));
  });
});

describe('syntheticBokeh', () => {
  it('keeps the subject sharp and blurs the background', () => {
    const out = syntheticBokeh(scene, createRng(5));
    const diff = (x0: number, y0: number) => {
      let s = 0;
      for (let y = y0; y < y0 + 8; y++) for (let x = x0; x < x0 + 8; x++) for (let c = 0; c < 3; c++) s += Math.abs(out.data[(y * 256 + x) * 3 + c] - scene.data[(y * 256 + x) * 3 + c]);
      return s / 192;
    };
    // The subject's centre lies in the middle half of the frame; the corners are background.
    const corners = [diff(0, 0), diff(248, 0), diff(0, 248), diff(248, 248)];
    expect(Math.max(...corners)).toBeGreaterThan(0.01);
    expect(Math.min(diff(124, 124), diff(120, 120))).toBeLessThan(Math.max(...corners));
  });
});
