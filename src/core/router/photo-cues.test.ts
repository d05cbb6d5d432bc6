import { describe, expect, it } from 'vitest';
import { applyOodDegradation } from '../degradations/out-of-distribution';
import { generateTestScene } from '../degradations/test-scenes';
import { createImage, quantize8, type RgbImage } from '../image';
import { PHOTO_CUE_COUNT, PHOTO_CUES, photoCues, thumbnail } from './photo-cues';

const scene = generateTestScene({ width: 320, height: 240, seed: 5 });
const cue = (image: RgbImage, name: (typeof PHOTO_CUES)[number]['name']) => photoCues(image)[PHOTO_CUES.findIndex((c) => c.name === name)];

describe('photo cues', () => {
  it('one finite value per cue, also for a flat photo and a 1×1 one', () => {
    for (const image of [scene, createImage(40, 30, new Float32Array(40 * 30 * 3).fill(0.5)), createImage(1, 1, new Float32Array([0.2, 0.4, 0.6]))]) {
      const cues = photoCues(image);
      expect(cues).toHaveLength(PHOTO_CUE_COUNT);
      for (const v of cues) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('each damage moves its cue the documented way', () => {
    const ood = (id: Parameters<typeof applyOodDegradation>[1]) => applyOodDegradation(scene, id, 7).image;
    expect(cue(ood('haze'), 'dark_channel_p10')).toBeGreaterThan(cue(scene, 'dark_channel_p10') + 0.1);
    expect(cue(ood('haze'), 'block_contrast_p90')).toBeLessThan(cue(scene, 'block_contrast_p90') * 0.7);
    expect(cue(ood('low_light'), 'luma_p99')).toBeLessThan(cue(scene, 'luma_p99') * 0.6);
    expect(cue(ood('vignette'), 'corner_over_centre')).toBeLessThan(cue(scene, 'corner_over_centre') - 0.3);
    expect(cue(ood('vignette'), 'brightest_corner_over_centre')).toBeLessThan(cue(scene, 'brightest_corner_over_centre') - 0.3);
    expect(cue(ood('posterize'), 'log_level_occupancy')).toBeLessThan(Math.log(0.1));
    expect(cue(scene, 'log_level_occupancy')).toBeGreaterThan(Math.log(0.5));
    expect(cue(ood('overexposure'), 'log_white_share')).toBeGreaterThan(cue(scene, 'log_white_share') + 1);
    for (const id of ['haze', 'fade'] as const) {
      expect(cue(ood(id), 'black_point'), id).toBeGreaterThan(cue(scene, 'black_point') + 0.1);
      expect(cue(ood(id), 'black_point_cells_q25'), id).toBeGreaterThan(cue(scene, 'black_point_cells_q25') + 0.1);
    }
    expect(cue(ood('light_leak'), 'warm_edge_floor')).toBeGreaterThan(cue(scene, 'warm_edge_floor') + 0.05);
  });

  it('black point: the 1st percentile of each pixel\'s darkest channel, whatever the other channels', () => {
    // 100 × 100 pixels whose darkest channels are 0, 1/9999, …, 1 in a shuffled order, another channel on top.
    const n = 100 * 100;
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n); // 7919 is prime to n: a permutation
    const data = new Float32Array(3 * n);
    order.forEach((rank, i) => {
      const v = rank / (n - 1);
      data.set(i % 2 ? [v, Math.min(1, v + 0.3), 1] : [1, v, Math.min(1, v + 0.1)], 3 * i);
    });
    expect(cue(createImage(100, 100, data), 'black_point')).toBeCloseTo(Math.round(0.01 * (n - 1)) / (n - 1), 6);
  });

  it('one black corner sets the black point but not the black point of most of the frame', () => {
    // A grey 0.6 photo with its top-left 4 × 4 grid cell black: 1/16 of the pixels.
    const image = createImage(64, 64, new Float32Array(64 * 64 * 3).fill(0.6));
    for (let y = 0; y < 16; y++) image.data.fill(0, 3 * y * 64, 3 * (y * 64 + 16));
    expect(cue(image, 'black_point')).toBe(0);
    expect(cue(image, 'black_point_cells_q25')).toBeCloseTo(0.6, 6);
  });

  it('warm edge floor: red − blue of a warm strip along one edge, not of a warm object inside', () => {
    const warmAt = (inside: (x: number, y: number) => boolean) => {
      const image = createImage(60, 60, new Float32Array(60 * 60 * 3).fill(0.5));
      for (let y = 0; y < 60; y++) for (let x = 0; x < 60; x++) if (inside(x, y)) image.data.set([0.8, 0.6, 0.4], 3 * (y * 60 + x));
      return cue(image, 'warm_edge_floor');
    };
    expect(warmAt((x) => x >= 50)).toBeCloseTo(0.4, 6); // the right-hand strip (a sixth of the side) is all warm
    expect(warmAt((x, y) => x >= 20 && x < 40 && y >= 20 && y < 40)).toBeCloseTo(0, 6); // a warm square in the middle
  });

  it('grey edge: scaling the red channel by k moves its edge ratio by log k', () => {
    const k = 1.3;
    // Keep red under 1/k so that nothing clips.
    const base = quantize8(createImage(scene.width, scene.height, scene.data.map((v, i) => (i % 3 === 0 ? v * 0.7 : v))));
    const cast = quantize8(createImage(base.width, base.height, base.data.map((v, i) => (i % 3 === 0 ? v * k : v))));
    expect(cue(cast, 'edge_red_over_green') - cue(base, 'edge_red_over_green')).toBeCloseTo(Math.log(k), 1);
    expect(cue(cast, 'edge_blue_over_green')).toBeCloseTo(cue(base, 'edge_blue_over_green'), 6);
  });

  it('tone cues read a large photo through its thumbnail: the same photo at 4× the size gives nearly the same cues', () => {
    const big = generateTestScene({ width: 1024, height: 768, seed: 5 });
    expect(thumbnail(big).width).toBe(256);
    const small = thumbnail(big);
    const a = photoCues(big), b = photoCues(small);
    for (const name of ['dark_channel_p10', 'luma_p99', 'corner_over_centre', 'block_contrast_p90', 'black_point', 'black_point_cells_q25', 'warm_edge_floor'] as const) {
      const j = PHOTO_CUES.findIndex((c) => c.name === name);
      expect(Math.abs(a[j] - b[j]), name).toBeLessThan(1e-6);
    }
  });
});
