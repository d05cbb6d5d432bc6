import { describe, expect, it } from 'vitest';
import { generateTestScene } from './test-scenes';
import { applyOodDegradation, OOD_DEGRADATION_IDS } from './out-of-distribution';

const scene = generateTestScene({ width: 64, height: 48, seed: 3 });
const mean = (values: Float32Array, channel?: number) => {
  let s = 0, n = 0;
  for (let i = channel ?? 0; i < values.length; i += channel === undefined ? 1 : 3) { s += values[i]; n++; }
  return s / n;
};
const contrast = (values: Float32Array) => {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
};

describe('out-of-distribution degradations', () => {
  for (const id of OOD_DEGRADATION_IDS) {
    it(`${id}: deterministic per seed, quantised, in range`, () => {
      const a = applyOodDegradation(scene, id, 4), b = applyOodDegradation(scene, id, 4);
      expect(a.image.data).toEqual(b.image.data);
      expect(applyOodDegradation(scene, id, 5).image.data).not.toEqual(a.image.data);
      for (const v of a.image.data) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
      }
    });
  }

  it('haze lowers contrast and brightens; more haze at the top than at the bottom', () => {
    const { image } = applyOodDegradation(scene, 'haze', 1);
    expect(contrast(image.data)).toBeLessThan(contrast(scene.data) * 0.85);
    expect(mean(image.data)).toBeGreaterThan(mean(scene.data));
    const rowDiff = (y: number) => {
      let s = 0;
      for (let i = y * 64 * 3; i < (y + 1) * 64 * 3; i++) s += Math.abs(image.data[i] - scene.data[i]);
      return s;
    };
    expect(rowDiff(0)).toBeGreaterThan(rowDiff(47));
  });

  it('colour cast shifts the channel balance', () => {
    const { image, params } = applyOodDegradation(scene, 'colour_cast', 2);
    const ratio = (c: number) => mean(image.data, c) / mean(scene.data, c);
    expect(ratio(params.boostedChannel)).toBeGreaterThan(1.1);
    expect(ratio(params.cutChannel)).toBeLessThan(0.9);
  });

  it('low light darkens by at least half', () => {
    expect(mean(applyOodDegradation(scene, 'low_light', 3).image.data)).toBeLessThan(mean(scene.data) * 0.5);
  });

  it('over-exposure brightens and clips highlights', () => {
    const { image } = applyOodDegradation(scene, 'overexposure', 3);
    expect(mean(image.data)).toBeGreaterThan(mean(scene.data) * 1.3);
    expect(image.data.filter((v) => v === 1).length).toBeGreaterThan(scene.data.filter((v) => v === 1).length);
  });

  it('vignetting darkens the corners, not the centre', () => {
    const { image } = applyOodDegradation(scene, 'vignette', 3);
    const at = (im: Float32Array, x: number, y: number) => im[(y * 64 + x) * 3] + im[(y * 64 + x) * 3 + 1] + im[(y * 64 + x) * 3 + 2];
    expect(at(image.data, 0, 0)).toBeLessThan(at(scene.data, 0, 0) * 0.6);
    expect(Math.abs(at(image.data, 32, 24) - at(scene.data, 32, 24))).toBeLessThan(0.05);
  });

  it('posterisation leaves at most `levels` values per channel', () => {
    const { image, params } = applyOodDegradation(scene, 'posterize', 3);
    expect(new Set(image.data).size).toBeLessThanOrEqual(params.levels);
  });

  it('a faded print keeps less than 60 % of the contrast, its darkest values lifted towards the paper', () => {
    const { image, params } = applyOodDegradation(scene, 'fade', 3);
    expect(contrast(image.data)).toBeLessThan(contrast(scene.data) * 0.6 + 1e-3);
    expect(Math.min(...image.data)).toBeGreaterThan(params.paper * (1 - params.contrast) * (1 - params.yellowing) - 1 / 255);
  });

  it('a light leak brightens the frame near its edge more than far from it, red most', () => {
    const { image, params } = applyOodDegradation(scene, 'light_leak', 3);
    const gain = (x: number, y: number, c: number) => image.data[(y * 64 + x) * 3 + c] - scene.data[(y * 64 + x) * 3 + c];
    const [near, far]: [number, number][] = [[[0, 24], [63, 24]], [[63, 24], [0, 24]], [[32, 0], [32, 47]], [[32, 47], [32, 0]]][params.edge] as [number, number][];
    expect(gain(...near, 0)).toBeGreaterThan(gain(...far, 0));
    expect(gain(...near, 0)).toBeGreaterThanOrEqual(gain(...near, 2) - 1 / 255);
  });
});
