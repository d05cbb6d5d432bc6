import { decideAutoChoice, type GroupTrust } from '../../core/auto-choice';
import { mean } from '../../core/calibration-stats';
import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { applyOodDegradation, isOodDegradation, OOD_DEGRADATION_IDS, type OodDegradationId } from '../../core/degradations/out-of-distribution';
import { analyseDegradation, type DdrProtocol, type FeatureExtractor } from '../../core/ddr-protocol';
import type { Ggd } from '../../core/ggd-types';
import { quantize8, type RgbImage } from '../../core/image';
import { jpegRoundTrip } from '../../core/degradations/jpeg';
import type { JpegCheck } from '../../core/jpeg-check';
import { psnr } from '../../core/metrics';
import { jpegCheckVerdict } from '../../core/analysis';
import { CLEAN, ROUTER_CLASSES, type RouterClass } from '../../core/router/classes';
import { patchFeatures } from '../../core/router/patch-features';
import { photoCues } from '../../core/router/photo-cues';
import { cleanPriorOf, expectedGains, mostLikely, routerProbabilities, routerProposal, withCleanPrior } from '../../core/router/router';
import { selectGroup } from '../../core/selection';
import type { EvalImage } from '../eval/evaluate';
import { loadSession, ortCentredGram, ortRouter, restoreImageTo8Bit } from '../onnx/ort-node';
import { calibrationCrops, type CalibrationCrop } from '../zoo/calibrate';

/**
 * The PSNR of a clean 8-bit photo against the scene it records: uniform rounding error of ±½ level,
 * 10·log10(12·255²) ≈ 58.9 dB. A clean crop's "input PSNR" is this (against itself it would be
 * infinite), so restoring a clean photo to 40 dB counts as a loss of about 19 dB.
 */
export const CLEAN_INPUT_PSNR = 10 * Math.log10(12 * 255 * 255);

/** One held-out crop as the router and the KL rule see it, with every model's gain on it. */
export interface RouterCrop {
  image: string;
  crop: number;
  source: RouterClass | OodDegradationId;
  kind: 'in' | 'ood';
  logits: number[];
  /**
   * The distance to the nearest group (the OOD model's input), from the router rule's analysis: the
   * descriptor patches its calibration record names (RouterCalibration.descriptorPatches).
   */
  nearestGroupDistance: number;
  /** PSNR gain (dB) of each model ('baseline' and group ids) over the input; absent on OOD crops. */
  gains?: Record<string, number>;
  /** The photo's tone cues (photo-cues.ts); absent in crops measured before the OOD model read them. */
  photoCues?: number[];
  /**
   * A clean photo as users bring one rather than a calibration corner as it is (NORMAL_PHOTOS): the
   * corner or the whole photo, saved again at a JPEG quality. Only the OOD model reads these.
   */
  presented?: PresentedAs;
}

/** How a clean held-out photo is shown to the OOD model: a corner crop or the whole photo, and the JPEG quality it was saved again at (null: as it is). */
export interface PresentedAs {
  whole: boolean;
  jpegQuality: number | null;
}

/**
 * Undamaged photos as people bring them, which the OOD badge must spare: the held-out corners saved
 * again as JPEGs at the qualities cameras and websites use (4:2:0, as libjpeg saves by default), and
 * the whole held-out photos, as they are and saved again.
 */
export const NORMAL_PHOTOS: readonly PresentedAs[] = [
  ...[85, 90, 95].map((jpegQuality) => ({ whole: false, jpegQuality })),
  ...[null, 85, 90, 95].map((jpegQuality) => ({ whole: true, jpegQuality })),
];

/** The clean held-out photos presented as NORMAL_PHOTOS, measured as the OOD model reads them (no gains: nothing restores them). */
export async function measureNormalPhotos(options: RouterAnalysisOptions & {
  routerFile: string;
  onProgress?: (done: number, total: number) => void;
  onSkip?: (crop: string, reason: string) => void;
}): Promise<RouterCrop[]> {
  const router = ortRouter(await loadSession(options.routerFile));
  const corners = calibrationCrops(options.images, options.crop, options.cropsPerImage, options.seed);
  const shown = NORMAL_PHOTOS.flatMap((presented) =>
    presented.whole
      ? options.images.map((img) => ({ image: img.name, crop: -1, clean: img.image, presented }))
      : corners.map((c) => ({ image: c.image, crop: c.crop, clean: c.clean, presented })),
  );
  const out: RouterCrop[] = [];
  for (const [done, { image, crop, clean, presented }] of shown.entries()) {
    const input = presented.jpegQuality === null ? clean : quantize8(jpegRoundTrip(clean, presented.jpegQuality, '4:2:0'));
    try {
      out.push({
        image, crop, source: CLEAN, kind: 'in', presented,
        logits: Array.from(await router(patchFeatures(input))),
        nearestGroupDistance: await nearestGroupDistanceOf(input, options),
        photoCues: Array.from(photoCues(input)),
      });
    } catch (error) {
      options.onSkip?.(`${image} ${presented.whole ? 'whole' : `crop ${crop}`} JPEG ${presented.jpegQuality ?? 'none'}`, (error as Error).message.split('\n')[0]);
    }
    options.onProgress?.(done + 1, shown.length);
  }
  return out;
}

/** What a calibration crop is measured as: clean, each of the 11, and each OOD damage, in this order (the order seeds the OOD draws). */
export const CALIBRATION_SOURCES: readonly (RouterClass | OodDegradationId)[] = [...ROUTER_CLASSES, ...OOD_DEGRADATION_IDS];

/** The image a calibration crop (the `index`-th of calibrationCrops) is measured on for one source; the same on every run. */
export function calibrationInput(crop: Pick<CalibrationCrop, 'clean' | 'seedOf'>, index: number, source: RouterClass | OodDegradationId): RgbImage {
  if (source === CLEAN) return crop.clean;
  if (isOodDegradation(source)) return applyOodDegradation(crop.clean, source, 9000 + 31 * index + CALIBRATION_SOURCES.indexOf(source)).image;
  return degrade(crop.clean, source, crop.seedOf(source)).image;
}

/** The input a stored calibration crop was measured on, rebuilt from the same photos and settings (to read something new from it). */
export function storedCropInputs(images: EvalImage[], crop: number | null, cropsPerImage: number, seed: number): (c: Pick<RouterCrop, 'image' | 'crop' | 'source'>) => RgbImage {
  const calibration = calibrationCrops(images, crop, cropsPerImage, seed);
  const index = new Map(calibration.map((c, i) => [`${c.image}#${c.crop}`, i]));
  return (c) => {
    const i = index.get(`${c.image}#${c.crop}`);
    if (i === undefined) throw new Error(`calibration crop ${c.image} #${c.crop} is not among this preset's crops; run the router-calibration stage again`);
    return calibrationInput(calibration[i], i, c.source);
  };
}

/** What the router rule's analysis of a calibration crop needs: its DDR protocol (with the router's patch count) and the KL side. */
export interface RouterAnalysisOptions {
  images: EvalImage[];
  crop: number | null;
  cropsPerImage: number;
  seed: number;
  /** The router rule's protocol: the descriptor's, with the router's descriptorPatches. */
  protocol: DdrProtocol;
  extract: FeatureExtractor;
  references: { id: DegradationId; ggd: Ggd }[];
  groups: { id: string; members: DegradationId[]; file: string }[];
  jpegCheck?: JpegCheck;
}

/** The distance to the nearest group of one input, as the router rule's analysis reads it. */
async function nearestGroupDistanceOf(input: RgbImage, options: RouterAnalysisOptions): Promise<number> {
  const statistic = await analyseDegradation([input], options.protocol, options.extract, { gram: ortCentredGram() });
  return selectGroup(statistic.ggd, options.references, options.groups, { jpegCheck: jpegCheckVerdict(statistic, options.jpegCheck) }).nearestGroupDistance;
}

export async function measureRouterCrops(options: RouterAnalysisOptions & {
  routerFile: string;
  baselineFile: string;
  /** The sources to measure (CALIBRATION_SOURCES when absent). */
  sources?: readonly (RouterClass | OodDegradationId)[];
  onProgress?: (done: number, total: number) => void;
  /** Told about each crop the analysis refuses (a flat image has no degradation to measure); it is left out. */
  onSkip?: (crop: string, reason: string) => void;
}): Promise<RouterCrop[]> {
  const crops = calibrationCrops(options.images, options.crop, options.cropsPerImage, options.seed);
  const router = ortRouter(await loadSession(options.routerFile));
  const models = [{ id: 'baseline', file: options.baselineFile }, ...options.groups.map((g) => ({ id: g.id, file: g.file }))];
  const sources = options.sources ?? CALIBRATION_SOURCES;
  const total = crops.length * sources.length;
  const out: RouterCrop[] = [];
  let done = 0;
  for (const [c, calibrationCrop] of crops.entries()) {
    const { image, crop, clean } = calibrationCrop;
    for (const source of sources) {
      const ood = isOodDegradation(source);
      const input = calibrationInput(calibrationCrop, c, source);
      let nearestGroupDistance;
      try {
        nearestGroupDistance = await nearestGroupDistanceOf(input, options);
      } catch (error) {
        // E.g. over-exposure that clips a bright crop to white: the app refuses such a photo too.
        options.onSkip?.(`${image} crop ${crop} ${source}`, (error as Error).message.split('\n')[0]);
        options.onProgress?.(++done, total);
        continue;
      }
      const sample: RouterCrop = {
        image, crop, source, kind: ood ? 'ood' : 'in',
        logits: Array.from(await router(patchFeatures(input))), nearestGroupDistance,
        photoCues: Array.from(photoCues(input)),
      };
      if (!ood) {
        const inputPsnr = source === CLEAN ? CLEAN_INPUT_PSNR : psnr(input, clean);
        sample.gains = {};
        for (const m of models) sample.gains[m.id] = Math.min(CLEAN_INPUT_PSNR, psnr(await restoreImageTo8Bit(await loadSession(m.file), input), clean)) - inputPsnr;
      }
      out.push(sample);
      options.onProgress?.(++done, total);
    }
  }
  return out;
}

/**
 * The crops of a calibration measured with another protocol, with their distances read again under
 * `options.protocol` (the same inputs; logits and gains do not depend on the descriptor). A crop the
 * analysis now refuses is left out and told to onSkip.
 */
export async function withRouterDistances(crops: readonly RouterCrop[], options: RouterAnalysisOptions & {
  onProgress?: (done: number, total: number) => void;
  onSkip?: (crop: string, reason: string) => void;
}): Promise<RouterCrop[]> {
  const inputOf = storedCropInputs(options.images, options.crop, options.cropsPerImage, options.seed);
  const out: RouterCrop[] = [];
  for (const [done, c] of crops.entries()) {
    const input = inputOf(c);
    try {
      out.push({ ...c, nearestGroupDistance: await nearestGroupDistanceOf(input, options) });
    } catch (error) {
      options.onSkip?.(`${c.image} crop ${c.crop} ${c.source}`, (error as Error).message.split('\n')[0]);
    }
    options.onProgress?.(done + 1, crops.length);
  }
  return out;
}

/** The temperature that minimises the negative log-likelihood of the true classes (grid search; T = 1 is the network as trained). */
export function fitTemperature(crops: readonly RouterCrop[]): number {
  const labelled = crops.filter((c) => c.kind === 'in');
  let best = { t: 1, nll: Infinity };
  for (let t = 0.5; t <= 3.0001; t += 0.05) {
    const nll = mean(labelled.map((c) => -Math.log(Math.max(1e-12, routerProbabilities(c.logits, t)[c.source as RouterClass]))));
    if (nll < best.nll) best = { t: Math.round(t * 100) / 100, nll };
  }
  return best.t;
}

/** Mean gain of each model on each class, over the in-distribution crops. */
export function gainTable(crops: readonly RouterCrop[], models: readonly string[]): Record<string, Record<RouterClass, number>> {
  return Object.fromEntries(models.map((m) => [m, Object.fromEntries(ROUTER_CLASSES.map((c) => [c, mean(crops.filter((x) => x.source === c && x.gains).map((x) => x.gains![m]))]))])) as Record<string, Record<RouterClass, number>>;
}

/** The router's route, as the routing contract takes it before the safe policy (core routerProposal). */
export function routerCandidate(probabilities: Record<RouterClass, number>, gain: Record<string, Record<RouterClass, number>>, noDamageThreshold: number): string {
  return routerProposal(probabilities, expectedGains(probabilities, gain), noDamageThreshold).model;
}

/**
 * How the router rule reads a crop: the network's probabilities at the temperature, moved to a prior
 * share of undamaged photos (core withCleanPrior; absent: the trained share), as core readRouter does.
 */
export interface RouterReadout {
  temperature: number;
  cleanPrior?: number;
}

export const decidingProbabilities = (c: Pick<RouterCrop, 'logits'>, readout: RouterReadout) => withCleanPrior(routerProbabilities(c.logits, readout.temperature), cleanPriorOf(readout));

/** The safe policy for the router's routes: per group, the held-out crops the router sent to it. */
export function routerPolicy(crops: readonly RouterCrop[], groupIds: readonly string[], readout: RouterReadout, gain: Record<string, Record<RouterClass, number>>, noDamageThreshold: number): Record<string, GroupTrust> {
  const routed = crops.filter((c) => c.gains).flatMap((c) => {
    const chosen = routerCandidate(decidingProbabilities(c, readout), gain, noDamageThreshold);
    return groupIds.includes(chosen) ? [{ chosen, groupGain: c.gains![chosen], baselineGain: c.gains!.baseline }] : [];
  });
  return decideAutoChoice(groupIds, routed);
}

/** P(clean) at or above this is "no damage": more likely clean than all the damages together. Fixed, not tuned. */
export const NO_DAMAGE_THRESHOLD = 0.5;

/**
 * The prior share of undamaged photos the router rule assumes: a photo brought to the app is as
 * likely undamaged as damaged. The network is trained on each of its 12 classes equally often, a
 * prior under which an undamaged photo is the rare case (1 in 12); under that prior a soft but clean
 * photo is restored whenever one damage looks a little likelier than clean. Fixed by that assumption,
 * not tuned (docs/RESULTS.md §12, "The prior the router decides under").
 */
export const CLEAN_PRIOR = 0.5;

export interface RouterCalibration {
  images: string[];
  crops: RouterCrop[];
  /** The descriptor patches the crops' distances were read from; absent in records measured with every planned patch. */
  descriptorPatches?: number;
  temperature: number;
  /** The prior share of undamaged photos the policy and the figures below were decided under; absent in records made before it existed (the trained share). */
  cleanPrior?: number;
  noDamageThreshold: number;
  gain: Record<string, Record<RouterClass, number>>;
  policy: Record<string, GroupTrust>;
  policyDescription: string;
  /**
   * On the held-out crops: the most probable damage is the true one (routing); per class, the
   * network's most probable class is the true one (equal class shares, as trained); the router rule
   * leaves clean crops, and damaged ones, as they are (absent in older records).
   */
  heldOut: { routing: number; perClass: Record<string, number>; noDamageOnClean: number; leftAloneWhenDamaged?: number };
}

/** Everything the manifest's router block needs, from the measured held-out crops (pure, so a stored measurement can be decided again). */
export function calibrateRouter(crops: RouterCrop[], groupIds: string[], images: string[], descriptorPatches: number, cleanPrior = CLEAN_PRIOR): RouterCalibration {
  const temperature = fitTemperature(crops);
  const readout = { temperature, cleanPrior };
  const gain = gainTable(crops, ['baseline', ...groupIds]);
  const policy = routerPolicy(crops, groupIds, readout, gain, NO_DAMAGE_THRESHOLD);
  const leftAlone = (x: RouterCrop) => (routerCandidate(decidingProbabilities(x, readout), gain, NO_DAMAGE_THRESHOLD) === 'none' ? 1 : 0);
  const perClass: Record<string, number> = {};
  for (const c of ROUTER_CLASSES) {
    const of = crops.filter((x) => x.source === c);
    perClass[c] = of.filter((x) => {
      const p = routerProbabilities(x.logits, temperature);
      return mostLikely(p, ROUTER_CLASSES) === c;
    }).length / Math.max(1, of.length);
  }
  const clean = crops.filter((x) => x.source === CLEAN);
  const damaged = crops.filter((x) => x.kind === 'in' && x.source !== CLEAN);
  return {
    images, crops, descriptorPatches, temperature, cleanPrior, noDamageThreshold: NO_DAMAGE_THRESHOLD, gain, policy,
    policyDescription: `${crops.filter((c) => c.gains).length} crops (4 corners) of ${images.length} held-out training photos, each degraded by each of the 11 or left clean; a group restores only where its model beat the mix baseline on average over the crops the router sent to it`,
    heldOut: {
      routing: mean(damaged.map((x) => {
        const p = routerProbabilities(x.logits, temperature);
        return mostLikely(p, ROUTER_CLASSES.filter((k) => k !== CLEAN)) === x.source ? 1 : 0;
      })),
      perClass,
      noDamageOnClean: mean(clean.map(leftAlone)),
      leftAloneWhenDamaged: mean(damaged.map(leftAlone)),
    },
  };
}
