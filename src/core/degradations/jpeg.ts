import { fromRgb8, toRgba8, type RgbImage } from '../image.ts';
import { decodeJpeg, encodeJpeg } from './jpeg-codec.ts';
import type { DegradationParams } from './table.ts';

/** A real JPEG round trip: 8-bit RGBA → baseline JPEG at the given quality → decoded RGB. */
export function applyJpeg(image: RgbImage, params: DegradationParams<'jpeg'>): RgbImage {
  const bytes = encodeJpeg(new Uint8Array(toRgba8(image).buffer), image.width, image.height, params.quality);
  const decoded = decodeJpeg(bytes);
  if (decoded.width !== image.width || decoded.height !== image.height) {
    throw new Error(`JPEG round trip changed the size: ${image.width}×${image.height} → ${decoded.width}×${decoded.height}`);
  }
  return fromRgb8(decoded.rgb, decoded.width, decoded.height);
}
