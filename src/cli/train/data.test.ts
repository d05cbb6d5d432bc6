import { describe, expect, it } from 'vitest';
import { createImage, quantize8 } from '../../core/image';
import { createRng } from '../../core/random';
import { resize } from '../../core/degradations/resize';
import { samplePair } from './data';

function gradientPhoto(size: number) {
  const image = createImage(size, size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const i = (y * size + x) * 3;
    image.data[i] = x / size; image.data[i + 1] = y / size; image.data[i + 2] = 0.5 + 0.4 * Math.sin(x * 0.7) * Math.cos(y * 0.5);
  }
  return image;
}

describe('training pairs for the SR descriptor', () => {
  const photos = [gradientPhoto(64)];
  const cleanInput = (target: ReturnType<typeof samplePair>['target']) => quantize8(resize(target, 12, 12, 'bicubic'));

  it('clean bicubic SR: the input is the quantised bicubic downscale of the target', () => {
    const rng = createRng(4);
    for (let n = 0; n < 5; n++) {
      const { input, target } = samplePair(photos, { kind: 'sr', scale: 4 }, 12, rng);
      expect(target.width).toBe(48);
      expect(Array.from(input.data)).toEqual(Array.from(cleanInput(target).data));
    }
  });

  it('blind SR (DDR): the LR input is degraded or left clean with equal odds, the target stays clean', () => {
    const rng = createRng(5);
    let clean = 0, noisy = 0;
    for (let n = 0; n < 200; n++) {
      const { input, target } = samplePair(photos, { kind: 'sr', scale: 4, lrDegradations: ['salt_pepper'] }, 12, rng);
      const reference = cleanInput(target).data;
      // Salt & pepper sets values to 0 or 1 (whole pixels or single channels); a clean input equals the bicubic downscale exactly.
      let changed = 0, saturated = 0;
      for (let i = 0; i < input.data.length; i++) {
        if (input.data[i] !== reference[i]) {
          changed++;
          if (input.data[i] === 0 || input.data[i] === 1) saturated++;
        }
      }
      if (changed === 0) clean++;
      else { noisy++; expect(saturated).toBe(changed); }
    }
    // 200 fair draws: 100 ± 3σ (σ ≈ 7); a small patch can also escape every 5 % pixel draw.
    expect(clean).toBeGreaterThan(75);
    expect(noisy).toBeGreaterThan(75);
  });
});
