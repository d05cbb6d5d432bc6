import { describe, expect, it } from 'vitest';
import {
  createImage, cropImage, extractAlpha, fromPlanar, fromRgb8, fromRgba8, quantize8, toPlanar, toRgb8, toRgba8,
} from './image';

function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('RgbImage conversions', () => {
  it('RGBA → float → RGBA is lossless for colour and passes alpha through', () => {
    const w = 7, h = 5;
    const rgba = randomBytes(w * h * 4);
    const image = fromRgba8(rgba, w, h);
    expect(image.data[0]).toBeCloseTo(rgba[0] / 255, 7);
    expect(image.data[5]).toBeCloseTo(rgba[6] / 255, 7); // pixel 1, blue channel
    const back = toRgba8(image, extractAlpha(rgba));
    expect(Array.from(back)).toEqual(Array.from(rgba));
  });

  it('without alpha the output is opaque', () => {
    const out = toRgba8(createImage(2, 1, new Float32Array([0, 0.5, 1, 1, 1, 1])));
    expect(Array.from(out)).toEqual([0, 128, 255, 255, 255, 255, 255, 255]);
  });

  it('RGB8 round trip and clipping of out-of-range values', () => {
    const rgb = randomBytes(4 * 3 * 3, 9);
    expect(Array.from(toRgb8(fromRgb8(rgb, 4, 3)))).toEqual(Array.from(rgb));
    expect(Array.from(toRgb8(createImage(1, 1, new Float32Array([-0.2, 1.7, 0.5]))))).toEqual([0, 255, 128]);
  });

  it('quantize8 rounds to the nearest of 256 levels and clips', () => {
    const q = quantize8(createImage(1, 2, new Float32Array([0.1, 0.50197, -1, 2, 0.999, 1 / 510])));
    const levels = Array.from(q.data, (v) => v * 255);
    expect(levels.map((l) => Math.round(l))).toEqual([26, 128, 0, 255, 255, 1]); // 1/510·255 = 0.5 rounds up
    for (const l of levels) expect(Math.abs(l - Math.round(l))).toBeLessThan(1e-4);
  });

  it('planar CHW round trip puts channels in planes', () => {
    const image = fromRgb8(randomBytes(6 * 4 * 3, 3), 6, 4);
    const planar = toPlanar(image);
    expect(planar[24]).toBe(image.data[1]); // green plane starts after 24 red values
    expect(fromPlanar(planar, 6, 4).data).toEqual(image.data);
  });

  it('crop copies the window and rejects windows outside the image', () => {
    const image = fromRgb8(randomBytes(5 * 4 * 3, 4), 5, 4);
    const crop = cropImage(image, 1, 2, 3, 2);
    expect(crop.data[0]).toBe(image.data[(2 * 5 + 1) * 3]);
    expect(crop.data[3 * 3 + 2]).toBe(image.data[(3 * 5 + 1) * 3 + 2]);
    expect(() => cropImage(image, 3, 0, 3, 1)).toThrow(/outside/);
  });

  it('rejects wrong sizes with a clear message', () => {
    expect(() => createImage(0, 3)).toThrow(/positive integers/);
    expect(() => fromRgba8(new Uint8Array(10), 2, 2)).toThrow(/expected 16/);
  });
});
