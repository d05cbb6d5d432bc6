/**
 * Reads an image's format and size from its first bytes, before any pixel is decoded: a 20 000 ×
 * 20 000 JPEG is refused from its header, not after allocating 1.6 GB of RGBA. The file's extension
 * and MIME type are ignored (pasted images often have neither); the bytes decide.
 */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const FORMAT_LABEL: Record<ImageFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP' };

export interface ImageSize {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (offset + length > bytes.length) return '';
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  return null;
}

/** Formats people drop that the app does not read; named from their bytes, whatever the file is called. */
export type ForeignFormat = 'GIF' | 'HEIC' | 'AVIF' | 'TIFF' | 'BMP' | 'SVG' | 'PDF';

const HEIF_BRANDS: Record<string, ForeignFormat> = {
  heic: 'HEIC', heix: 'HEIC', hevc: 'HEIC', hevx: 'HEIC', heim: 'HEIC', heis: 'HEIC', mif1: 'HEIC', msf1: 'HEIC',
  avif: 'AVIF', avis: 'AVIF',
};

/** An ISO-BMFF file's `ftyp` box: its major brand, and AVIF when any compatible brand says so (HEIF containers share `mif1`). */
function heifKind(bytes: Uint8Array): ForeignFormat | null {
  const major = HEIF_BRANDS[ascii(bytes, 8, 4)];
  if (!major) return null;
  const end = Math.min(bytes.length, be32(bytes, 0));
  for (let i = 16; i + 4 <= end; i += 4) if (HEIF_BRANDS[ascii(bytes, i, 4)] === 'AVIF') return 'AVIF';
  return major;
}

export function sniffForeignFormat(bytes: Uint8Array): ForeignFormat | null {
  const start = ascii(bytes, 0, 4);
  if (start === 'GIF8') return 'GIF';
  if (start === 'II*\0' || start === 'MM\0*') return 'TIFF';
  if (start === '%PDF') return 'PDF';
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26 && ascii(bytes, 6, 4) === '\0\0\0\0') return 'BMP';
  if (ascii(bytes, 4, 4) === 'ftyp') return heifKind(bytes);
  const text = ascii(bytes, 0, Math.min(bytes.length, 512)).replace(/^(\u00EF\u00BB\u00BF)?\s*/, ''); // a UTF-8 BOM, blank lines
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text)) return 'SVG';
  return null;
}

const be16 = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const be32 = (b: Uint8Array, i: number) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
const le16 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const le24 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);

function positive(size: ImageSize): ImageSize | null {
  return size.width > 0 && size.height > 0 ? size : null;
}

function pngSize(b: Uint8Array): ImageSize | null {
  // Signature, then the IHDR chunk: length (4), type (4), width (4), height (4).
  if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return null;
  return positive({ width: be32(b, 16), height: be32(b, 20) });
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but don't. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Uint8Array): ImageSize | null {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null; // lost sync: corrupt
    let marker = b[i + 1];
    while (marker === 0xff && i + 2 < b.length) marker = b[++i + 1]; // fill bytes
    i += 2;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / scan data before any frame
    if (i + 2 > b.length) return null;
    const length = be16(b, i);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      if (i + 7 > b.length) return null;
      return positive({ height: be16(b, i + 3), width: be16(b, i + 5) });
    }
    i += length;
  }
  return null;
}

function webpSize(b: Uint8Array): ImageSize | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X' && b.length >= 30) {
    return positive({ width: le24(b, 24) + 1, height: le24(b, 27) + 1 });
  }
  if (chunk === 'VP8L' && b.length >= 25 && b[20] === 0x2f) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return positive({ width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 });
  }
  if (chunk === 'VP8 ' && b.length >= 30 && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return positive({ width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff });
  }
  return null;
}

/**
 * The stored size (before EXIF rotation, which never changes the pixel count), or null when the
 * header is damaged or, for JPEG, the frame header lies beyond the bytes given.
 */
export function readImageSize(bytes: Uint8Array, format: ImageFormat): ImageSize | null {
  switch (format) {
    case 'png':
      return pngSize(bytes);
    case 'jpeg':
      return jpegSize(bytes);
    case 'webp':
      return webpSize(bytes);
  }
}

/**
 * Whether the file holds an animation (an animated WebP, or an APNG: PNG with an `acTL` chunk before
 * its pixels). Browsers decode the first frame, so that is what the app restores, and says so.
 */
export function isAnimated(bytes: Uint8Array, format: ImageFormat): boolean {
  if (format === 'webp') return ascii(bytes, 12, 4) === 'VP8X' && bytes.length > 20 && (bytes[20] & 0x02) !== 0;
  if (format !== 'png') return false;
  for (let i = 8; i + 8 <= bytes.length; ) {
    const type = ascii(bytes, i + 4, 4);
    if (type === 'acTL') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    i += 12 + be32(bytes, i);
  }
  return false;
}
