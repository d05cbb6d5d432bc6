import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImage, quantize8, toRgb8, toRgba8, type RgbImage } from '../image.ts';
import { createRng } from '../random.ts';
import { applyRichardsonLucy } from './blur.ts';
import { DEGRADATION_IDS, type DegradationId } from './ids.ts';
import { drawBlobMask, drawStrokeMask } from './inpainting.ts';
import { decodeJpeg, encodeJpeg } from './jpeg-codec.ts';
import { DEGRADATION_LIST, DEGRADATIONS, degrade, getDegradation } from './registry.ts';
import { RESIZE_METHODS } from './resize.ts';
import { scaledSide } from './sr.ts';
import { DEGRADATION_TABLE, paramSpecsOf, type DegradationSpec } from './table.ts';
import { generateTestScene } from './test-scenes.ts';

const scene64 = generateTestScene({ width: 64, height: 64, seed: 11 });
const scene256 = generateTestScene({ width: 256, height: 256, seed: 1 });

function constantImage(width: number, height: number, value: number): RgbImage {
  return createImage(width, height, new Float32Array(width * height * 3).fill(value));
}

function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, variance: squares / values.length };
}

/** Randomness beyond fixed parameters: anything sampled, or drawn inside apply. */
const RANDOM_IDS: readonly DegradationId[] = DEGRADATION_IDS.filter(
  (id) => id !== 'rl' && id !== 'ringing', // both are fully fixed, deterministic filters
);

describe.each(DEGRADATION_IDS)('%s', (id) => {
  const degradation = getDegradation(id);

  it('is registered once under its id with the table name', () => {
    expect(degradation.id).toBe(id);
    expect(degradation.name).toBe(DEGRADATION_TABLE[id].name);
    expect(DEGRADATION_LIST.filter((d) => d.id === id)).toHaveLength(1);
  });

  it('gives the same bytes for the same seed, and leaves the input untouched', () => {
    const before = Float32Array.from(scene64.data);
    const a = degrade(scene64, id, 1234);
    const b = degrade(scene64, id, 1234);
    expect(toRgb8(a.image)).toEqual(toRgb8(b.image));
    expect(a.params).toEqual(b.params);
    expect(scene64.data).toEqual(before);
    expect([a.image.width, a.image.height]).toEqual([64, 64]);
  });

  it(RANDOM_IDS.includes(id) ? 'varies with the seed' : 'is the same for every seed', () => {
    const reference = toRgb8(degrade(scene64, id, 0).image);
    const differs = [1, 2, 3, 4, 5].some((seed) => !toRgb8(degrade(scene64, id, seed).image).every((v, i) => v === reference[i]));
    expect(differs).toBe(RANDOM_IDS.includes(id));
  });

  it('outputs 8-bit quantised values in [0, 1]', () => {
    for (const seed of [5, 6, 7]) {
      const offGrid = degrade(scene64, id, seed).image.data.filter(
        (v) => !(v >= 0 && v <= 1) || Math.abs(v * 255 - Math.round(v * 255)) > 1e-3,
      );
      expect(Array.from(offGrid)).toEqual([]);
    }
  });

  it('samples plain JSON params inside the table ranges, and replays them exactly', () => {
    const row: DegradationSpec = DEGRADATION_TABLE[id];
    const families = new Set<string>();
    for (let seed = 0; seed < 60; seed++) {
      const params = degradation.sampleParams(createRng(seed)) as Record<string, number | string>;
      const family = params.family as string | undefined;
      if (row.families) families.add(family!);
      const specs = paramSpecsOf(id, family);
      expect(Object.keys(params)).toEqual([...Object.keys(row.params), ...(row.families ? ['family'] : []), ...Object.keys(specs).slice(Object.keys(row.params).length)]);
      expect(JSON.parse(JSON.stringify(params))).toEqual(params);
      for (const [name, spec] of Object.entries(specs)) {
        const value = params[name];
        if (spec.kind === 'fixed') expect(value).toBe(spec.value);
        else if (spec.kind === 'choice') expect(spec.options).toContain(value);
        else {
          expect(value).toBeGreaterThanOrEqual(spec.min);
          expect(value).toBeLessThanOrEqual(spec.max);
          if (spec.kind === 'integer') expect(Number.isInteger(value)).toBe(true);
        }
      }
    }
    // 60 draws reach every family (the rarest has a weight of 0.15).
    expect([...families].sort()).toEqual(Object.keys(row.families ?? {}).sort());
    // A logged params object, read back from JSON, reproduces the image given the same apply Rng.
    const params = degradation.sampleParams(createRng(99));
    const replayed = JSON.parse(JSON.stringify(params)) as typeof params;
    const first = degradation.apply(scene64, params, createRng(7));
    const second = degradation.apply(scene64, replayed, createRng(7));
    expect(toRgb8(second)).toEqual(toRgb8(first));
  });
});

describe('R-L', () => {
  /**
   * The textbook route, written out independently: numpy-style linear-ramp padding by 7, then one
   * Richardson–Lucy update x1 = x0 · Kᵀ∗(y / K∗x0) from x0 = 0.5 with a 5×5 box K ('same'
   * convolutions with zero boundary on the padded image), then the crop.
   */
  function richardsonLucyBruteForce(image: RgbImage): Float64Array {
    const pad = 7;
    const { width, height, data } = image;
    const pw = width + 2 * pad;
    const ph = height + 2 * pad;
    const out = new Float64Array(data.length);
    for (let c = 0; c < 3; c++) {
      const y = new Float64Array(pw * ph);
      for (let py = 0; py < ph; py++) {
        for (let px = 0; px < pw; px++) {
          const sy = Math.min(height - 1, Math.max(0, py - pad));
          const sx = Math.min(width - 1, Math.max(0, px - pad));
          const dy = py < pad ? pad - py : py >= pad + height ? py - pad - height + 1 : 0;
          const dx = px < pad ? pad - px : px >= pad + width ? px - pad - width + 1 : 0;
          y[py * pw + px] = data[(sy * width + sx) * 3 + c] * (1 - dy / pad) * (1 - dx / pad);
        }
      }
      const boxSame = (f: Float64Array) => {
        const g = new Float64Array(f.length);
        for (let py = 0; py < ph; py++) {
          for (let px = 0; px < pw; px++) {
            let s = 0;
            for (let ky = -2; ky <= 2; ky++) {
              for (let kx = -2; kx <= 2; kx++) {
                const qy = py + ky;
                const qx = px + kx;
                if (qy >= 0 && qy < ph && qx >= 0 && qx < pw) s += f[qy * pw + qx] / 25;
              }
            }
            g[py * pw + px] = s;
          }
        }
        return g;
      };
      const x0 = new Float64Array(pw * ph).fill(0.5);
      const blurredEstimate = boxSame(x0);
      const ratio = y.map((v, i) => v / blurredEstimate[i]);
      const correction = boxSame(ratio); // the box is symmetric, so Kᵀ = K
      for (let yy = 0; yy < height; yy++) {
        for (let xx = 0; xx < width; xx++) {
          const i = (yy + pad) * pw + (xx + pad);
          out[(yy * width + xx) * 3 + c] = x0[i] * correction[i];
        }
      }
    }
    return out;
  }

  it('equals one literal Richardson–Lucy iteration on the ramp-padded image', () => {
    const image = generateTestScene({ width: 40, height: 28, seed: 4 });
    const expected = richardsonLucyBruteForce(image);
    const raw = applyRichardsonLucy(image, { padding: 7, psfSize: 5 });
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(raw.data[i] - expected[i]));
    expect(worst).toBeLessThan(1e-5);
    // The registered degradation is the same thing, quantised.
    const registered = DEGRADATIONS.rl.apply(image, { padding: 7, psfSize: 5 }, createRng(0));
    const expectedBytes = toRgb8(quantize8(createImage(40, 28, Float32Array.from(expected))));
    const bytes = toRgb8(registered);
    let mismatches = 0;
    for (let i = 0; i < bytes.length; i++) {
      expect(Math.abs(bytes[i] - expectedBytes[i])).toBeLessThanOrEqual(1);
      if (bytes[i] !== expectedBytes[i]) mismatches++;
    }
    expect(mismatches).toBeLessThan(bytes.length * 0.001); // only float ties at a rounding boundary
  });

  it('darkens the border (the ramp pulls in zeros) but not the interior of a flat image', () => {
    const out = DEGRADATIONS.rl.apply(constantImage(20, 20, 0.6), { padding: 7, psfSize: 5 }, createRng(0));
    expect(out.data[(10 * 20 + 10) * 3]).toBeCloseTo(0.6, 2);
    // Corner: 3×3 of the 5×5 window is image, the rest ramp values (6/7, 5/7 of the edge in each direction).
    const w = [5 / 7, 6 / 7, 1, 1, 1];
    const expectedCorner = (0.6 * w.reduce((a, b) => a + b) ** 2) / 25;
    expect(out.data[0]).toBeCloseTo(Math.round(expectedCorner * 255) / 255, 6);
  });
});

describe('inpainting', () => {
  const maskOf = (params: ReturnType<typeof DEGRADATIONS.inpainting.sampleParams>, size: number, rng: ReturnType<typeof createRng>) =>
    params.family === 'strokes' ? drawStrokeMask(size, size, params.strokes, params.thickness, rng) : drawBlobMask(size, size, params.blobs, params.size, rng);

  it('the mask covers 0.3–25 % of a 256×256 image over many seeds, in both families', () => {
    const coverages: Record<string, number[]> = { strokes: [], blobs: [] };
    for (let seed = 0; seed < 200; seed++) {
      const rng = createRng(seed);
      const params = DEGRADATIONS.inpainting.sampleParams(rng);
      const mask = maskOf(params, 256, rng);
      coverages[params.family].push(mask.reduce((a, b) => a + b, 0) / mask.length);
    }
    const all = [...coverages.strokes, ...coverages.blobs];
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0.003);
    expect(Math.max(...all)).toBeLessThanOrEqual(0.25);
    expect(meanAndVariance(coverages.strokes).mean).toBeGreaterThan(0.04);
    expect(meanAndVariance(coverages.strokes).mean).toBeLessThan(0.15);
    // Blobs: about count·π·size² of the image (an ellipse of mean radius `size` keeps the disk's area).
    expect(meanAndVariance(coverages.blobs).mean).toBeGreaterThan(0.01);
    expect(meanAndVariance(coverages.blobs).mean).toBeLessThan(0.06);
  });

  it('a blob of mean radius r covers about πr² pixels', () => {
    let area = 0;
    for (let seed = 0; seed < 50; seed++) area += drawBlobMask(200, 200, 1, 12, createRng(seed)).reduce((a, b) => a + b, 0);
    // Blobs that reach past the border are cut, and the rim's wobble adds about ½·Σa² of the area.
    expect(area / 50 / (Math.PI * 144)).toBeGreaterThan(0.8);
    expect(area / 50 / (Math.PI * 144)).toBeLessThan(1.15);
  });

  it('a stroke is a capsule of the requested thickness', () => {
    // One horizontal-ish stroke can be measured: count mask pixels in a column crossing its middle.
    const rng = createRng(3);
    const mask = drawStrokeMask(200, 200, 1, 8, rng);
    const columns = Array.from({ length: 200 }, (_, x) => {
      let n = 0;
      for (let y = 0; y < 200; y++) n += mask[y * 200 + x];
      return n;
    });
    expect(Math.max(...columns)).toBeGreaterThanOrEqual(8); // a segment crossing a column spans ≥ thickness
  });

  it('paints exactly the mask pixels, fully white or black', () => {
    const families = new Set<string>();
    for (const seed of [21, 22, 23, 24, 25, 26]) {
      const { image, params } = degrade(scene256, 'inpainting', seed);
      families.add(params.family);
      const rng = createRng(seed);
      DEGRADATIONS.inpainting.sampleParams(rng);
      const mask = maskOf(params, 256, rng);
      const value = params.colour === 'white' ? 1 : 0;
      let wrong = 0;
      for (let i = 0; i < image.data.length; i++) {
        if (image.data[i] !== (mask[Math.floor(i / 3)] ? value : scene256.data[i])) wrong++;
      }
      expect(wrong).toBe(0);
      expect(mask.some((m) => m === 1)).toBe(true);
    }
    expect(families.size).toBe(2);
  });
});

describe('salt & pepper', () => {
  const flat = quantize8(constantImage(256, 256, 0.5));
  it.each(['location', 'channel'] as const)('%s: replaces the drawn share of values, white in the drawn share', (family) => {
    for (const [amount, saltFraction] of [[0.02, 0.3], [0.05, 0.5], [0.1, 0.7]]) {
      const image = DEGRADATIONS.salt_pepper.apply(flat, { family, amount, saltFraction }, createRng(amount * 100));
      let white = 0;
      let black = 0;
      let mixed = 0; // pixels whose channels did not all change alike
      for (let p = 0; p < 256 * 256; p++) {
        const o = image.data.subarray(p * 3, p * 3 + 3);
        for (const v of o) (v === 1 ? white++ : v === 0 ? black++ : 0);
        if (!(o[0] === o[1] && o[1] === o[2])) mixed++;
      }
      const values = 256 * 256 * 3;
      const rate = (white + black) / values;
      expect(rate).toBeGreaterThan(amount * 0.93);
      expect(rate).toBeLessThan(amount * 1.07);
      expect(white / (white + black)).toBeGreaterThan(saltFraction - 0.04);
      expect(white / (white + black)).toBeLessThan(saltFraction + 0.04);
      // Per channel apart, a pixel is hit on one channel only about as often as 3·a·(1 − a)²; together, never.
      if (family === 'location') expect(mixed).toBe(0);
      else expect(mixed / (256 * 256)).toBeGreaterThan(3 * amount * (1 - amount) ** 2 * 0.9);
    }
  });
});

describe('Gaussian noise', () => {
  it('has the sampled σ (in 8-bit levels) and zero mean on a mid-grey image', () => {
    const grey = quantize8(constantImage(128, 128, 0.5));
    for (const seed of [1, 2, 3, 4]) {
      const sigma = 10 + 10 * seed;
      const image = DEGRADATIONS.gaussian_noise.apply(grey, { family: 'rgb', sigma }, createRng(seed));
      const params = { sigma };
      const residual = image.data.map((v, i) => v - grey.data[i]);
      const { mean, variance } = meanAndVariance(residual);
      expect(Math.abs(mean)).toBeLessThan(0.003);
      // Clipping at 0 / 1 trims at most ~1 % of σ at σ = 50/255; sampling error is ~0.3 %.
      expect(Math.sqrt(variance) * 255).toBeGreaterThan(params.sigma * 0.97);
      expect(Math.sqrt(variance) * 255).toBeLessThan(params.sigma * 1.02);
    }
  });
});

describe('Poisson noise', () => {
  it('has mean x and variance x/peak on flat images', () => {
    for (const level of [20, 77, 200]) {
      const x = level / 255;
      const flat = quantize8(constantImage(128, 128, x));
      const image = DEGRADATIONS.poisson_noise.apply(flat, { family: 'rgb', peak: 100 }, createRng(level));
      const { mean, variance } = meanAndVariance(image.data);
      expect(mean).toBeCloseTo(x, 2);
      // Quantising k/100 to 8 bits adds (1/255)²/12 of variance, well under the tolerance.
      expect(variance / (x / 100)).toBeGreaterThan(0.96);
      expect(variance / (x / 100)).toBeLessThan(1.04);
    }
  });

  it('keeps black black', () => {
    for (const family of ['rgb', 'luma'] as const) {
      const image = DEGRADATIONS.poisson_noise.apply(constantImage(16, 16, 0), { family, peak: 50 }, createRng(1));
      expect(image.data.every((v) => v === 0)).toBe(true);
    }
  });
});

describe('JPEG', () => {
  it('is a real JPEG that an independent decoder (libjpeg-turbo via sharp) reads the same way', async () => {
    const rgba = new Uint8Array(toRgba8(scene64).buffer);
    const bytes = encodeJpeg(rgba, 64, 64, 25);
    expect([bytes[0], bytes[1], bytes[bytes.length - 2], bytes[bytes.length - 1]]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    const ours = decodeJpeg(bytes);
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([64, 64, 3]);
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(data[i] - ours.rgb[i]));
    expect(worst).toBeLessThanOrEqual(3); // IDCT implementations differ by rounding only
  });

  it('works without a global Buffer (as in a browser bundle) and leaves none behind', () => {
    const withBuffer = degrade(scene64, 'jpeg', 3).image;
    const host = globalThis as { Buffer?: unknown };
    const saved = host.Buffer;
    let withoutBuffer: RgbImage;
    let leaked: unknown;
    delete host.Buffer;
    try {
      withoutBuffer = degrade(scene64, 'jpeg', 3).image;
      leaked = host.Buffer;
    } finally {
      host.Buffer = saved;
    }
    expect(leaked).toBeUndefined();
    expect(toRgb8(withoutBuffer)).toEqual(toRgb8(withBuffer));
  });

  it('loses more at lower quality', () => {
    const psnr = (q: number) => {
      const out = DEGRADATIONS.jpeg.apply(scene64, { family: 'once', quality: q, chroma: '4:4:4' }, createRng(0));
      let se = 0;
      for (let i = 0; i < out.data.length; i++) se += (out.data[i] - scene64.data[i]) ** 2;
      return 10 * Math.log10(out.data.length / se);
    };
    expect(psnr(10)).toBeLessThan(psnr(25));
    expect(psnr(25)).toBeLessThan(psnr(40));
    expect(psnr(40)).toBeLessThan(psnr(90));
  });
});

describe('SR', () => {
  it('always shrinks by at least a pixel and comes back at the original size', () => {
    expect(scaledSide(48, 0.999)).toBe(47);
    expect(scaledSide(48, 0.25)).toBe(12);
    expect(scaledSide(3, 0.25)).toBe(1);
    for (const method of RESIZE_METHODS) {
      const out = DEGRADATIONS.sr.apply(scene64, { factor: 1.001, downMethod: method, antialias: 'on', upMethod: 'bicubic' }, createRng(0));
      expect([out.width, out.height]).toEqual([64, 64]);
      expect(toRgb8(out)).not.toEqual(toRgb8(scene64));
    }
  });
});

describe('registry', () => {
  it('covers every id exactly once, in the paper order', () => {
    expect(DEGRADATION_LIST.map((d) => d.id)).toEqual([...DEGRADATION_IDS]);
    expect(Object.keys(DEGRADATIONS).sort()).toEqual([...DEGRADATION_IDS].sort());
  });

  it('degrade draws params then applies from one seeded stream', () => {
    const id: DegradationId = 'gaussian_noise';
    const rng = createRng(8);
    const params = DEGRADATIONS[id].sampleParams(rng);
    const image = DEGRADATIONS[id].apply(scene64, params, rng);
    const viaDegrade = degrade(scene64, id, 8);
    expect(viaDegrade.params).toEqual(params);
    expect(toRgb8(viaDegrade.image)).toEqual(toRgb8(image));
  });

  it('rejects unknown ids', () => {
    expect(() => getDegradation('haze' as DegradationId)).toThrow(RangeError);
  });
});
