import type { RgbImage } from '../image.ts';
import { resize } from './resize.ts';
import type { DegradationParams } from './table.ts';

/**
 * Side length after scaling by s: rounded, at least 1 px, and at least 1 px smaller than the input
 * (for s close to 1 rounding would otherwise give back the same size and make the round trip a no-op).
 */
export function scaledSide(side: number, scale: number): number {
  return Math.max(1, Math.min(side - 1, Math.round(side * scale)));
}

/** Loses detail by a round trip through a smaller image: shrink by the factor, enlarge back to the same size. */
export function applySr(image: RgbImage, params: DegradationParams<'sr'>): RgbImage {
  const scale = 1 / params.factor;
  const small = resize(image, scaledSide(image.width, scale), scaledSide(image.height, scale), params.downMethod, {
    antialias: params.antialias === 'on',
  });
  return resize(small, image.width, image.height, params.upMethod);
}
