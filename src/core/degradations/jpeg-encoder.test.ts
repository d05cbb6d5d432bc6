import { encode as jpegJsEncode } from 'jpeg-js';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeJpeg, encodeJpeg } from './jpeg-codec.ts';
import { encodeBaselineJpeg } from './jpeg-encoder.ts';

/** jpeg-js's own encoder (returns a Node Buffer here), as plain bytes. */
function reference(rgba: Uint8Array, width: number, height: number, quality: number): Uint8Array {
  return new Uint8Array(jpegJsEncode({ width, height, data: rgba }, quality).data);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Pixel = (x: number, y: number, c: number) => number;

function makeRgba(width: number, height: number, pixel: Pixel): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) rgba[i + c] = pixel(x, y, c);
      rgba[i + 3] = (x * 7 + y) & 255; // alpha must be ignored
    }
  }
  return rgba;
}

const PATTERNS: Record<string, (width: number, height: number) => Pixel> = {
  noise: (width, height) => {
    const rng = mulberry32(width * 1000 + height);
    return () => Math.floor(rng() * 256);
  },
  smooth: (width, height) => (x, y, c) =>
    Math.round(127.5 + 120 * Math.sin((x / Math.max(width, 2)) * 3 + c) * Math.cos((y / Math.max(height, 2)) * 2 - c)),
  // Full-range edges: checkerboard, stripes and saturated colour blocks, which drive the largest coefficients.
  structured: () => (x, y, c) => {
    if (((x >> 3) + (y >> 3)) % 3 === 0) return (x + y) % 2 === 0 ? 255 : 0;
    if (((x >> 3) + (y >> 3)) % 3 === 1) return (x >> (c + 1)) % 2 === 0 ? 255 : 0;
    return [255, 0, 128][(c + (x >> 2) + (y >> 2)) % 3];
  },
};

const SIZES: [number, number][] = [
  [1, 1],
  [7, 13],
  [8, 8],
  [48, 48],
  [97, 61],
];
const QUALITIES = [1, 10, 25, 40, 75, 100];

function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual.length).toBe(expected.length);
  let firstDiff = -1;
  for (let i = 0; i < actual.length && firstDiff < 0; i++) if (actual[i] !== expected[i]) firstDiff = i;
  expect(firstDiff, 'first differing byte').toBe(-1);
}

describe('encodeBaselineJpeg', () => {
  describe('is byte-identical to jpeg-js encode', () => {
    for (const [name, pattern] of Object.entries(PATTERNS)) {
      for (const [width, height] of SIZES) {
        it(`${name} ${width}×${height} at qualities ${QUALITIES.join(', ')}`, () => {
          const rgba = makeRgba(width, height, pattern(width, height));
          for (const quality of QUALITIES) {
            expectSameBytes(encodeBaselineJpeg(rgba, width, height, quality), reference(rgba, width, height, quality));
          }
        });
      }
    }

    it("follows jpeg-js's handling of unusual qualities (0 and NaN mean 50; clamped; not rounded)", () => {
      const rgba = makeRgba(23, 17, PATTERNS.smooth(23, 17));
      for (const quality of [0, Number.NaN, -5, 0.5, 33.3, 50, 62.5, 99.9, 150]) {
        expectSameBytes(encodeBaselineJpeg(rgba, 23, 17, quality), reference(rgba, 23, 17, quality));
      }
    });

    it('when the output outgrows the initial buffer (256×256 noise at quality 100)', () => {
      const rgba = makeRgba(256, 256, PATTERNS.noise(256, 256));
      const ours = encodeBaselineJpeg(rgba, 256, 256, 100);
      expect(ours.length).toBeGreaterThan(1024 + 256 * 256);
      expectSameBytes(ours, reference(rgba, 256, 256, 100));
    });

    it('after a huge image, and through the jpeg-codec adapter', () => {
      const big = makeRgba(1400, 1400, PATTERNS.noise(1400, 1400));
      const bigJpeg = encodeBaselineJpeg(big, 1400, 1400, 100);
      expect(bigJpeg.length).toBeGreaterThan(1 << 22); // the writer drops its grown buffer afterwards
      expect([bigJpeg[0], bigJpeg[1], bigJpeg[bigJpeg.length - 2], bigJpeg[bigJpeg.length - 1]]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      const rgba = makeRgba(97, 61, PATTERNS.structured(97, 61));
      expectSameBytes(encodeJpeg(rgba, 97, 61, 40), reference(rgba, 97, 61, 40));
    });

    it('accepts a Uint8ClampedArray (canvas ImageData) like a Uint8Array', () => {
      const rgba = makeRgba(19, 11, PATTERNS.noise(19, 11));
      expectSameBytes(encodeBaselineJpeg(new Uint8ClampedArray(rgba), 19, 11, 75), reference(rgba, 19, 11, 75));
    });
  });

  it('needs no global Buffer', () => {
    const rgba = makeRgba(48, 48, PATTERNS.smooth(48, 48));
    const expected = reference(rgba, 48, 48, 25);
    const host = globalThis as { Buffer?: unknown };
    const saved = host.Buffer;
    let bytes: Uint8Array;
    delete host.Buffer;
    try {
      bytes = encodeBaselineJpeg(rgba, 48, 48, 25);
    } finally {
      host.Buffer = saved;
    }
    expectSameBytes(bytes, expected);
  });

  it('rejects sizes that are not whole pixels in 1–65535, and short pixel data', () => {
    const rgba = new Uint8Array(4 * 4 * 4);
    expect(() => encodeBaselineJpeg(rgba, 0, 4, 50)).toThrow(RangeError);
    expect(() => encodeBaselineJpeg(rgba, 4, 2.5, 50)).toThrow(RangeError);
    expect(() => encodeBaselineJpeg(rgba, 65536, 1, 50)).toThrow(RangeError);
    expect(() => encodeBaselineJpeg(rgba, 4, 5, 50)).toThrow(/bytes/);
  });

  it('decodes with libjpeg-turbo (sharp) to the right size, close to the input at quality 95', async () => {
    for (const [width, height] of [
      [1, 1],
      [7, 13],
      [97, 61],
    ] as const) {
      const rgba = makeRgba(width, height, PATTERNS.smooth(width, height));
      const { data, info } = await sharp(encodeBaselineJpeg(rgba, width, height, 95)).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
      let se = 0;
      for (let p = 0; p < width * height; p++) {
        for (let c = 0; c < 3; c++) se += (data[p * 3 + c] - rgba[p * 4 + c]) ** 2;
      }
      const psnr = 10 * Math.log10((255 * 255 * width * height * 3) / Math.max(se, 1e-9));
      expect(psnr, `${width}×${height}`).toBeGreaterThan(30);
      // jpeg-js's decoder (used by decodeJpeg) agrees with libjpeg-turbo up to IDCT rounding.
      const ours = decodeJpeg(encodeBaselineJpeg(rgba, width, height, 95));
      let worst = 0;
      for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(data[i] - ours.rgb[i]));
      expect(worst).toBeLessThanOrEqual(3);
    }
  });

  it('speed (printed, not asserted)', () => {
    const lines: string[] = [];
    for (const side of [48, 256]) {
      const rgba = makeRgba(side, side, PATTERNS.smooth(side, side));
      const times: number[] = [];
      for (let i = 0; i < 25; i++) {
        const t0 = performance.now();
        encodeBaselineJpeg(rgba, side, side, 10 + (i % 4) * 10);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      lines.push(`${side}×${side}: ${times[times.length >> 1].toFixed(2)} ms median`);
    }
    console.log(`encodeBaselineJpeg ${lines.join(', ')}`);
  });
});
