/**
 * File → oriented RGBA, in the browser. The header is checked first (format, size limit), then the
 * browser decodes with EXIF orientation applied, and a canvas gives the RGBA the worker expects.
 */
import type { ImagePayload } from '../../inference/client';
import { FORMAT_LABEL, isAnimated, readImageSize, sniffForeignFormat, sniffFormat, type ImageFormat } from './image-header';
import { sizeLimitError } from './limits';

/** An error whose message is written for the user, shown on the item. */
export class ImportError extends Error {
  override name = 'ImportError';
}

export interface DecodedImage {
  format: ImageFormat;
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  /** For display; already oriented. */
  bitmap: ImageBitmap;
  hasAlpha: boolean;
  grayscale: boolean;
  /** An animated WebP or PNG: only its first frame is read. */
  animated: boolean;
}

/** Enough for PNG/WebP headers and almost every JPEG (EXIF and ICC come before the frame header). */
const HEAD_BYTES = 1 << 20;

const UNSUPPORTED_TYPES: Record<string, string> = {
  'image/gif': 'GIF',
  'image/heic': 'HEIC',
  'image/heif': 'HEIF',
  'image/avif': 'AVIF',
  'image/bmp': 'BMP',
  'image/tiff': 'TIFF',
  'image/svg+xml': 'SVG',
  'application/pdf': 'PDF',
};

const EXPORT_AGAIN = 'Export or download it again, then add the new copy.';

/** The bytes name the format when they can (a HEIC renamed .jpg is still a HEIC); else the browser's MIME type. */
function notSupported(file: Blob, head: Uint8Array): ImportError {
  const kind = sniffForeignFormat(head) ?? UNSUPPORTED_TYPES[file.type];
  return new ImportError(
    kind
      ? `${kind} ${kind === 'PDF' ? 'documents' : 'images'} are not supported. Save it as PNG, JPEG or WebP (most photo apps can export one) and add that file.`
      : 'This file is not a PNG, JPEG or WebP image. Choose a photo in one of those formats.',
  );
}

export async function decodeImageFile(file: Blob): Promise<DecodedImage> {
  if (file.size === 0) throw new ImportError(`This file is empty (0 bytes). If it was still being copied or downloaded, wait for that to finish and add it again.`);
  let head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const format = sniffFormat(head);
  if (!format) throw notSupported(file, head);
  let size = readImageSize(head, format);
  if (!size && format === 'jpeg' && file.size > HEAD_BYTES) {
    head = new Uint8Array(await file.arrayBuffer()); // a very large APP segment pushed the frame header out
    size = readImageSize(head, format);
  }
  if (!size) throw new ImportError(`This ${FORMAT_LABEL[format]} file is damaged: its header cannot be read. ${EXPORT_AGAIN}`);
  const tooLarge = sizeLimitError(size);
  if (tooLarge) throw new ImportError(tooLarge);

  let bitmap: ImageBitmap;
  try {
    // premultiplyAlpha 'none' keeps the colour of semi-transparent pixels as exact as a canvas allows.
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  } catch {
    throw new ImportError(`This ${FORMAT_LABEL[format]} file could not be decoded: it is damaged or incomplete. ${EXPORT_AGAIN}`);
  }
  const { width, height } = bitmap;
  const rgba = readPixels(bitmap);
  return { format, width, height, rgba, bitmap, animated: isAnimated(head, format), ...inspectPixels(rgba) };
}

export function readPixels(bitmap: ImageBitmap): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new ImportError('This browser could not create a canvas to read the image.');
  context.drawImage(bitmap, 0, 0);
  return context.getImageData(0, 0, bitmap.width, bitmap.height).data;
}

/** Whether any pixel is transparent, and whether every pixel is grey (R = G = B). */
export function inspectPixels(rgba: Uint8ClampedArray): { hasAlpha: boolean; grayscale: boolean } {
  let hasAlpha = false;
  let grayscale = true;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] !== 255) hasAlpha = true;
    if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) grayscale = false;
    if (hasAlpha && !grayscale) break;
  }
  return { hasAlpha, grayscale };
}

export function toPayload(image: { width: number; height: number; rgba: Uint8ClampedArray }): ImagePayload {
  // A copy: the client transfers the buffer to the worker, and the original must survive for reruns.
  return { width: image.width, height: image.height, rgba: image.rgba.slice() };
}
