import { describe, expect, it } from 'vitest';
import { createImage, cropImage, type RgbImage } from './image.ts';
import { createRng, type Rng } from './random.ts';
import { createBlender, featherRamp, planTiles, tileWeights, type Tile } from './tiling.ts';

function randomImage(width: number, height: number, rng: Rng): RgbImage {
  const image = createImage(width, height);
  for (let i = 0; i < image.data.length; i++) image.data[i] = rng.next();
  return image;
}

/** Runs a per-tile "model" through planTiles and the blender. */
function runTiled(
  image: RgbImage,
  tile: number,
  overlap: number,
  model: (input: RgbImage, t: Tile, index: number) => Float32Array = (input) => input.data,
): RgbImage {
  const tiles = planTiles(image.width, image.height, { tile, overlap });
  const blender = createBlender(image.width, image.height, { overlap });
  tiles.forEach((t, index) => blender.add(t, model(cropImage(image, t.x, t.y, t.w, t.h), t, index)));
  return blender.result();
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Checks the plan's windows are in bounds, full-size where possible, and cover every pixel. */
function checkPlan(width: number, height: number, tile: number, overlap: number): Tile[] {
  const tiles = planTiles(width, height, { tile, overlap });
  const cover = new Uint32Array(width * height);
  const bad = tiles.filter(
    (t) => t.x < 0 || t.y < 0 || t.x + t.w > width || t.y + t.h > height || t.w !== Math.min(tile, width) || t.h !== Math.min(tile, height),
  );
  expect(bad, `out-of-bounds or short tiles in ${width}×${height}, tile ${tile}, overlap ${overlap}`).toEqual([]);
  for (const t of tiles) {
    for (let y = t.y; y < t.y + t.h; y++) for (let x = t.x; x < t.x + t.w; x++) cover[y * width + x]++;
  }
  expect(cover.indexOf(0), `uncovered pixel in ${width}×${height}, tile ${tile}, overlap ${overlap}`).toBe(-1);
  return tiles;
}

/** Distinct sorted starts along x (or y) of a plan. */
const starts = (tiles: Tile[], axis: 'x' | 'y') => [...new Set(tiles.map((t) => t[axis]))].sort((a, b) => a - b);

describe('planTiles', () => {
  it('lays out a hand-checked example', () => {
    // width 100, tile 40, overlap 10: stride 30 → ceil(60/30) = 2 gaps → starts 0, 30, 60.
    // height 50: ceil(10/30) = 1 gap → starts 0, 10.
    const tiles = planTiles(100, 50, { tile: 40, overlap: 10 });
    expect(tiles).toEqual([
      { x: 0, y: 0, w: 40, h: 40 }, { x: 30, y: 0, w: 40, h: 40 }, { x: 60, y: 0, w: 40, h: 40 },
      { x: 0, y: 10, w: 40, h: 40 }, { x: 30, y: 10, w: 40, h: 40 }, { x: 60, y: 10, w: 40, h: 40 },
    ]);
    // 101 px no longer fits 3 tiles at stride 30: 4 tiles spread evenly (gaps 20, 21, 20).
    expect(starts(planTiles(101, 40, { tile: 40, overlap: 10 }), 'x')).toEqual([0, 20, 41, 61]);
  });

  it('covers the image, stays in bounds and keeps the overlap, for tiles of 1 px to 4096 px', () => {
    const sizes: [number, number][] = [[1, 1], [5, 3], [17, 29], [64, 64], [130, 7]];
    for (const tile of [1, 2, 3, 7, 64]) {
      for (const overlap of new Set([0, 1, Math.floor(tile / 2), tile - 1].filter((o) => o >= 0 && o < tile))) {
        for (const [w, h] of sizes) {
          const tiles = checkPlan(w, h, tile, overlap);
          for (const axis of ['x', 'y'] as const) {
            const s = starts(tiles, axis);
            const gaps = s.slice(1).map((v, i) => v - s[i]);
            expect(gaps.filter((g) => g < 1 || g > tile - overlap), `gaps ${gaps} for tile ${tile}/${overlap}`).toEqual([]);
          }
        }
      }
    }
    // 4096 px tiles on strips just wider than one tile (kept thin so the test stays fast).
    for (const overlap of [0, 1, 2048, 4095]) {
      checkPlan(4100, 2, 4096, overlap);
      checkPlan(3, 8200, 4096, overlap);
    }
    expect(planTiles(4096, 4096, { tile: 4096, overlap: 64 })).toEqual([{ x: 0, y: 0, w: 4096, h: 4096 }]);
  });

  it('gives one tile equal to the whole image when the image is smaller than a tile', () => {
    expect(planTiles(30, 20, { tile: 64, overlap: 8 })).toEqual([{ x: 0, y: 0, w: 30, h: 20 }]);
    expect(planTiles(1, 1, { tile: 4096, overlap: 4095 })).toEqual([{ x: 0, y: 0, w: 1, h: 1 }]);
    // Smaller along one axis only: full-height strips.
    expect(planTiles(100, 20, { tile: 64, overlap: 8 }).map((t) => [t.x, t.w, t.h])).toEqual([[0, 64, 20], [36, 64, 20]]);
  });

  it('rejects bad arguments with clear messages', () => {
    expect(() => planTiles(0, 10, { tile: 8, overlap: 0 })).toThrow(/image width must be a positive integer, got 0/);
    expect(() => planTiles(10, 2.5, { tile: 8, overlap: 0 })).toThrow(/image height/);
    expect(() => planTiles(10, 10, { tile: 0, overlap: 0 })).toThrow(/tile must be a positive integer/);
    expect(() => planTiles(10, 10, { tile: 8, overlap: 8 })).toThrow(/0 ≤ overlap < tile \(8\), got 8/);
    expect(() => planTiles(10, 10, { tile: 8, overlap: -1 })).toThrow(/overlap/);
  });
});

describe('createBlender', () => {
  it('reconstructs the input exactly with an identity model, for random sizes and tilings', () => {
    const rng = createRng(2024);
    for (let trial = 0; trial < 60; trial++) {
      const tile = rng.int(1, 48);
      const overlap = rng.int(0, tile - 1);
      // Keep the tile count moderate for tiny tiles.
      const maxSize = tile < 4 ? 24 : 120;
      const image = randomImage(rng.int(1, maxSize), rng.int(1, maxSize), rng);
      const out = runTiled(image, tile, overlap);
      expect(maxAbsDiff(out.data, image.data), `trial ${trial}: ${image.width}×${image.height}, tile ${tile}/${overlap}`)
        .toBeLessThanOrEqual(1e-6);
    }
  });

  it('reconstructs exactly for tiles of 1 px to 4096 px at the extreme overlaps', () => {
    const rng = createRng(7);
    for (const tile of [1, 2, 3, 7, 64]) {
      for (const overlap of [0, tile - 1]) {
        for (const [w, h] of [[5, 3], [17, 29], [70, 66]]) {
          if (tile < 3 && w * h > 600) continue; // thousands of 1-px tiles prove nothing more
          const image = randomImage(w, h, rng);
          expect(maxAbsDiff(runTiled(image, tile, overlap).data, image.data)).toBeLessThanOrEqual(1e-6);
        }
      }
    }
    for (const overlap of [0, 1000, 4095]) {
      const image = randomImage(4100, 2, rng);
      expect(maxAbsDiff(runTiled(image, 4096, overlap).data, image.data)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('returns the input for an image smaller than one tile', () => {
    const image = randomImage(13, 9, createRng(1));
    const out = runTiled(image, 64, 16);
    expect(maxAbsDiff(out.data, image.data)).toBeLessThanOrEqual(1e-6);
  });

  it('matches a brute-force Σw·v / Σw with positive weight sums everywhere', () => {
    const rng = createRng(99);
    for (const [w, h, tile, overlap] of [[50, 37, 16, 5], [33, 33, 8, 7], [20, 9, 6, 0], [41, 23, 12, 11]]) {
      const image = randomImage(w, h, rng);
      const tiles = planTiles(w, h, { tile, overlap });
      // Each tile returns its input plus noise, so tiles disagree and the weights matter.
      const outputs = tiles.map((t) => cropImage(image, t.x, t.y, t.w, t.h).data.map((v) => v + rng.uniform(-0.2, 0.2)));

      const sumW = new Float64Array(w * h);
      const sumWV = new Float64Array(w * h * 3);
      tiles.forEach((t, k) => {
        const weights = tileWeights(t, w, h, overlap);
        for (let j = 0; j < t.h; j++) {
          for (let i = 0; i < t.w; i++) {
            const p = (t.y + j) * w + t.x + i;
            const wt = weights[j * t.w + i];
            if (!(wt > 0 && wt <= 1)) throw new Error(`weight ${wt} outside (0, 1] in tile ${k}`);
            sumW[p] += wt;
            for (let c = 0; c < 3; c++) sumWV[p * 3 + c] += wt * outputs[k][(j * t.w + i) * 3 + c];
          }
        }
      });
      expect(sumW.every((s) => s > 0)).toBe(true);

      const blender = createBlender(w, h, { overlap });
      tiles.forEach((t, k) => blender.add(t, outputs[k]));
      const out = blender.result();
      let weightError = 0;
      let valueError = 0;
      for (let p = 0; p < w * h; p++) {
        weightError = Math.max(weightError, Math.abs(blender.weights[p] - sumW[p]));
        for (let c = 0; c < 3; c++) valueError = Math.max(valueError, Math.abs(out.data[p * 3 + c] - sumWV[p * 3 + c] / sumW[p]));
      }
      expect(weightError).toBeLessThan(1e-5);
      expect(valueError).toBeLessThan(1e-5);
    }
  });

  it('feathers a per-tile offset into a smooth ramp instead of a seam', () => {
    const tile = 32;
    const rng = createRng(5);
    const flat = (w: number, h: number) => createImage(w, h, new Float32Array(w * h * 3).fill(0.5));
    /** A "model" that adds its own random constant to every tile, plus that list of constants. */
    const offsetModel = (w: number, h: number, overlap: number) => {
      const offsets = planTiles(w, h, { tile, overlap }).map(() => rng.uniform(-0.3, 0.3));
      return { offsets, model: (input: RgbImage, _t: Tile, index: number) => input.data.map((v) => v + offsets[index]) };
    };
    const maxJump = (image: RgbImage) => {
      const at = (x: number, y: number) => image.data[(y * image.width + x) * 3];
      let max = 0;
      for (let y = 0; y < image.height; y++) {
        for (let x = 0; x < image.width; x++) {
          if (x + 1 < image.width) max = Math.max(max, Math.abs(at(x + 1, y) - at(x, y)));
          if (y + 1 < image.height) max = Math.max(max, Math.abs(at(x, y + 1) - at(x, y)));
        }
      }
      return max;
    };

    // Without overlap, on an exact grid, tile boundaries are hard steps between tile offsets:
    // tiles 0 and 1 are horizontal neighbours (96 / 32 = 3 per row).
    const hard = offsetModel(96, 64, 0);
    const hardJump = maxJump(runTiled(flat(96, 64), tile, 0, hard.model));
    expect(hardJump).toBeGreaterThanOrEqual(Math.abs(hard.offsets[1] - hard.offsets[0]) - 1e-6);

    for (const overlap of [4, 8, 12]) {
      const { offsets, model } = offsetModel(100, 90, overlap);
      const spread = Math.max(...offsets) - Math.min(...offsets);
      const jump = maxJump(runTiled(flat(100, 90), tile, overlap, model));
      // With at most two tiles overlapping along each axis (overlap ≤ tile/2 here), the share of
      // a tile in the blend changes by at most 1/(overlap+1) per pixel, and a step of the output
      // is that share change times a difference of offsets.
      expect(jump).toBeLessThanOrEqual(spread / (overlap + 1) + 1e-6);
      expect(jump).toBeGreaterThan(0);
      expect(jump).toBeLessThan(hardJump);
    }
  });

  it('keeps each tile’s own output where no other tile overlaps it', () => {
    const out = runTiled(createImage(80, 80, new Float32Array(80 * 80 * 3)), 48, 16, (input, _t, index) =>
      input.data.map(() => index + 1),
    );
    // Tiles start at 0 and 32; (10, 10) is only in tile 0 and (70, 70) only in tile 3.
    expect(out.data[(10 * 80 + 10) * 3]).toBe(1);
    expect(out.data[(70 * 80 + 70) * 3]).toBe(4);
  });

  it('feathers only interior edges, ramping from 1/(r+1) to 1', () => {
    expect([...featherRamp(6, 3, false, false)]).toEqual([0.25, 0.5, 0.75, 0.75, 0.5, 0.25].map(Math.fround));
    expect([...featherRamp(6, 3, true, false)]).toEqual([1, 1, 1, 0.75, 0.5, 0.25].map(Math.fround));
    expect([...featherRamp(4, 0, false, false)]).toEqual([1, 1, 1, 1]);
    // Two neighbours overlapping by exactly r: their ramps sum to 1 across the overlap.
    const left = featherRamp(10, 4, true, false);
    const right = featherRamp(10, 4, false, true);
    for (let k = 0; k < 4; k++) expect(left[6 + k] + right[k]).toBeCloseTo(1, 6);
  });

  it('blends ×scale outputs at scaled coordinates', () => {
    const scale = 4;
    const rng = createRng(11);
    const image = randomImage(37, 21, rng);
    // "Model": nearest-neighbour upscaling, so the blended result must be the upscaled image.
    const upscale = (input: RgbImage) => {
      const out = new Float32Array(input.data.length * scale * scale);
      const ow = input.width * scale;
      for (let y = 0; y < input.height * scale; y++) {
        for (let x = 0; x < ow; x++) {
          const src = (Math.floor(y / scale) * input.width + Math.floor(x / scale)) * 3;
          out.set(input.data.subarray(src, src + 3), (y * ow + x) * 3);
        }
      }
      return out;
    };
    const blender = createBlender(37, 21, { overlap: 3, scale });
    expect([blender.width, blender.height]).toEqual([148, 84]);
    for (const t of planTiles(37, 21, { tile: 10, overlap: 3 })) blender.add(t, upscale(cropImage(image, t.x, t.y, t.w, t.h)));
    expect(maxAbsDiff(blender.result().data, upscale(image))).toBeLessThanOrEqual(1e-6);
    // The ramp spans overlap·scale output pixels.
    const weights = tileWeights({ x: 10, y: 0, w: 10, h: 10 }, 37, 21, 3, scale);
    expect(weights[0]).toBeCloseTo(1 / 13, 6);
    expect(weights[12]).toBeCloseTo(1, 6);
  });

  it('reports uncovered pixels and wrong tile data', () => {
    const blender = createBlender(10, 10, { overlap: 2 });
    blender.add({ x: 0, y: 0, w: 6, h: 10 }, new Float32Array(6 * 10 * 3));
    expect(() => blender.result()).toThrow(/output pixel \(6, 0\) is not covered/);
    expect(blender.result({ allowPartial: true }).width).toBe(10);
    expect(() => blender.add({ x: 6, y: 0, w: 6, h: 10 }, new Float32Array(6 * 10 * 3))).toThrow(/does not lie inside the 10×10 image/);
    expect(() => blender.add({ x: 4, y: 0, w: 6, h: 10 }, new Float32Array(5))).toThrow(/needs 6×10×3 = 180 values, got 5/);
    expect(() => createBlender(10, 10, { overlap: 2, scale: 1.5 })).toThrow(/scale must be a positive integer/);
    expect(() => createBlender(10, 10, { overlap: -1 })).toThrow(/overlap must be a non-negative integer/);
  });
});
