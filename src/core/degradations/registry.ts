import { quantize8, type RgbImage } from '../image.ts';
import { createRng, type Rng } from '../random.ts';
import { applyDefocusBlur, applyGaussianBlur, applyMotionBlur, applyRichardsonLucy, applyRinging } from './blur.ts';
import { DEGRADATION_IDS, type DegradationId } from './ids.ts';
import { applyInpainting } from './inpainting.ts';
import { applyJpeg } from './jpeg.ts';
import { applyGaussianNoise, applyPoissonNoise, applySaltPepper } from './noise.ts';
import { applySr } from './sr.ts';
import { DEGRADATION_TABLE, sampleTableParams, type DegradationParams } from './table.ts';

/** One degradation, BasicSR style: parameters from the table, then a pure function of (image, params, rng). */
export interface Degradation<Id extends DegradationId = DegradationId> {
  readonly id: Id;
  readonly name: string;
  /** Draws the parameters (a plain JSON-serialisable object) from the ranges in DEGRADATION_TABLE. */
  sampleParams(rng: Rng): DegradationParams<Id>;
  /**
   * Degrades a copy of `image` (never the input) and quantises the result to 8 bits. `rng` feeds the
   * per-pixel randomness of noise, inpainting strokes and salt & pepper; the other degradations ignore it.
   */
  apply(image: RgbImage, params: DegradationParams<Id>, rng: Rng): RgbImage;
}

type RawApply<Id extends DegradationId> = (image: RgbImage, params: DegradationParams<Id>, rng: Rng) => RgbImage;

function register<Id extends DegradationId>(id: Id, rawApply: RawApply<Id>): Degradation<Id> {
  return {
    id,
    name: DEGRADATION_TABLE[id].name,
    sampleParams: (rng) => sampleTableParams(id, rng),
    apply: (image, params, rng) => quantize8(rawApply(image, params, rng)),
  };
}

export const DEGRADATIONS: { readonly [Id in DegradationId]: Degradation<Id> } = {
  gaussian_blur: register('gaussian_blur', applyGaussianBlur),
  motion_blur: register('motion_blur', applyMotionBlur),
  rl: register('rl', applyRichardsonLucy),
  sr: register('sr', applySr),
  ringing: register('ringing', applyRinging),
  defocus_blur: register('defocus_blur', applyDefocusBlur),
  jpeg: register('jpeg', applyJpeg),
  poisson_noise: register('poisson_noise', applyPoissonNoise),
  inpainting: register('inpainting', applyInpainting),
  gaussian_noise: register('gaussian_noise', applyGaussianNoise),
  salt_pepper: register('salt_pepper', applySaltPepper),
};

/** All degradations in the paper's order. */
export const DEGRADATION_LIST: readonly Degradation[] = DEGRADATION_IDS.map((id) => getDegradation(id));

export function getDegradation<Id extends DegradationId>(id: Id): Degradation<Id> {
  const degradation = DEGRADATIONS[id];
  if (!degradation) throw new RangeError(`unknown degradation id '${id}'`);
  return degradation as Degradation<Id>;
}

export interface DegradeResult<Id extends DegradationId = DegradationId> {
  readonly image: RgbImage;
  readonly params: DegradationParams<Id>;
}

/** Samples parameters and applies them, all from one Rng seeded with `seed`: same seed, same bytes. */
export function degrade<Id extends DegradationId>(image: RgbImage, id: Id, seed: number): DegradeResult<Id> {
  return degradeWithRng(image, id, createRng(seed));
}

/** As {@link degrade}, drawing from a caller's Rng (e.g. the training loop's stream). */
export function degradeWithRng<Id extends DegradationId>(image: RgbImage, id: Id, rng: Rng): DegradeResult<Id> {
  const degradation = getDegradation(id);
  const params = degradation.sampleParams(rng);
  return { image: degradation.apply(image, params, rng), params };
}
