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
  | {
      readonly kind: 'uniform';
      readonly min: number;
      readonly max: number;
      /** 'log': uniform in log(value), so each doubling is as likely (scale factors, photon counts, qualities). */
      readonly scale?: 'log';
      readonly unit: string;
      readonly about: string;
    }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number; readonly scale?: 'log'; readonly unit: string; readonly about: string }
  | {
      readonly kind: 'choice';
      readonly options: readonly string[];
      /** Relative chance of each option (uniform when absent). */
      readonly weights?: readonly number[];
      readonly about: string;
    }
  | { readonly kind: 'fixed'; readonly value: number | string; readonly unit: string; readonly about: string };

export interface ParamTable {
  readonly [param: string]: ParamSpec;
}

/**
 * One implementation of a degradation, as another tool or another camera makes it. A degradation
 * with families draws one of them (by weight) after its shared parameters, then that family's own.
 */
export interface FamilySpec {
  /** Relative chance of drawing this family. */
  readonly weight: number;
  /** What this family is, and which tool or camera makes the damage this way. */
  readonly about: string;
  readonly params: ParamTable;
  readonly drawnInApply?: ParamTable;
}

export interface DegradationSpec {
  /** Human name, as in the paper. */
  readonly name: string;
  /** One or two sentences: what is done, with which padding / codec / convention. */
  readonly description: string;
  /** Drawn for every family, first. */
  readonly params: ParamTable;
  /** The implementations this degradation is drawn from; absent for a degradation with one (ringing, R-L). */
  readonly families?: { readonly [family: string]: FamilySpec };
  /**
   * Ranges of randomness drawn inside apply() rather than into the params (per stroke, per pixel),
   * listed so that every range still lives in this table.
   */
  readonly drawnInApply?: ParamTable;
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
      'A Gaussian-like blur kernel, reflect padding: the paper\'s isotropic 15×15 kernel, an elliptic one, or a generalized ' +
      'Gaussian with a flatter top or heavier tails (BasicSR / Real-ESRGAN\'s kernel families).',
    params: {},
    families: {
      isotropic: {
        weight: 0.4,
        about: 'the paper\'s: isotropic, 15×15 kernel; σ ~ U(2, 4), the PromptGIP range (the notes also mention U(1, 4))',
        params: {
          kernelSize: { kind: 'fixed', value: 15, unit: 'px', about: 'kernel side' },
          sigma: { kind: 'uniform', min: 2, max: 4, unit: 'px', about: 'Gaussian standard deviation' },
        },
      },
      anisotropic: {
        weight: 0.35,
        about: 'an elliptic Gaussian at any angle on a 21×21 kernel (BasicSR\'s anisotropic kernel; a lens or a scan that blurs more one way)',
        params: {
          sigmaMajor: { kind: 'uniform', min: 2, max: 4.5, unit: 'px', about: 'σ along the major axis' },
          axisRatio: { kind: 'uniform', min: 0.3, max: 1, unit: '', about: 'σ across ÷ σ along' },
          angle: { kind: 'uniform', min: 0, max: 180, unit: '°', about: 'major axis, counter-clockwise from +x' },
          kernelSize: { kind: 'fixed', value: 21, unit: 'px', about: 'kernel side' },
        },
      },
      generalized: {
        weight: 0.25,
        about: 'isotropic generalized Gaussian exp(−½(r/σ)^(2β)) on a 21×21 kernel (BasicSR): β > 1 a flatter top, β < 1 heavier tails',
        params: {
          sigma: { kind: 'uniform', min: 1.5, max: 3.5, unit: 'px', about: 'scale σ' },
          beta: { kind: 'uniform', min: 0.5, max: 4, unit: '', about: 'shape β' },
          kernelSize: { kind: 'fixed', value: 21, unit: 'px', about: 'kernel side' },
        },
      },
    },
    expectedPsnrDb: { min: 18.5, max: 25.5 },
  },
  motion_blur: {
    name: 'Motion blur',
    description:
      'A camera or subject moving while the shutter is open, reflect padding: a centred line, a one-sided trail, or a ' +
      'camera-shake trajectory. Kernels are splatted bilinearly from sub-pixel samples, so they are anti-aliased.',
    params: {},
    families: {
      line: {
        weight: 0.35,
        about: 'a line through the centre, Gaussian weights along it (the project\'s original kernel)',
        params: {
          radius: { kind: 'integer', min: 5, max: 20, unit: 'px', about: 'half-length of the line (kernel side 2·radius + 1)' },
          sigma: { kind: 'uniform', min: 3, max: 12, unit: 'px', about: 'Gaussian weight σ along the line' },
          angle: { kind: 'uniform', min: -90, max: 90, unit: '°', about: 'direction, counter-clockwise from +x' },
        },
      },
      trail: {
        weight: 0.3,
        about: 'a one-sided trail from the pixel, weights falling off as a half Gaussian (ImageMagick\'s -motion-blur): the image also shifts',
        params: {
          length: { kind: 'integer', min: 5, max: 20, unit: 'px', about: 'length of the trail' },
          sigma: { kind: 'uniform', min: 3, max: 12, unit: 'px', about: 'half-Gaussian σ along the trail' },
          angle: { kind: 'uniform', min: -180, max: 180, unit: '°', about: 'direction of the trail, counter-clockwise from +x' },
        },
      },
      shake: {
        weight: 0.35,
        about: 'a hand-held camera\'s shake: a random trajectory with inertia, drift back to the start and sudden jerks ' +
          '(Boracchi & Foi 2012), exposed uniformly, centred on its centroid',
        params: {
          length: { kind: 'uniform', min: 8, max: 40, unit: 'px', about: 'path length of the trajectory' },
          anxiety: { kind: 'uniform', min: 0.005, max: 0.1, unit: '', about: 'how much the direction wanders' },
        },
        drawnInApply: {
          direction: { kind: 'uniform', min: 0, max: 360, unit: '°', about: 'first direction of motion' },
          centripetal: { kind: 'uniform', min: 0, max: 0.7, unit: '', about: 'pull back towards the start' },
          gaussianTerm: { kind: 'uniform', min: 0, max: 10, unit: '', about: 'weight of the random acceleration' },
          jerkRate: { kind: 'uniform', min: 0, max: 0.2, unit: '', about: 'chance of a sudden jerk per step, times the anxiety' },
          steps: { kind: 'fixed', value: 400, unit: '', about: 'trajectory samples' },
          maxRadius: { kind: 'fixed', value: 20, unit: 'px', about: 'a trajectory reaching further is shrunk to fit (kernel side ≤ 41)' },
        },
      },
    },
    expectedPsnrDb: { min: 16, max: 27 },
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
      'A photo shrunk and enlarged back to its size (the VDSR-style same-resolution SR input), with the filters tools use: ' +
      'nearest, bilinear, bicubic, Lanczos-3 and area; bilinear, bicubic and Lanczos shrink with a widened filter ' +
      '(anti-aliased, as PIL, ImageMagick and libvips do) or without (as OpenCV and torch do). Target side ' +
      'round(side / factor), clamped to [1, side − 1] so that it always shrinks.',
    params: {
      factor: { kind: 'uniform', min: 1.3, max: 4, scale: 'log', unit: '×', about: 'shrink factor' },
      downMethod: { kind: 'choice', options: ['nearest', 'bilinear', 'bicubic', 'lanczos3', 'area'], weights: [0.1, 0.25, 0.25, 0.2, 0.2], about: 'shrinking filter' },
      antialias: { kind: 'choice', options: ['on', 'off'], about: 'bilinear, bicubic, Lanczos: widen the filter by the factor when shrinking' },
      upMethod: { kind: 'choice', options: ['nearest', 'bilinear', 'bicubic', 'lanczos3'], weights: [0.1, 0.3, 0.4, 0.2], about: 'enlarging filter' },
    },
    expectedPsnrDb: { min: 20, max: 31 },
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
      'An out-of-focus lens\'s disk of confusion with a continuous radius, reflect padding: a hard pillbox (edge taps weighted ' +
      'by pixel coverage), a disk with a soft rim, or a disk whose brightness changes from centre to rim (spherical aberration).',
    params: {
      radius: { kind: 'uniform', min: 2, max: 8, unit: 'px', about: 'disk radius' },
    },
    families: {
      disk: { weight: 0.4, about: 'a uniform pillbox (the project\'s original kernel; ImageMagick\'s Disk kernel)', params: {} },
      soft: {
        weight: 0.3,
        about: 'the disk\'s rim fades linearly over ±rim px (diffraction, a real aperture)',
        params: { rim: { kind: 'uniform', min: 0.3, max: 1.5, unit: 'px', about: 'half-width of the rim\'s fade' } },
      },
      aberrated: {
        weight: 0.3,
        about: 'spherical aberration: brightness 1 + a·(2(r/R)² − 1) across the disk, a bright rim (a > 0) or a bright core (a < 0), rim fading over ±0.5 px',
        params: {
          aberration: { kind: 'uniform', min: -0.7, max: 0.7, unit: '', about: 'a, the rim-to-centre brightness slope' },
          rim: { kind: 'fixed', value: 0.5, unit: 'px', about: 'half-width of the rim\'s fade' },
        },
      },
    },
    expectedPsnrDb: { min: 18, max: 26 },
  },
  jpeg: {
    name: 'JPEG',
    description:
      'Real baseline JPEG round trips (the project\'s port of jpeg-js\'s encoder with libjpeg\'s tables and quality scaling, ' +
      'chroma at full resolution or halved each way as libjpeg does by default; jpeg-js\'s decoder). Quality 10–95, drawn ' +
      'log-uniformly (one in five above 60); one photo in five is saved a second time, possibly after a crop that moves ' +
      'the 8×8 grid.',
    params: {
      quality: { kind: 'integer', min: 10, max: 95, scale: 'log', unit: '', about: 'JPEG quality of the (first) save' },
      chroma: { kind: 'choice', options: ['4:2:0', '4:4:4'], weights: [0.6, 0.4], about: 'chroma sampling' },
    },
    families: {
      once: { weight: 0.8, about: 'saved once', params: {} },
      twice: {
        weight: 0.2,
        about: 'saved again, as a photo passed on or edited is, after cropping the top-left corner by a few pixels',
        params: {
          secondQuality: { kind: 'integer', min: 10, max: 95, scale: 'log', unit: '', about: 'quality of the second save' },
          gridShift: { kind: 'integer', min: 0, max: 7, unit: 'px', about: 'crop from the top and the left before the second save (0: same grid)' },
        },
      },
    },
    expectedPsnrDb: { min: 22.5, max: 42 },
  },
  poisson_noise: {
    name: 'Poisson noise',
    description:
      'Signal-dependent (shot) noise: each value x becomes Poisson(x·peak)/peak, per pixel and channel, on luminance only, or ' +
      'with a sensor\'s read noise added (Poisson–Gaussian), then clip.',
    params: {
      peak: { kind: 'uniform', min: 30, max: 300, scale: 'log', unit: 'counts', about: 'photon count at x = 1' },
    },
    families: {
      rgb: { weight: 0.4, about: 'per pixel and channel (the paper\'s, with its peak 100 inside the range)', params: {} },
      'poisson-gaussian': {
        weight: 0.35,
        about: 'per pixel and channel, plus Gaussian read noise (a raw sensor\'s model, Foi et al. 2008)',
        params: { readNoise: { kind: 'uniform', min: 1, max: 6, unit: '/255', about: 'read noise σ in 8-bit levels' } },
      },
      luma: {
        weight: 0.25,
        about: 'drawn on the luminance and added to the three channels alike (BasicSR\'s grey Poisson noise)',
        params: {},
      },
    },
    expectedPsnrDb: { min: 16.5, max: 29.5 },
  },
  inpainting: {
    name: 'Inpainting',
    description:
      'Holes painted fully white (add 1, clip) or fully black (subtract 1, clip): random polylines with round joints and caps, ' +
      'or random blobs. Geometry is drawn from the Rng inside apply (see below).',
    params: {
      colour: { kind: 'choice', options: ['white', 'black'], about: 'colour of the holes' },
    },
    families: {
      strokes: {
        weight: 0.6,
        about: 'polylines (the paper\'s)',
        params: {
          strokes: { kind: 'integer', min: 5, max: 10, unit: '', about: 'number of polylines' },
          thickness: { kind: 'integer', min: 5, max: 10, unit: 'px', about: 'stroke width (absolute, whatever the image size)' },
        },
        drawnInApply: {
          segments: { kind: 'integer', min: 2, max: 4, unit: '', about: 'segments per polyline' },
          segmentLength: { kind: 'uniform', min: 0.08, max: 0.2, unit: '× shorter side', about: 'length of each segment' },
          start: { kind: 'uniform', min: 0, max: 1, unit: '× width, × height', about: 'first vertex, anywhere in the image' },
          direction: { kind: 'uniform', min: 0, max: 360, unit: '°', about: 'direction of each segment' },
        },
      },
      blobs: {
        weight: 0.4,
        about: 'irregular blobs (dust, stains, a torn corner)',
        params: {
          blobs: { kind: 'integer', min: 3, max: 8, unit: '', about: 'number of blobs' },
          size: { kind: 'uniform', min: 4, max: 16, unit: 'px', about: 'mean radius of a blob (absolute, whatever the image size)' },
        },
        drawnInApply: {
          centre: { kind: 'uniform', min: 0, max: 1, unit: '× width, × height', about: 'centre, anywhere in the image' },
          axisRatio: { kind: 'uniform', min: 0.4, max: 1, unit: '', about: 'minor ÷ major axis' },
          angle: { kind: 'uniform', min: 0, max: 180, unit: '°', about: 'major axis' },
          wobble: { kind: 'uniform', min: 0, max: 0.3, unit: '× radius', about: 'amplitude of each of the rim\'s 2nd and 3rd harmonics' },
        },
      },
    },
    expectedPsnrDb: { min: 9, max: 24.5 },
  },
  gaussian_noise: {
    name: 'Gaussian noise',
    description:
      'Additive zero-mean Gaussian noise, then clip: independent per pixel and channel, the same on the three channels, ' +
      'in luma and chroma with their own strengths, or spatially correlated (as after demosaicing).',
    params: {
      sigma: { kind: 'uniform', min: 10, max: 50, unit: '/255', about: 'noise standard deviation per channel in 8-bit levels (on average over R, G, B in luma-chroma)' },
    },
    families: {
      rgb: { weight: 0.35, about: 'independent per pixel and channel (the paper\'s)', params: {} },
      grey: { weight: 0.15, about: 'one draw per pixel added to the three channels alike (BasicSR\'s grey noise)', params: {} },
      'luma-chroma': {
        weight: 0.25,
        about: 'independent draws in Y, Cb and Cr (BT.601), chroma with its own strength, scaled so that R, G and B keep σ on average: a camera\'s noise after its colour processing',
        params: { chromaRatio: { kind: 'uniform', min: 0.5, max: 2, unit: '', about: 'chroma σ ÷ luma σ' } },
      },
      correlated: {
        weight: 0.25,
        about: 'white noise low-passed by a Gaussian and scaled back to σ per pixel: the grain of a demosaiced or denoised sensor',
        params: { grain: { kind: 'uniform', min: 0.4, max: 1.2, unit: 'px', about: 'σ of the Gaussian the noise is filtered by' } },
      },
    },
    expectedPsnrDb: { min: 13.5, max: 29 },
  },
  salt_pepper: {
    name: 'Salt & pepper noise',
    description: 'Impulse noise: pixel values become white or black with the given probability, at a pixel location all three channels together, or each channel apart (as ImageMagick\'s impulse noise).',
    params: {
      amount: { kind: 'uniform', min: 0.02, max: 0.1, unit: '', about: 'probability that a location (or a channel) is replaced' },
      saltFraction: { kind: 'uniform', min: 0.3, max: 0.7, unit: '', about: 'share of replaced values that become white (1)' },
    },
    families: {
      location: { weight: 0.5, about: 'all three channels of a pixel together (the paper\'s)', params: {} },
      channel: { weight: 0.5, about: 'each channel of each pixel apart: coloured specks', params: {} },
    },
    expectedPsnrDb: { min: 13.5, max: 24 },
  },
} as const satisfies { readonly [Id in DegradationId]: DegradationSpec };

type SampledValue<S> = S extends { kind: 'choice'; options: readonly (infer O)[] }
  ? O
  : S extends { kind: 'fixed'; value: infer V }
    ? V
    : number;

type ParamsOf<P> = { -readonly [K in keyof P]: SampledValue<P[K]> };

type Row<Id extends DegradationId> = (typeof DEGRADATION_TABLE)[Id];

/** One object per family: its name in `family`, and its own parameters. */
type FamilyParams<R> = R extends { families: infer Fs }
  ? { [F in keyof Fs & string]: { family: F } & ParamsOf<Fs[F] extends { params: infer P } ? P : never> }[keyof Fs & string]
  : unknown;

/** The family names of a degradation that has families. */
export type FamilyOf<Id extends DegradationId> = Row<Id> extends { families: infer Fs } ? keyof Fs & string : never;

/** The plain, JSON-serialisable parameter object of one degradation, typed from its table row. */
export type DegradationParams<Id extends DegradationId = DegradationId> = ParamsOf<Row<Id>['params']> & FamilyParams<Row<Id>>;

function pickWeighted(rng: Rng, options: readonly string[], weights: readonly number[]): string {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < options.length; i++) {
    u -= weights[i];
    if (u < 0) return options[i];
  }
  return options[options.length - 1];
}

export function sampleParam(rng: Rng, spec: ParamSpec): number | string {
  switch (spec.kind) {
    case 'uniform':
      return spec.scale === 'log' ? Math.exp(rng.uniform(Math.log(spec.min), Math.log(spec.max))) : rng.uniform(spec.min, spec.max);
    case 'integer':
      if (spec.scale !== 'log') return rng.int(spec.min, spec.max);
      // Each integer gets the log-width of [k − ½, k + ½] inside [min − ½, max + ½].
      return Math.min(spec.max, Math.max(spec.min, Math.round(Math.exp(rng.uniform(Math.log(spec.min - 0.5), Math.log(spec.max + 0.5))))));
    case 'choice':
      return spec.weights ? pickWeighted(rng, spec.options, spec.weights) : rng.pick(spec.options);
    case 'fixed':
      return spec.value;
  }
}

function sampleInto(params: Record<string, number | string>, specs: ParamTable, rng: Rng): void {
  for (const [name, spec] of Object.entries(specs)) params[name] = sampleParam(rng, spec);
}

/** Draws every parameter of a degradation from its table row: the shared ones in table order, then a family and its own. */
export function sampleTableParams<Id extends DegradationId>(id: Id, rng: Rng): DegradationParams<Id> {
  const row: DegradationSpec = DEGRADATION_TABLE[id];
  const params: Record<string, number | string> = {};
  sampleInto(params, row.params, rng);
  if (row.families) {
    const names = Object.keys(row.families);
    const family = pickWeighted(rng, names, names.map((n) => row.families![n].weight));
    params.family = family;
    sampleInto(params, row.families[family].params, rng);
  }
  return params as DegradationParams<Id>;
}

/** The parameter specs a drawn parameter object must match: the shared ones, then its family's. */
export function paramSpecsOf(id: DegradationId, family?: string): ParamTable {
  const row: DegradationSpec = DEGRADATION_TABLE[id];
  if (!row.families) return row.params;
  const f = family === undefined ? undefined : row.families[family];
  if (!f) throw new RangeError(`degradation '${id}' has no family '${family}' (it has ${Object.keys(row.families).join(', ')})`);
  return { ...row.params, ...f.params };
}
