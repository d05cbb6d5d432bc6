import { describe, expect, it } from 'vitest';
import { DEGRADATION_TABLE, sampleParam } from '../degradations/table';
import { generateTestScene } from '../degradations/test-scenes';
import { createImage, type RgbImage } from '../image';
import { createRng } from '../random';
import { CAMERA_HISTORY, cameraHistory, enlarge, sensorNoise, soften, unsharpMask } from './camera-history';

const scene = generateTestScene({ width: 160, height: 120, seed: 3 });

/** Mean squared horizontal difference of neighbours, away from the border: the image's fine detail. */
function detail(image: RgbImage): number {
  let s = 0, n = 0;
  for (let y = 8; y < image.height - 8; y++) {
    for (let x = 8; x < image.width - 9; x++) {
      const i = (y * image.width + x) * 3;
      s += (image.data[i + 3] - image.data[i]) ** 2;
      n++;
    }
  }
  return s / n;
}

const isEightBit = (image: RgbImage) => image.data.every((v) => Number.isInteger(Math.round(v * 255 * 1e4) / 1e4));

describe('camera history', () => {
  it('stays clear of the degradations it must not be mistaken for', () => {
    const t = DEGRADATION_TABLE;
    const blurs = Object.values(t.gaussian_blur.families).map((f) => ('sigma' in f.params ? f.params.sigma.min : f.params.sigmaMajor.min));
    expect(CAMERA_HISTORY.soften.sigma[1]).toBeLessThan(Math.min(...blurs));
    expect(CAMERA_HISTORY.soften.sigma[1]).toBeLessThan(t.defocus_blur.params.radius.min);
    expect(CAMERA_HISTORY.noise.sigma[1]).toBeLessThan(t.gaussian_noise.params.sigma.min);
    // The JPEG class reaches the camera's qualities, but four in five of its saves are below them.
    const q = t.jpeg.params.quality;
    const belowCamera = Math.log((CAMERA_HISTORY.jpeg.quality[0] - 0.5) / (q.min - 0.5)) / Math.log((q.max + 0.5) / (q.min - 0.5));
    expect(belowCamera).toBeGreaterThan(0.75);
    const rng = createRng(5);
    let below = 0;
    for (let i = 0; i < 4000; i++) below += (sampleParam(rng, q) as number) < CAMERA_HISTORY.jpeg.quality[0] ? 1 : 0;
    expect(below / 4000).toBeCloseTo(belowCamera, 1);
  });

  it('softening removes detail and sharpening adds it; both keep the size and 8-bit levels', () => {
    const soft = soften(scene, 0.8), sharp = unsharpMask(scene, 1, 1);
    expect(detail(soft)).toBeLessThan(0.8 * detail(scene));
    expect(detail(sharp)).toBeGreaterThan(1.2 * detail(scene));
    for (const im of [soft, sharp]) {
      expect([im.width, im.height]).toEqual([scene.width, scene.height]);
      expect(isEightBit(im)).toBe(true);
    }
  });

  it('an enlargement by f divides a linear ramp\'s slope by f (bicubic keeps linear functions)', () => {
    const w = 64, h = 16;
    const ramp = createImage(w, h, Float32Array.from({ length: w * h * 3 }, (_, i) => (Math.floor(i / 3) % w) * 0.01 + 0.1));
    const big = enlarge(ramp, 1.25);
    const at = (x: number) => big.data[(8 * w + x) * 3];
    // Over 20 px in the middle, the rise is 20 · 0.01 / 1.25 = 0.16, to within the 8-bit rounding.
    expect(at(42) - at(22)).toBeCloseTo(0.16, 2);
  });

  it('sensor noise has the asked standard deviation', () => {
    const grey = createImage(128, 128, new Float32Array(128 * 128 * 3).fill(0.5));
    const noisy = sensorNoise(grey, 3, createRng(1));
    const sd = Math.sqrt(noisy.data.reduce((s, v) => s + (v - 0.5) ** 2, 0) / noisy.data.length) * 255;
    expect(sd).toBeGreaterThan(2.8); // 3 levels, plus the rounding's 1/√12 in quadrature ≈ 3.01
    expect(sd).toBeLessThan(3.25);
  });

  it('a drawn history is reproducible from its seed and leaves some views as they were', () => {
    const a = cameraHistory(scene, createRng(5)), b = cameraHistory(scene, createRng(5));
    expect(b.data).toEqual(a.data);
    let untouched = 0;
    for (let seed = 0; seed < 40; seed++) if (cameraHistory(scene, createRng(seed)) === scene) untouched++;
    // P(no step) = 0.75 · 0.8 · 0.7 · 0.7 · 0.5 ≈ 0.147: some, not most.
    expect(untouched).toBeGreaterThan(0);
    expect(untouched).toBeLessThan(20);
  });
});
