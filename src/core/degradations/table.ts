import type { Rng } from '../random.ts';
import type { DegradationId } from './ids.ts';

/**
 * THE one table of degradation parameters (BasicSR style): every range any degradation samples
 * from lives here, and docs/degradations.md is generated from it. Conventions follow the method
 * notes §3 (PromptGIP / DepictQA / BasicSR); where the notes offer alternatives the choice is noted.
 *
 * Parameters are drawn in the order they are listed, from the degradation's seeded Rng.
 */
export type ParamSpec =
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number; readonly unit: string; readonly about: string }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number; readonly unit: string; readonly about: string }
  | { readonly kind: 'choice'; readonly options: readonly string[]; readonly about: string }
  | { readonly kind: 'fixed'; readonly value: number | string; readonly unit: string; readonly about: string };

export interface DegradationSpec {
  /** Human name, as in the paper. */
  readonly name: string;
  /** One or two sentences: what is done, with which padding / codec / convention. */
  readonly description: string;
  readonly params: { readonly [param: string]: ParamSpec };
  /**
   * Ranges of randomness drawn inside apply() rather than into the params (per stroke, per pixel),
   * listed so that every range still lives in this table.
   */
  readonly drawnInApply?: { readonly [name: string]: ParamSpec };
  /**
   * PSNR (dB) of the degraded image against the clean one on the synthetic test scenes
   * (test-scenes.ts, scene seeds 1–3, 128² and 256²): the range measured over 20 (128²) and 8 (256²)
   * degradation seeds per scene, widened by about 1–2 dB. degradations.test.ts enforces it, and
   * docs/degradations.md re-measures and prints it.
   */
  readonly expectedPsnrDb: { readonly min: number; readonly max: number };
}

export const DEGRADATION_TABLE = {
  gaussian_blur: {
    name: 'Gaussian blur',
    description:
      'Isotropic 15×15 Gaussian kernel, reflect padding. σ ~ U(2, 4), the PromptGIP range (the notes also mention U(1, 4)).',
    params: {
      kernelSize: { kind: 'fixed', value: 15, unit: 'px', about: 'kernel side' },
      sigma: { kind: 'uniform', min: 2, max: 4, unit: 'px', about: 'Gaussian standard deviation' },
    },
    expectedPsnrDb: { min: 19, max: 25 },
  },
  motion_blur: {
    name: 'Motion blur',
    description:
      'Anti-aliased line kernel through the centre, Gaussian weights along the line, reflect padding.',
    params: {
      radius: { kind: 'integer', min: 5, max: 20, unit: 'px', about: 'half-length of the line (kernel side 2·radius + 1)' },
      sigma: { kind: 'uniform', min: 3, max: 12, unit: 'px', about: 'Gaussian weight σ along the line' },
      angle: { kind: 'uniform', min: -90, max: 90, unit: '°', about: 'direction, counter-clockwise from +x' },
    },
    expectedPsnrDb: { min: 17, max: 25.5 },
  },
  rl: {
    name: 'R-L',
    description:
      'Pad 7 px with a linear ramp from the edge value to 0, run one Richardson–Lucy iteration with a 5×5 box PSF from a ' +
      'constant 0.5 start image, crop back. One iteration from a constant start equals a 5×5 box mean of the padded image, ' +
      'which is how it is computed.',
    params: {
      padding: { kind: 'fixed', value: 7, unit: 'px', about: 'linear-ramp padding on each side' },
      psfSize: { kind: 'fixed', value: 5, unit: 'px', about: 'box PSF side' },
    },
    expectedPsnrDb: { min: 21.5, max: 25 },
  },
  sr: {
    name: 'SR',
    description:
      'Downscale by s with a random filter, then upscale back to the original size with bicubic (the VDSR-style ' +
      'same-resolution SR input). Target side round(side·s), clamped to [1, side − 1] so that it always shrinks. s ~ U(0.25, 1) (the notes also mention U(0.2, 1)).',
    params: {
      scale: { kind: 'uniform', min: 0.25, max: 1, unit: '×', about: 'downscale factor s' },
      downMethod: { kind: 'choice', options: ['bilinear', 'bicubic', 'area'], about: 'downscale filter' },
      upMethod: { kind: 'fixed', value: 'bicubic', unit: '', about: 'upscale filter' },
    },
    expectedPsnrDb: { min: 21, max: 37 },
  },
  ringing: {
    name: 'Ringing',
    description:
      '2-D sinc (Real-ESRGAN circular low-pass) kernel with cut-off ω_c = 1.2, 15×15 zero-padded to 21×21, reflect padding.',
    params: {
      cutoff: { kind: 'fixed', value: 1.2, unit: 'rad/px', about: 'cut-off frequency ω_c' },
      kernelSize: { kind: 'fixed', value: 15, unit: 'px', about: 'sinc support' },
      padTo: { kind: 'fixed', value: 21, unit: 'px', about: 'kernel zero-padded to this side' },
    },
    expectedPsnrDb: { min: 22.5, max: 26.5 },
  },
  defocus_blur: {
    name: 'Defocus blur',
    description:
      'Normalised disk (pillbox) kernel with a continuous radius, edge taps weighted by pixel coverage, reflect padding.',
    params: {
      radius: { kind: 'uniform', min: 2, max: 8, unit: 'px', about: 'disk radius' },
    },
    expectedPsnrDb: { min: 18, max: 26.5 },
  },
  jpeg: {
    name: 'JPEG',
    description:
      'Real baseline JPEG round trip (jpeg-js\'s codec; libjpeg quality scaling, 4:4:4 chroma). Quality 10–40 (the notes also mention 20–95).',
    params: {
      quality: { kind: 'integer', min: 10, max: 40, unit: '', about: 'JPEG quality' },
    },
    expectedPsnrDb: { min: 23, max: 34 },
  },
  poisson_noise: {
    name: 'Poisson noise',
    description: 'Each value x becomes Poisson(x·peak)/peak, independently per pixel and channel, then clip.',
    params: {
      peak: { kind: 'fixed', value: 100, unit: 'counts', about: 'photon count at x = 1' },
    },
    expectedPsnrDb: { min: 22, max: 24.2 },
  },
  inpainting: {
    name: 'Inpainting',
    description:
      'Random polylines with round joints and caps drawn into a binary mask, then painted fully white (add 1, clip) or ' +
      'fully black (subtract 1, clip). Stroke geometry is drawn from the Rng inside apply (see below).',
    params: {
      strokes: { kind: 'integer', min: 5, max: 10, unit: '', about: 'number of polylines' },
      thickness: { kind: 'integer', min: 5, max: 10, unit: 'px', about: 'stroke width (absolute, whatever the image size)' },
      colour: { kind: 'choice', options: ['white', 'black'], about: 'stroke colour' },
    },
    drawnInApply: {
      segments: { kind: 'integer', min: 2, max: 4, unit: '', about: 'segments per polyline' },
      segmentLength: { kind: 'uniform', min: 0.08, max: 0.2, unit: '× shorter side', about: 'length of each segment' },
      start: { kind: 'uniform', min: 0, max: 1, unit: '× width, × height', about: 'first vertex, anywhere in the image' },
      direction: { kind: 'uniform', min: 0, max: 360, unit: '°', about: 'direction of each segment' },
    },
    expectedPsnrDb: { min: 9, max: 20 },
  },
  gaussian_noise: {
    name: 'Gaussian noise',
    description: 'Additive white Gaussian noise, independent per pixel and channel, then clip.',
    params: {
      sigma: { kind: 'uniform', min: 10, max: 50, unit: '/255', about: 'noise standard deviation in 8-bit levels' },
    },
    expectedPsnrDb: { min: 14, max: 28.5 },
  },
  salt_pepper: {
    name: 'Salt & pepper noise',
    description: 'Each pixel location (all three channels together) becomes white or black with the given probability.',
    params: {
      amount: { kind: 'fixed', value: 0.05, unit: '', about: 'probability that a pixel location is replaced' },
      saltFraction: { kind: 'fixed', value: 0.5, unit: '', about: 'share of replaced pixels that become white (1)' },
    },
    expectedPsnrDb: { min: 16.5, max: 20 },
  },
} as const satisfies { readonly [Id in DegradationId]: DegradationSpec };

type SampledValue<S> = S extends { kind: 'choice'; options: readonly (infer O)[] }
  ? O
  : S extends { kind: 'fixed'; value: infer V }
    ? V
    : number;

/** The plain, JSON-serialisable parameter object of one degradation, typed from its table row. */
export type DegradationParams<Id extends DegradationId = DegradationId> = {
  -readonly [K in keyof (typeof DEGRADATION_TABLE)[Id]['params']]: SampledValue<(typeof DEGRADATION_TABLE)[Id]['params'][K]>;
};

export function sampleParam(rng: Rng, spec: ParamSpec): number | string {
  switch (spec.kind) {
    case 'uniform':
      return rng.uniform(spec.min, spec.max);
    case 'integer':
      return rng.int(spec.min, spec.max);
    case 'choice':
      return rng.pick(spec.options);
    case 'fixed':
      return spec.value;
  }
}

/** Draws every parameter of a degradation from its table row, in table order. */
export function sampleTableParams<Id extends DegradationId>(id: Id, rng: Rng): DegradationParams<Id> {
  const params: Record<string, number | string> = {};
  const specs: { readonly [param: string]: ParamSpec } = DEGRADATION_TABLE[id].params;
  for (const [name, spec] of Object.entries(specs)) params[name] = sampleParam(rng, spec);
  return params as DegradationParams<Id>;
}
