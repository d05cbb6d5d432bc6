/**
 * The one image type every part of GRIDS works on: float32 RGB in [0, 1], interleaved (HWC),
 * row-major. Kept deliberately tiny so it moves between workers and Node without adapters.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** length = width * height * 3, pixel (x, y) channel c at (y * width + x) * 3 + c */
  readonly data: Float32Array;
}

export function createImage(width: number, height: number, data?: Float32Array): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
  const length = width * height * 3;
  if (data && data.length !== length) {
    throw new RangeError(`image data has ${data.length} values, expected ${length} for ${width}×${height} RGB`);
  }
  return { width, height, data: data ?? new Float32Array(length) };
}

export function cloneImage(image: RgbImage): RgbImage {
  return createImage(image.width, image.height, new Float32Array(image.data));
}

/** 8-bit RGBA (canvas ImageData / sharp raw order) to float RGB. Alpha is dropped; see {@link extractAlpha}. */
export function fromRgba8(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): RgbImage {
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`RGBA buffer has ${rgba.length} bytes, expected ${width * height * 4} for ${width}×${height}`);
  }
  const image = createImage(width, height);
  const out = image.data;
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = rgba[i] / 255;
    out[j + 1] = rgba[i + 1] / 255;
    out[j + 2] = rgba[i + 2] / 255;
  }
  return image;
}

/** 8-bit RGB (3 bytes per pixel) to float RGB. */
export function fromRgb8(rgb: Uint8Array | Uint8ClampedArray, width: number, height: number): RgbImage {
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`RGB buffer has ${rgb.length} bytes, expected ${width * height * 3} for ${width}×${height}`);
  }
  const data = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) data[i] = rgb[i] / 255;
  return createImage(width, height, data);
}

/** Rounds to the nearest 8-bit level; values outside [0, 1] are clipped. */
export function toByte(value: number): number {
  const v = Math.round(value * 255);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Float RGB to 8-bit RGBA. `alpha`, when given, is one byte per pixel and passes through unchanged
 * (the restoration models only see colour); otherwise alpha is opaque.
 */
export function toRgba8(image: RgbImage, alpha?: Uint8Array | Uint8ClampedArray): Uint8ClampedArray {
  const n = image.width * image.height;
  if (alpha && alpha.length !== n) throw new RangeError(`alpha has ${alpha.length} values, expected ${n}`);
  const out = new Uint8ClampedArray(n * 4);
  const src = image.data;
  for (let p = 0, i = 0, j = 0; p < n; p++, i += 3, j += 4) {
    out[j] = toByte(src[i]);
    out[j + 1] = toByte(src[i + 1]);
    out[j + 2] = toByte(src[i + 2]);
    out[j + 3] = alpha ? alpha[p] : 255;
  }
  return out;
}

/** Float RGB to 8-bit RGB (3 bytes per pixel). */
export function toRgb8(image: RgbImage): Uint8Array {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = toByte(image.data[i]);
  return out;
}

/** The alpha channel of an RGBA buffer, one byte per pixel. */
export function extractAlpha(rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let p = 0; p < out.length; p++) out[p] = rgba[p * 4 + 3];
  return out;
}

/** round(x·255)/255 with clipping to [0, 1]: every degradation ends with this (method notes §3). */
export function quantize8(image: RgbImage): RgbImage {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = toByte(image.data[i]) / 255;
  return createImage(image.width, image.height, out);
}

/** Clips every value to [0, 1] in place and returns the same image. */
export function clipInPlace(image: RgbImage): RgbImage {
  const d = image.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 1 ? 1 : d[i];
  return image;
}

/** Throws unless the w×h window at (x0, y0) lies inside a width × height image. */
export function checkCropInside(width: number, height: number, x0: number, y0: number, w: number, h: number): void {
  if (x0 < 0 || y0 < 0 || x0 + w > width || y0 + h > height) {
    throw new RangeError(`crop ${w}×${h}+${x0}+${y0} lies outside the ${width}×${height} image`);
  }
}

/** A w×h window starting at (x0, y0); it must lie inside the image. */
export function cropImage(image: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  checkCropInside(image.width, image.height, x0, y0, w, h);
  const out = createImage(w, h);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * image.width + x0) * 3;
    out.data.set(image.data.subarray(from, from + w * 3), y * w * 3);
  }
  return out;
}

/** HWC RGB to planar CHW (the layout ONNX models take), optionally into a given buffer. */
export function toPlanar(image: RgbImage, out = new Float32Array(image.data.length)): Float32Array {
  const n = image.width * image.height;
  const d = image.data;
  for (let p = 0; p < n; p++) {
    out[p] = d[p * 3];
    out[n + p] = d[p * 3 + 1];
    out[2 * n + p] = d[p * 3 + 2];
  }
  return out;
}

/** Planar CHW back to an HWC image. */
export function fromPlanar(planar: Float32Array, width: number, height: number): RgbImage {
  const n = width * height;
  if (planar.length !== n * 3) throw new RangeError(`planar data has ${planar.length} values, expected ${n * 3}`);
  const image = createImage(width, height);
  const d = image.data;
  for (let p = 0; p < n; p++) {
    d[p * 3] = planar[p];
    d[p * 3 + 1] = planar[n + p];
    d[p * 3 + 2] = planar[2 * n + p];
  }
  return image;
}
