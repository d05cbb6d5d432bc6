import { cropImage, fromRgb8, toRgba8, type RgbImage } from '../image.ts';
import { decodeJpeg, encodeJpeg, type ChromaSampling } from './jpeg-codec.ts';
import type { DegradationParams } from './table.ts';

/** A real JPEG round trip: 8-bit RGBA → baseline JPEG at the given quality and chroma sampling → decoded RGB. */
export function jpegRoundTrip(image: RgbImage, quality: number, chroma: ChromaSampling): RgbImage {
  const bytes = encodeJpeg(new Uint8Array(toRgba8(image).buffer), image.width, image.height, quality, chroma);
  const decoded = decodeJpeg(bytes);
  if (decoded.width !== image.width || decoded.height !== image.height) {
    throw new Error(`JPEG round trip changed the size: ${image.width}×${image.height} → ${decoded.width}×${decoded.height}`);
  }
  return fromRgb8(decoded.rgb, decoded.width, decoded.height);
}

/**
 * Saved once, or saved again after `gridShift` px were cropped from the top and the left (so the
 * second save's 8×8 grid sits elsewhere). The result keeps the photo's size and place: the cropped
 * rows and columns keep their first save.
 */
export function applyJpeg(image: RgbImage, params: DegradationParams<'jpeg'>): RgbImage {
  const once = jpegRoundTrip(image, params.quality, params.chroma);
  if (params.family === 'once') return once;
  const shift = Math.min(params.gridShift, image.width - 1, image.height - 1);
  if (shift === 0) return jpegRoundTrip(once, params.secondQuality, params.chroma);
  const cropped = cropImage(once, shift, shift, image.width - shift, image.height - shift);
  const twice = jpegRoundTrip(cropped, params.secondQuality, params.chroma);
  const out = { ...once, data: new Float32Array(once.data) };
  for (let y = 0; y < twice.height; y++) {
    out.data.set(twice.data.subarray(y * twice.width * 3, (y + 1) * twice.width * 3), ((y + shift) * image.width + shift) * 3);
  }
  return out;
}
