import { createImage, cropImage, quantize8, type RgbImage } from '../../core/image';
import type { Rng } from '../../core/random';
import { degradeWithRng } from '../../core/degradations/registry';
import type { DegradationId } from '../../core/degradations/ids';
import { resize } from '../../core/degradations/resize';

/**
 * Online training pairs: random crops with the 8 flips/rotations, degraded on the fly by the core
 * degradations (restorers) or bicubic-downscaled (the SR descriptor). Every random choice comes
 * from the one Rng the trainer checkpoints, so a resumed run draws the same batches.
 */
export interface Batch {
  /** NHWC float32 inputs and targets. */
  input: Float32Array;
  target: Float32Array;
  inputShape: [number, number, number, number];
  targetShape: [number, number, number, number];
}

/**
 * `sr` with `lrDegradations` is blind SR, the training of DDR (the paper's reference [27]): the
 * bicubic LR input is degraded by one of these, or left clean, with equal odds; the target stays
 * the clean HR crop.
 */
export type TaskSpec = { kind: 'restore'; tasks: DegradationId[] } | { kind: 'sr'; scale: number; lrDegradations?: DegradationId[] };

/** One of the 8 symmetries of the square: optional transpose, then optional flips. */
export function dihedral(image: RgbImage, code: number): RgbImage {
  const transpose = (code & 4) !== 0, flipX = (code & 1) !== 0, flipY = (code & 2) !== 0;
  const w = transpose ? image.height : image.width;
  const h = transpose ? image.width : image.height;
  const out = createImage(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const tx = flipX ? w - 1 - x : x;
      const ty = flipY ? h - 1 - y : y;
      const sx = transpose ? ty : tx;
      const sy = transpose ? tx : ty;
      const from = (sy * image.width + sx) * 3, to = (y * w + x) * 3;
      out.data[to] = image.data[from];
      out.data[to + 1] = image.data[from + 1];
      out.data[to + 2] = image.data[from + 2];
    }
  }
  return out;
}

export function samplePair(images: readonly RgbImage[], spec: TaskSpec, patch: number, rng: Rng): { input: RgbImage; target: RgbImage } {
  const size = spec.kind === 'sr' ? patch * spec.scale : patch;
  const source = images[rng.int(0, images.length - 1)];
  if (source.width < size || source.height < size) throw new Error(`training image ${source.width}×${source.height} is smaller than the ${size}px crop`);
  const crop = cropImage(source, rng.int(0, source.width - size), rng.int(0, source.height - size), size, size);
  const target = dihedral(crop, rng.int(0, 7));
  if (spec.kind === 'sr') {
    const input = quantize8(resize(target, patch, patch, 'bicubic'));
    if (!spec.lrDegradations?.length) return { input, target };
    // Drawn only for blind SR, so the clean descriptor's batches stay what they were.
    const pick = rng.int(0, spec.lrDegradations.length);
    return { input: pick === spec.lrDegradations.length ? input : degradeWithRng(input, spec.lrDegradations[pick], rng).image, target };
  }
  const task = spec.tasks[rng.int(0, spec.tasks.length - 1)];
  return { input: degradeWithRng(target, task, rng).image, target };
}

export function sampleBatch(images: readonly RgbImage[], spec: TaskSpec, patch: number, batch: number, rng: Rng): Batch {
  const scale = spec.kind === 'sr' ? spec.scale : 1;
  const inSize = patch * patch * 3, outSize = inSize * scale * scale;
  const input = new Float32Array(batch * inSize);
  const target = new Float32Array(batch * outSize);
  for (let b = 0; b < batch; b++) {
    const pair = samplePair(images, spec, patch, rng);
    input.set(pair.input.data, b * inSize);
    target.set(pair.target.data, b * outSize);
  }
  return {
    input,
    target,
    inputShape: [batch, patch, patch, 3],
    targetShape: [batch, patch * scale, patch * scale, 3],
  };
}
