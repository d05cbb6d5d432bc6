import { describe, expect, it } from 'vitest';
import { CENTRED_GRAM_ONNX } from '../../core/centred-gram-onnx';
import { centredGram, ddrStatistic, symmetrisedGram } from '../../core/ddr';
import { analyseDegradation, jsCentredGram, type DdrProtocol } from '../../core/ddr-protocol';
import { createImage, type RgbImage } from '../../core/image';
import { createRng } from '../../core/random';
import { buildCentredGramOnnx } from './centred-gram';
import { ortCentredGram } from './ort-node';

/** A stack with a large common offset per column, so that skipping or botching the centring shows. */
function offsetStack(rows: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const offsets = Float32Array.from({ length: cols }, () => 5 + rng.normal());
  return Float32Array.from({ length: rows * cols }, (_, i) => offsets[i % cols] + rng.normal() * (1 + (i % 7)));
}

const pixelFeatures = async (patches: RgbImage[]) => {
  const cols = patches[0].data.length;
  const rows = new Float32Array(patches.length * cols);
  patches.forEach((p, i) => rows.set(p.data, i * cols));
  return { rows, cols };
};

describe('the centred-Gram ONNX graph', () => {
  it('ships exactly the graph the builder makes (regenerate with npm run gen:centred-gram)', () => {
    expect(Array.from(CENTRED_GRAM_ONNX)).toEqual(Array.from(buildCentredGramOnnx()));
  });

  it('equals the float64 JS Gram of the centred stack to float32 accuracy', async () => {
    const gram = ortCentredGram(1);
    for (const [rows, cols] of [[2, 3], [97, 1000], [384, 2048]]) {
      const stack = offsetStack(rows, cols, rows);
      const expected = centredGram(stack, rows, cols);
      const actual = await gram(stack, rows, cols);
      expect(actual.length).toBe(rows * rows);
      let scale = 0;
      for (let i = 0; i < rows; i++) scale = Math.max(scale, expected[i * rows + i]);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
      expect(worst / scale, `${rows}×${cols}`).toBeLessThan(2e-5);
    }
  });

  it('gives the DDR statistic of the JS path, and still explains a flat image', async () => {
    const protocol: DdrProtocol = { patchSize: 8, patchCount: 64, seed: 3, k: 16, trimSigmas: 5 };
    const rng = createRng(9);
    const image = createImage(48, 40, Float32Array.from({ length: 48 * 40 * 3 }, () => 0.5 + 0.1 * rng.normal()));
    const viaOrt = await analyseDegradation([image], protocol, pixelFeatures, { gram: ortCentredGram(1) });
    const viaJs = await analyseDegradation([image], protocol, pixelFeatures, { gram: jsCentredGram });
    expect(viaOrt.ggd.sigma).toBeCloseTo(viaJs.ggd.sigma, 5);
    expect(Math.abs(viaOrt.ggd.beta - viaJs.ggd.beta)).toBeLessThanOrEqual(1e-3); // the fit's β grid step
    expect(viaOrt.componentsUsed).toBe(viaJs.componentsUsed);

    // 0.1 is not a float32 value: the float32 column means of identical rows are not exact.
    const flat = createImage(20, 20, new Float32Array(20 * 20 * 3).fill(0.1));
    await expect(analyseDegradation([flat], protocol, pixelFeatures, { gram: ortCentredGram(1) })).rejects.toThrow(/the image looks flat/);
  });

  it('symmetrises a float32 Gram and rejects a wrong size or non-finite entries', () => {
    expect(Array.from(symmetrisedGram([1, 2, 4, 3], 2))).toEqual([1, 3, 3, 3]);
    expect(() => symmetrisedGram([1, 2, 3], 2)).toThrow(/expected 2×2/);
    expect(() => symmetrisedGram([1, Number.NaN, 0, 1], 2)).toThrow(/not finite/);
    // ddrStatistic (JS path) is untouched by the split into Gram + statistic.
    const stack = offsetStack(30, 40, 1);
    expect(ddrStatistic(stack, 30, 40, { k: 8 }).componentsUsed).toBe(8);
  });
});
