import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../image.ts';
import { DEGRADATION_IDS } from './ids.ts';
import { degrade } from './registry.ts';
import { DEGRADATION_TABLE } from './table.ts';
import { generateTestScene } from './test-scenes.ts';

// Every degradation must lower PSNR against the clean image into its documented band
// (DEGRADATION_TABLE[id].expectedPsnrDb), on several scenes and seeds. The bands were set from
// measurements at 128² and 256² (see table.ts); this test samples the 128² case.

/** PSNR in dB for images in [0, 1]; computed here rather than imported so the test stands alone. */
function psnr(a: RgbImage, b: RgbImage): number {
  let squared = 0;
  for (let i = 0; i < a.data.length; i++) squared += (a.data[i] - b.data[i]) ** 2;
  return 10 * Math.log10(a.data.length / squared);
}

const scenes = [1, 2, 3].map((seed) => generateTestScene({ width: 128, height: 128, seed }));
const SEEDS_PER_SCENE = 6;

describe('PSNR against the clean image', () => {
  it.each(DEGRADATION_IDS)('%s falls in its documented band', (id) => {
    const band = DEGRADATION_TABLE[id].expectedPsnrDb;
    const values: number[] = [];
    for (const scene of scenes) {
      for (let seed = 0; seed < SEEDS_PER_SCENE; seed++) values.push(psnr(degrade(scene, id, 1000 * seed + 17).image, scene));
    }
    expect(Math.min(...values)).toBeGreaterThanOrEqual(band.min);
    expect(Math.max(...values)).toBeLessThanOrEqual(band.max);
    // Sanity of the band itself: it must describe a real loss, well below the 58.9 dB of 8-bit quantisation alone
    // (JPEG reaches quality 95, which loses little on the smooth synthetic scenes).
    expect(band.max).toBeLessThan(45);
  });
});
