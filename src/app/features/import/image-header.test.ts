import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import sharp from 'sharp';
import { isAnimated, readImageSize, sniffForeignFormat, sniffFormat } from './image-header';

async function encoded(format: 'png' | 'jpeg' | 'webp', width: number, height: number, options: { lossless?: boolean; alpha?: boolean; exif?: boolean } = {}) {
  const channels = options.alpha ? 4 : 3;
  let image = sharp({ create: { width, height, channels, background: { r: 40, g: 90, b: 200, alpha: 0.5 } } });
  if (options.exif) image = image.withMetadata({ orientation: 6 });
  if (format === 'webp') image = image.webp({ lossless: options.lossless });
  else if (format === 'jpeg') image = image.jpeg();
  else image = image.png();
  return new Uint8Array(await image.toBuffer());
}

describe('sniffFormat and readImageSize', () => {
  it.each([
    ['png', {}],
    ['jpeg', {}],
    ['jpeg', { exif: true }],
    ['webp', {}],
    ['webp', { lossless: true }],
    ['webp', { alpha: true }],
  ] as const)('reads a %s header %j', async (format, options) => {
    const bytes = await encoded(format, 123, 45, options);
    expect(sniffFormat(bytes)).toBe(format);
    expect(readImageSize(bytes, format)).toEqual({ width: 123, height: 45 });
  });

  it('rejects non-images and damaged headers', async () => {
    expect(sniffFormat(new TextEncoder().encode('hello, this is not an image'))).toBeNull();
    expect(sniffFormat(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]))).toBeNull(); // GIF
    const png = await encoded('png', 10, 10);
    const damaged = png.slice();
    damaged.set([0, 0, 0, 0], 12); // IHDR type overwritten
    expect(readImageSize(damaged, 'png')).toBeNull();
    const jpeg = await encoded('jpeg', 10, 10);
    expect(readImageSize(jpeg.subarray(0, 12), 'jpeg')).toBeNull(); // truncated before the frame header
  });

  it('reads huge sizes without decoding (a 20000 × 20000 PNG header)', () => {
    const header = new Uint8Array(33);
    header.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(header.buffer).setUint32(16, 20000);
    new DataView(header.buffer).setUint32(20, 20000);
    expect(readImageSize(header, 'png')).toEqual({ width: 20000, height: 20000 });
  });
});

describe('sniffForeignFormat names what the app does not read, from the bytes', () => {
  const base = sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 40, b: 40 } } });
  it.each([
    ['GIF', () => base.clone().gif().toBuffer()],
    ['TIFF', () => base.clone().tiff().toBuffer()],
    ['TIFF', () => base.clone().tiff({ bigtiff: false }).toBuffer().then((b) => Buffer.concat([Buffer.from('MM\0*'), b.subarray(4)]))],
    ['AVIF', () => base.clone().avif().toBuffer()],
    ['SVG', async () => Buffer.from('\uFEFF\n<?xml version="1.0"?>\n<!-- made by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['PDF', async () => Buffer.from('%PDF-1.7\n')],
  ] as const)('%s', async (kind, make) => {
    const bytes = new Uint8Array(await make());
    expect(sniffForeignFormat(bytes)).toBe(kind);
    expect(sniffFormat(bytes)).toBeNull();
  });

  it('HEIC by its ftyp brand (no encoder here: the box as an iPhone writes it), and a BMP by its header', () => {
    const ftyp = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1heic')]);
    expect(sniffForeignFormat(ftyp)).toBe('HEIC');
    const avifInMif1 = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypmif1'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1avif')]);
    expect(sniffForeignFormat(avifInMif1)).toBe('AVIF');
    const bmp = new Uint8Array(54);
    bmp.set(new TextEncoder().encode('BM'));
    expect(sniffForeignFormat(bmp)).toBe('BMP');
  });

  it('photos and text are not foreign formats', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) expect(sniffForeignFormat(await encoded(format, 9, 9))).toBeNull();
    expect(sniffForeignFormat(new TextEncoder().encode('BMW 320i, 1998: a text file'))).toBeNull();
    expect(sniffForeignFormat(new TextEncoder().encode('<html><svg></svg></html>'))).toBeNull();
  });
});

describe('isAnimated', () => {
  it('an animated WebP and an APNG are animated; still ones are not', async () => {
    const frame = (v: number) => sharp({ create: { width: 6, height: 4, channels: 3, background: { r: v, g: v, b: v } } }).png().toBuffer();
    const frames = [await frame(10), await frame(200)];
    expect(isAnimated(new Uint8Array(await sharp(frames, { join: { animated: true } }).webp().toBuffer()), 'webp')).toBe(true);
    expect(isAnimated(await encoded('webp', 6, 4, { alpha: true }), 'webp')).toBe(false);
    const still = await encoded('png', 6, 4);
    expect(isAnimated(still, 'png')).toBe(false);
    // An APNG: the still PNG with an acTL chunk (2 frames, looping) inserted after IHDR.
    const acTL = new Uint8Array([0, 0, 0, 8, ...new TextEncoder().encode('acTL'), 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(isAnimated(Uint8Array.from([...still.subarray(0, 33), ...acTL, ...still.subarray(33)]), 'png')).toBe(true);
  });
});

describe('sniffFormat and readImageSize under fuzzing (fast-check, 10 000 inputs each)', () => {
  /** What the import path may get back: no format, or a format whose size is null or positive integers. */
  function expectWellFormed(bytes: Uint8Array): void {
    sniffForeignFormat(bytes);
    const format = sniffFormat(bytes);
    if (format) isAnimated(bytes, format);
    for (const f of format ? [format] : (['png', 'jpeg', 'webp'] as const)) {
      const size = readImageSize(bytes, f);
      if (size === null) continue;
      expect(Number.isInteger(size.width) && size.width > 0 && size.width <= 2 ** 32).toBe(true);
      expect(Number.isInteger(size.height) && size.height > 0 && size.height <= 2 ** 32).toBe(true);
    }
  }

  it('random bytes: never a throw, never a non-positive or fractional size', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      expectWellFormed(bytes);
    }), { numRuns: 10_000 });
  });

  it('mutated real headers (bytes overwritten, inserted, deleted, truncated): the same, and nothing hangs', async () => {
    const seeds = await Promise.all([encoded('png', 37, 23), encoded('jpeg', 37, 23, { exif: true }), encoded('webp', 37, 23), encoded('webp', 37, 23, { lossless: true })]);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), values: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    const mutate = (bytes: Uint8Array, m: typeof mutation extends fc.Arbitrary<infer T> ? T : never): Uint8Array => {
      const at = bytes.length ? m.at % bytes.length : 0;
      if (m.kind === 'set') return Object.assign(bytes.slice(), { [at]: m.value });
      if (m.kind === 'insert') return Uint8Array.from([...bytes.subarray(0, at), ...m.values, ...bytes.subarray(at)]);
      if (m.kind === 'delete') return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.count)]);
      return bytes.slice(0, at);
    };
    fc.assert(
      fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        // The first kilobyte: where the headers are, so that mutations land where the sniffer looks.
        expectWellFormed(mutations.reduce(mutate, seeds[which].slice(0, 1024)));
      }),
      { numRuns: 10_000 },
    );
  });
});
