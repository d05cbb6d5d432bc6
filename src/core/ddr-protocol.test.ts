import { describe, expect, it } from 'vitest';
import { ddrStatistic } from './ddr';
import { analyseDegradation, cropPatches, jsCentredGram, planPatches, type DdrProtocol } from './ddr-protocol';
import { createImage, type RgbImage } from './image';
import { DescriptorSummary } from './jpeg-check';
import { createRng } from './random';

function randomImage(w: number, h: number, seed: number): RgbImage {
  const rng = createRng(seed);
  return createImage(w, h, Float32Array.from({ length: w * h * 3 }, () => rng.normal() * 0.1 + 0.5));
}

/** The pixels themselves as features: lets the test recompute the statistic independently. */
const pixelFeatures = async (patches: RgbImage[]) => {
  const cols = patches[0].data.length;
  const rows = new Float32Array(patches.length * cols);
  patches.forEach((p, i) => rows.set(p.data, i * cols));
  return { rows, cols };
};

const protocol: DdrProtocol = { patchSize: 8, patchCount: 24, seed: 5, k: 10, trimSigmas: 5 };

describe('DDR protocol', () => {
  it('plans the same patches for the same seed, spread round-robin, inside each image', () => {
    const sizes = [{ width: 30, height: 20 }, { width: 8, height: 8 }, { width: 5, height: 40 }];
    const a = planPatches(sizes, protocol);
    expect(planPatches(sizes, protocol)).toEqual(a);
    expect(planPatches(sizes, { ...protocol, seed: 6 })).not.toEqual(a);
    expect(a.map((b) => b.image)).toEqual(Array.from({ length: 24 }, (_, i) => [0, 1][i % 2])); // image 2 is too narrow
    for (const b of a) {
      expect(b.x + 8).toBeLessThanOrEqual(sizes[b.image].width);
      expect(b.y + 8).toBeLessThanOrEqual(sizes[b.image].height);
    }
  });

  it('refuses images smaller than one patch with a message in the user’s terms', () => {
    expect(() => planPatches([{ width: 7, height: 100 }], protocol)).toThrow(/too small to analyse: it needs at least 8×8 pixels/);
  });

  it('explains a flat image in the user’s terms', async () => {
    const flat = createImage(20, 20, new Float32Array(20 * 20 * 3).fill(0.4));
    await expect(analyseDegradation([flat], protocol, pixelFeatures, { gram: jsCentredGram })).rejects.toThrow(/the image looks flat/);
  });

  it('equals the DDR statistic of the stacked patch features, whatever the batch size', async () => {
    const images = [randomImage(40, 30, 1), randomImage(25, 25, 2)];
    const boxes = planPatches(images, protocol);
    const patches = cropPatches(images, boxes, protocol.patchSize);
    const { rows, cols } = await pixelFeatures(patches);
    const direct = ddrStatistic(rows, patches.length, cols, { k: protocol.k, trimSigmas: 5 });
    for (const batch of [1, 5, 24, 100]) {
      const analysed = await analyseDegradation(images, protocol, pixelFeatures, { batch, gram: jsCentredGram });
      expect(analysed.ggd).toEqual(direct.ggd);
      expect(analysed.patches).toBe(24);
      expect(analysed.featureLength).toBe(8 * 8 * 3);
    }
  });

  it('summarises the same features for the JPEG check, each patch at its place in its image', async () => {
    const images = [randomImage(40, 30, 1), randomImage(25, 25, 2)];
    const boxes = planPatches(images, protocol);
    const { rows } = await pixelFeatures(cropPatches(images, boxes, protocol.patchSize));
    const direct = new DescriptorSummary(3, protocol.patchSize);
    direct.add(rows, boxes);
    for (const batch of [1, 7, 100]) {
      expect((await analyseDegradation(images, protocol, pixelFeatures, { batch, gram: jsCentredGram })).summary).toEqual(direct.finish());
    }
    // Features that are not maps of the patch size have no summary.
    const pooled = async (patches: RgbImage[]) => ({ rows: Float32Array.from(patches.flatMap((p) => [p.data[0], p.data[1], p.data[5]])), cols: 3 });
    expect((await analyseDegradation(images, protocol, pooled, { gram: jsCentredGram })).summary).toBeNull();
  });
});
