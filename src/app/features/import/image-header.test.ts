import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readImageSize, sniffFormat } from './image-header';

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
