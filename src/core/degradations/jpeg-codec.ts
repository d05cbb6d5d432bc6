import { decode as jpegJsDecode } from 'jpeg-js';
import { encodeBaselineJpeg, type ChromaSampling } from './jpeg-encoder.ts';

export type { ChromaSampling } from './jpeg-encoder.ts';

/**
 * A typed, Buffer-free JPEG codec for src/core.
 *
 * Encoding uses ./jpeg-encoder.ts, a port of jpeg-js's baseline encoder that produces the same bytes
 * but builds its tables once and never touches `Buffer` (jpeg-js's own encoder returns
 * `Buffer.from(...)` whenever a CommonJS `module` object exists, which is also true inside a browser
 * bundle, where `Buffer` is undefined).
 *
 * Decoding uses jpeg-js's decoder, which with `useTArray: true` works on plain typed arrays. Its .d.ts
 * mentions Node's `Buffer`, which src/core may not reference, so it is re-typed here with the shape
 * this code relies on (plain Uint8Array in and out).
 */
type DecodeFn = (
  bytes: Uint8Array,
  options: { useTArray: true; formatAsRGBA: boolean; colorTransform?: boolean },
) => { width: number; height: number; data: Uint8Array };

const decodeUntyped = jpegJsDecode as unknown as DecodeFn;

/** Encodes 8-bit RGBA (alpha ignored) as a baseline JPEG at quality 1–100, with 4:4:4 chroma unless told otherwise. */
export function encodeJpeg(rgba: Uint8Array, width: number, height: number, quality: number, chroma: ChromaSampling = '4:4:4'): Uint8Array {
  if (rgba.length !== width * height * 4) throw new RangeError(`RGBA data has ${rgba.length} bytes, expected ${width * height * 4}`);
  return encodeBaselineJpeg(rgba, width, height, quality, chroma);
}

/** Decodes a JPEG to 8-bit RGB (3 bytes per pixel) without touching Buffer. */
export function decodeJpeg(bytes: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const { width, height, data } = decodeUntyped(bytes, { useTArray: true, formatAsRGBA: false });
  return { width, height, rgb: data };
}
