import { describe, expect, it } from 'vitest';
import { createImage, type RgbImage } from './image';
import { createRng } from './random';
import { runTiled } from './tiled-inference';

function randomImage(w: number, h: number, seed: number): RgbImage {
  const rng = createRng(seed);
  return createImage(w, h, Float32Array.from({ length: w * h * 3 }, () => rng.next()));
}

/** A pointwise "model" gives the same answer tiled or not, so tiling must reproduce it exactly. */
const pointwise = async (t: RgbImage) => createImage(t.width, t.height, t.data.map((v) => v * 0.5 + 0.1));

describe('runTiled', () => {
  it('matches running the model on the whole image, for many tile layouts', async () => {
    const image = randomImage(53, 37, 1);
    const whole = await pointwise(image);
    for (const [tile, overlap] of [[8, 0], [16, 4], [20, 7], [64, 8], [5, 4]]) {
      const tiled = await runTiled(image, pointwise, { tile, overlap });
      let maxDiff = 0;
      for (let i = 0; i < whole.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole.data[i] - tiled.data[i]));
      expect(maxDiff, `tile ${tile} overlap ${overlap}`).toBeLessThan(1e-6);
    }
  });

  it('upscaling models produce scale× outputs (nearest-neighbour ×2 "model")', async () => {
    const image = randomImage(19, 13, 2);
    const nearest2 = async (t: RgbImage) => {
      const out = createImage(t.width * 2, t.height * 2);
      for (let y = 0; y < out.height; y++)
        for (let x = 0; x < out.width; x++)
          for (let c = 0; c < 3; c++) out.data[(y * out.width + x) * 3 + c] = t.data[((y >> 1) * t.width + (x >> 1)) * 3 + c];
      return out;
    };
    const result = await runTiled(image, nearest2, { tile: 8, overlap: 2, scale: 2 });
    expect([result.width, result.height]).toEqual([38, 26]);
    expect(result.data[((5 * 2 + 1) * 38 + 7 * 2) * 3 + 1]).toBeCloseTo(image.data[(5 * 19 + 7) * 3 + 1], 6);
  });

  it('reports progress per tile and stops when aborted', async () => {
    const image = randomImage(40, 40, 3);
    const seen: number[] = [];
    const signal = { aborted: false };
    const run = runTiled(image, pointwise, {
      tile: 16, overlap: 4,
      onProgress: (done) => {
        seen.push(done);
        if (done === 2) signal.aborted = true;
      },
      signal,
    });
    await expect(run).rejects.toThrow(/cancelled after 2 of 9 tiles/);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('rejects a model that returns the wrong size', async () => {
    await expect(runTiled(randomImage(10, 10, 4), async (t) => createImage(t.width + 1, t.height), { tile: 8, overlap: 2 })).rejects.toThrow(/returned 9×8 for a 8×8 tile/);
  });
});
