import { describe, expect, it } from 'vitest';
import { createImage, cropImage, extractAlpha, fromRgba8, toPlanar } from '../../src/core/image';
import { INPUT_NAME as WRITER_INPUT, OUTPUT_NAME as WRITER_OUTPUT } from '../../src/cli/onnx/writer';
import {
  averageChannelsInPlace,
  decodePayload,
  encodeRestored,
  INPUT_NAME,
  isGrayscale,
  OUTPUT_NAME,
  packBatch,
  progressOf,
  reasonOf,
  restorationInput,
  sameBytes,
  unpackImage,
} from './pixels';

function rgba(pixels: number[][]): Uint8ClampedArray {
  return Uint8ClampedArray.from(pixels.flat());
}

describe('worker pixel helpers', () => {
  it('use the tensor names the ONNX exporter writes', () => {
    expect(INPUT_NAME).toBe(WRITER_INPUT);
    expect(OUTPUT_NAME).toBe(WRITER_OUTPUT);
  });

  it('decode RGBA into float RGB, the alpha plane and the grayscale flag', () => {
    const payload = { width: 2, height: 1, rgba: rgba([[255, 0, 51, 7], [10, 10, 10, 200]]) };
    const { image, alpha, grayscale } = decodePayload(payload);
    expect([...image.data]).toEqual([1, 0, 0.2, 10 / 255, 10 / 255, 10 / 255].map(Math.fround));
    expect([...alpha]).toEqual([7, 200]);
    expect(grayscale).toBe(false);
  });

  it('decode exactly like the core helpers, in one pass', () => {
    const rgbaBytes = Uint8ClampedArray.from({ length: 7 * 5 * 4 }, (_, i) => (i * 37 + 11) % 256);
    const decoded = decodePayload({ width: 7, height: 5, rgba: rgbaBytes });
    expect(decoded.image.data).toEqual(fromRgba8(rgbaBytes, 7, 5).data);
    expect(decoded.alpha).toEqual(extractAlpha(rgbaBytes));
    expect(decoded.grayscale).toBe(isGrayscale(rgbaBytes));
    expect(() => decodePayload({ width: 7, height: 6, rgba: rgbaBytes })).toThrow(/expected 168 for 7×6 RGBA/);
  });

  it('restorationInput cuts every tile exactly as cropping the decoded float image would', () => {
    const rgbaBytes = Uint8ClampedArray.from({ length: 9 * 6 * 4 }, (_, i) => (i * 53 + 5) % 256);
    const payload = { width: 9, height: 6, rgba: rgbaBytes };
    const { source, alpha, grayscale } = restorationInput(payload);
    const decoded = decodePayload(payload);
    for (const [x, y, w, h] of [[0, 0, 9, 6], [0, 0, 1, 1], [8, 5, 1, 1], [2, 1, 5, 4], [4, 0, 5, 6]]) {
      expect(source.crop(x, y, w, h)).toEqual(cropImage(decoded.image, x, y, w, h));
    }
    expect(alpha).toEqual(decoded.alpha);
    expect(grayscale).toBe(decoded.grayscale);
    expect(() => source.crop(5, 0, 5, 1)).toThrow(/lies outside the 9×6 image/);
    expect(() => restorationInput({ width: 9, height: 7, rgba: rgbaBytes })).toThrow(/expected 252 for 9×7 RGBA/);
  });

  it('detect grayscale only when R = G = B at every pixel', () => {
    expect(isGrayscale(rgba([[3, 3, 3, 0], [250, 250, 250, 255]]))).toBe(true);
    expect(isGrayscale(rgba([[3, 3, 3, 0], [250, 250, 251, 255]]))).toBe(false);
    expect(isGrayscale(rgba([[3, 4, 3, 255]]))).toBe(false);
  });

  it('encode restored pixels clipped, rounded, with alpha untouched', () => {
    const image = createImage(2, 1, Float32Array.from([-0.2, 0.5, 1.3, 0.2 / 255, 0.6 / 255, 254.4 / 255]));
    const out = encodeRestored(image, Uint8Array.from([0, 128]), false);
    expect([...out.rgba]).toEqual([0, 128, 255, 0, 0, 1, 254, 128]);
    expect(out.width).toBe(2);
    expect(out.height).toBe(1);
  });

  it('keep a grayscale input grayscale by averaging the restored channels', () => {
    const image = createImage(1, 2, Float32Array.from([0.1, 0.2, 0.6, 1, 1, 1.3]));
    const out = encodeRestored(image, Uint8Array.from([255, 9]), true);
    const [r0, g0, b0, a0, r1, g1, b1, a1] = out.rgba;
    expect(r0).toBe(Math.round(0.3 * 255));
    expect([g0, b0]).toEqual([r0, r0]);
    expect([r1, g1, b1]).toEqual([255, 255, 255]);
    expect([a0, a1]).toEqual([255, 9]);
    expect(averageChannelsInPlace(createImage(1, 1, Float32Array.from([0, 0.3, 0.6]))).data[1]).toBeCloseTo(0.3, 6);
  });

  it('pack equal-size crops as one NCHW batch and unpack a [1, 3, H, W] output', () => {
    const a = createImage(3, 2, Float32Array.from({ length: 18 }, (_, i) => i / 18));
    const b = createImage(3, 2, Float32Array.from({ length: 18 }, (_, i) => 1 - i / 18));
    const batch = packBatch([a, b]);
    expect(batch.dims).toEqual([2, 3, 2, 3]);
    expect([...batch.data.subarray(0, 18)]).toEqual([...toPlanar(a)]);
    expect([...batch.data.subarray(18)]).toEqual([...toPlanar(b)]);
    // pixel (x=1, y=1), channel 2 of the second crop
    expect(batch.data[18 + 2 * 6 + 1 * 3 + 1]).toBe(b.data[(1 * 3 + 1) * 3 + 2]);
    expect(unpackImage(toPlanar(a), [1, 3, 2, 3]).data).toEqual(a.data);
    expect(() => packBatch([a, createImage(2, 3)])).toThrow(/one size/);
    expect(() => unpackImage(new Float32Array(18), [1, 1, 2, 9])).toThrow(/\[1, 3, H, W\]/);
  });

  it('compute the ETA from the mean time per finished tile', () => {
    expect(progressOf(0, 10, 50)).toEqual({ done: 0, total: 10, elapsedMs: 50, etaMs: null });
    expect(progressOf(2, 10, 400)).toEqual({ done: 2, total: 10, elapsedMs: 400, etaMs: 1600 });
    expect(progressOf(10, 10, 900).etaMs).toBe(0);
  });

  it('turn anything thrown into one line and compare bytes', () => {
    expect(reasonOf(new Error('device lost\nstack'))).toBe('device lost');
    expect(reasonOf('plain string')).toBe('plain string');
    expect(sameBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(sameBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(sameBytes(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
  });
});
