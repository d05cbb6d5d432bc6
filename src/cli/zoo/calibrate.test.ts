import { describe, expect, it } from 'vitest';
import { cornerCrops } from './calibrate';

function ramp(width: number, height: number) {
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = i;
  return { width, height, data };
}

describe('cornerCrops', () => {
  it('cuts the four corners, pixel for pixel', () => {
    const image = ramp(7, 5);
    const crops = cornerCrops(image, 3, 4);
    const origins = [[0, 0], [4, 0], [0, 2], [4, 2]];
    expect(crops).toHaveLength(4);
    crops.forEach((crop, k) => {
      expect([crop.width, crop.height]).toEqual([3, 3]);
      const [ox, oy] = origins[k];
      for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) for (let c = 0; c < 3; c++) {
        expect(crop.data[(y * 3 + x) * 3 + c]).toBe(image.data[((oy + y) * 7 + ox + x) * 3 + c]);
      }
    });
  });

  it('gives fewer crops when the image is no larger than one, and the whole image without a size', () => {
    expect(cornerCrops(ramp(3, 8), 3, 4)).toHaveLength(2);
    expect(cornerCrops(ramp(2, 2), 3, 4)).toHaveLength(1);
    expect(cornerCrops(ramp(9, 9), 3, 1)).toHaveLength(1);
    const whole = ramp(4, 4);
    expect(cornerCrops(whole, null, 4)[0]).toBe(whole);
  });
});
