/**
 * Pure helpers of the inference worker: pixel packing, grayscale handling, progress/ETA. No
 * onnxruntime and no DOM here, so vitest checks them in Node.
 */
import { checkCropInside, createImage, extractAlpha, fromPlanar, toPlanar, toRgba8, type RgbImage } from '../../src/core/image';
import type { TileSource } from '../../src/core/tiled-inference';
import type { ImagePayload, RestoreProgress } from './contract';

/** Names the exporter gives the graph's image input and restored output (src/cli/onnx/writer.ts). */
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';

/** The colour of a payload as the models see it, its alpha (passed through) and whether it is gray. */
export interface DecodedPayload {
  image: RgbImage;
  alpha: Uint8Array;
  grayscale: boolean;
}

function checkPayloadSize({ width, height, rgba }: ImagePayload): void {
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`the image has ${rgba.length} bytes, expected ${width * height * 4} for ${width}×${height} RGBA`);
  }
}

/** One pass over the pixels (as fromRgba8 + extractAlpha + isGrayscale, which the tests compare it with). */
export function decodePayload(payload: ImagePayload): DecodedPayload {
  checkPayloadSize(payload);
  const { width, height, rgba } = payload;
  const image = createImage(width, height);
  const rgb = image.data;
  const alpha = new Uint8Array(width * height);
  let grayscale = true;
  for (let p = 0, i = 0, j = 0; p < alpha.length; p++, i += 4, j += 3) {
    const r = rgba[i];
    const g = rgba[i + 1];
    const b = rgba[i + 2];
    rgb[j] = r / 255;
    rgb[j + 1] = g / 255;
    rgb[j + 2] = b / 255;
    alpha[p] = rgba[i + 3];
    if (r !== g || r !== b) grayscale = false;
  }
  return { image, alpha, grayscale };
}

/**
 * What a restoration needs of a payload without its float copy: the tiles are cut from the RGBA as
 * they are run (the same r / 255 as decodePayload, so the same values).
 */
export function restorationInput(payload: ImagePayload): { source: TileSource; alpha: Uint8Array; grayscale: boolean } {
  checkPayloadSize(payload);
  const { width, height, rgba } = payload;
  const source: TileSource = {
    width,
    height,
    crop(x0, y0, w, h) {
      checkCropInside(width, height, x0, y0, w, h);
      const tile = createImage(w, h);
      const rgb = tile.data;
      for (let y = 0; y < h; y++) {
        for (let x = 0, i = ((y0 + y) * width + x0) * 4, j = y * w * 3; x < w; x++, i += 4, j += 3) {
          rgb[j] = rgba[i] / 255;
          rgb[j + 1] = rgba[i + 1] / 255;
          rgb[j + 2] = rgba[i + 2] / 255;
        }
      }
      return tile;
    },
  };
  return { source, alpha: extractAlpha(rgba), grayscale: isGrayscale(rgba) };
}

/** True when R = G = B at every pixel (a grayscale photo stored as RGBA). */
export function isGrayscale(rgba: Uint8Array | Uint8ClampedArray): boolean {
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) return false;
  }
  return true;
}

/** Replaces every pixel by the mean of its three channels, in place. */
export function averageChannelsInPlace(image: RgbImage): RgbImage {
  const d = image.data;
  for (let i = 0; i < d.length; i += 3) {
    const m = (d[i] + d[i + 1] + d[i + 2]) / 3;
    d[i] = m;
    d[i + 1] = m;
    d[i + 2] = m;
  }
  return image;
}

/**
 * A restored float image back to 8-bit RGBA: clipped to [0, 1] and rounded (toRgba8), the input's
 * alpha untouched, and a grayscale input kept grayscale (the restored channels averaged first).
 */
export function encodeRestored(image: RgbImage, alpha: Uint8Array, grayscale: boolean): ImagePayload {
  if (grayscale) averageChannelsInPlace(image);
  return { width: image.width, height: image.height, rgba: toRgba8(image, alpha) };
}

/** Equal-size crops as one NCHW float32 batch (the descriptor's input layout). */
export function packBatch(patches: readonly RgbImage[]): { data: Float32Array; dims: [number, number, number, number] } {
  if (patches.length === 0) throw new RangeError('packBatch needs at least one patch');
  const { width, height } = patches[0];
  const plane = width * height * 3;
  const data = new Float32Array(patches.length * plane);
  patches.forEach((patch, n) => {
    if (patch.width !== width || patch.height !== height) throw new Error('descriptor patches must share one size');
    toPlanar(patch, data.subarray(n * plane, (n + 1) * plane));
  });
  return { data, dims: [patches.length, 3, height, width] };
}

/** Planar CHW output (batch 1) of a restorer back to an HWC image. */
export function unpackImage(planar: Float32Array, dims: readonly number[]): RgbImage {
  if (dims.length !== 4 || dims[0] !== 1 || dims[1] !== 3) throw new Error(`expected a [1, 3, H, W] output, got [${dims.join(', ')}]`);
  const [, , height, width] = dims;
  return fromPlanar(planar, width, height);
}

/** Progress after `done` of `total` tiles: the ETA extrapolates the mean time per finished tile. */
export function progressOf(done: number, total: number, elapsedMs: number): RestoreProgress {
  const etaMs = done > 0 ? Math.max(0, (elapsedMs / done) * (total - done)) : null;
  return { done, total, elapsedMs, etaMs };
}

/** A one-line, human-readable reason from whatever was thrown (ORT throws strings at times). */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim() || 'unknown error';
}

/** Equal bytes (decides whether a cached session survives a new configure()). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
