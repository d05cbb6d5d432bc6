import type { ImageSize } from './image-header';

/** Larger photos are refused: 64 MP of RGBA is 256 MB before the restoration's own buffers. */
export const MAX_MEGAPIXELS = 64;
export const MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000;

export function megapixels({ width, height }: ImageSize): number {
  return (width * height) / 1_000_000;
}

/** "12.3 MP", "0.07 MP". */
export function formatMegapixels(size: ImageSize): string {
  const mp = megapixels(size);
  return `${mp >= 10 ? mp.toFixed(0) : mp >= 1 ? mp.toFixed(1) : mp.toFixed(2)} MP`;
}

/** A message for the user when the image is too large, else null. */
export function sizeLimitError(size: ImageSize): string | null {
  if (size.width * size.height <= MAX_PIXELS) return null;
  return (
    `This image is ${size.width} × ${size.height} (${formatMegapixels(size)}), over the ${MAX_MEGAPIXELS} MP limit. ` +
    'Scale it down and add it again.'
  );
}

/** "512 B", "3.4 kB", "12.0 MB" (SI units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
