import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { applyOodDegradation, OOD_DEGRADATION_IDS, type OodDegradationId } from '../../core/degradations/out-of-distribution';
import { analyseDegradation, type DdrProtocol, type FeatureExtractor } from '../../core/ddr-protocol';
import type { Ggd } from '../../core/ggd-types';
import { cropImage, type RgbImage } from '../../core/image';
import { psnr } from '../../core/metrics';
import { jpegCheckVerdict } from '../../core/analysis';
import type { JpegCheck } from '../../core/jpeg-check';
import { selectGroup } from '../../core/selection';
import { auroc, linearFit, pearson, youdenThreshold, type LinearFit } from '../../core/calibration-stats';
import { evalSeed, type EvalImage } from '../eval/evaluate';
import { loadSession, ortCentredGram, restoreImageTo8Bit } from '../onnx/ort-node';

/**
 * Calibrates selection on validation photos the references never saw, `cropsPerImage` crops each
 * (the corners of the photo, so they overlap only on small photos):
 * - in-distribution: each crop degraded by each of the 11 (fixed seeds); we record the group
 *   chosen (correct when it contains the degradation), the chosen distance, the predicted gain and
 *   the PSNR gain of the chosen group's model;
 * - out-of-distribution: each crop hazed, colour-cast and under-exposed.
 * The OOD threshold maximises Youden's J between the two distance sets. The gain prediction uses
 * `expectedGain` (each group model's mean gain per degradation, measured on training photos, so
 * nothing here is fitted to these samples) when given; the least-squares line in the chosen
 * distance is fitted and reported as well.
 */
export interface CalibrationSample {
  image: string;
  /** Which crop of the image (0-based). */
  crop: number;
  source: DegradationId | OodDegradationId;
  kind: 'in' | 'ood';
  chosen: string;
  chosenDistance: number;
  /** The nearest group, the paper's choice (absent in calibrations before the JPEG check: chosen then). */
  nearestGroup?: string;
  /** Distance to the nearest group, the one the OOD threshold applies to (absent in calibrations before the JPEG check: chosenDistance then). */
  nearestGroupDistance?: number;
  /** P(JPEG) from the JPEG check; absent without a check. */
  jpegProbability?: number;
  /** The degradation the gain prediction assumes (selection's likelyDegradation); absent before the JPEG check: nearest then. */
  likelyDegradation?: DegradationId;
  /** The single degradation nearest the input, and its distance. */
  nearest: DegradationId;
  nearestDistance: number;
  predictedGain: number | null;
  correct: boolean | null;
  inputPsnr: number | null;
  gain: number | null;
}

export interface CalibrationResult {
  samples: CalibrationSample[];
  oodThreshold: number;
  ood: { auroc: number; tpr: number; fpr: number };
  selectionAccuracy: { overall: number; perDegradation: Record<string, number> };
  /** The distance-only line (the fallback predictor). */
  gainFit: LinearFit;
  /** Pearson r between predicted and actual gain, for the predictor the manifest uses. */
  gainPrediction: { method: 'expected-gain' | 'linear'; r: number };
}

/** The distance the OOD threshold applies to: the nearest group's, which is the chosen one's unless the JPEG check overrode it. */
export function oodDistanceOf(sample: Pick<CalibrationSample, 'chosenDistance' | 'nearestGroupDistance'>): number {
  return sample.nearestGroupDistance ?? sample.chosenDistance;
}

/** Up to four crops of `size` px at the corners of the image (fewer when the image is small). */
export function cornerCrops(image: RgbImage, size: number | null, count: number): RgbImage[] {
  if (size === null) return [image];
  const w = Math.min(size, image.width), h = Math.min(size, image.height);
  const xs = [...new Set([0, image.width - w])], ys = [...new Set([0, image.height - h])];
  const positions = ys.flatMap((y) => xs.map((x) => [x, y] as const)).slice(0, Math.max(1, count));
  return positions.map(([x, y]) => cropImage(image, x, y, w, h));
}

/** One clean calibration crop and the seed of each degradation's draw on it. */
export interface CalibrationCrop {
  image: string;
  /** Which crop of the image (0-based). */
  crop: number;
  clean: RgbImage;
  seedOf: (task: DegradationId) => number;
}

/**
 * The calibration's clean crops, in order, with their degradation seeds: calibrate() and any later
 * measurement on "the calibration crops" (blind-use.ts) degrade exactly the same inputs.
 */
export function calibrationCrops(images: EvalImage[], crop: number | null, cropsPerImage: number, seed: number): CalibrationCrop[] {
  return images.flatMap((img, i) =>
    cornerCrops(img.image, crop, cropsPerImage).map((clean, c) => ({
      image: img.name, crop: c, clean,
      // Crop 0 keeps the seeds of a one-crop calibration; further crops get their own draws.
      seedOf: (task: DegradationId) => evalSeed(seed + 17 * c, task, i),
    })));
}

export async function calibrate(options: {
  images: EvalImage[];
  crop: number | null;
  seed: number;
  protocol: DdrProtocol;
  extract: FeatureExtractor;
  references: { id: DegradationId; ggd: Ggd }[];
  groups: { id: string; members: DegradationId[]; file: string }[];
  tasks: DegradationId[];
  /** Crops per validation image (corners); 1 = the top-left crop only. */
  cropsPerImage?: number;
  /** expectedGain[groupId][degradation], measured on photos other than these. */
  expectedGain?: Record<string, Record<string, number>>;
  /** The JPEG check selection applies (jpeg-check.ts), as the app does. */
  jpegCheck?: JpegCheck;
  onProgress?: (done: number, total: number) => void;
}): Promise<CalibrationResult> {
  const { references, groups, protocol, extract } = options;
  const samples: CalibrationSample[] = [];
  const crops = calibrationCrops(options.images, options.crop, options.cropsPerImage ?? 1, options.seed);
  const total = crops.length * (options.tasks.length + OOD_DEGRADATION_IDS.length);
  let done = 0;
  const select = async (image: RgbImage) => {
    const statistic = await analyseDegradation([image], protocol, extract, { gram: ortCentredGram() });
    const selection = selectGroup(statistic.ggd, references, groups, { jpegCheck: jpegCheckVerdict(statistic, options.jpegCheck) });
    const nearest = selection.degradations[0];
    // The manifest's predictor (core/selection predictGain), minus the linear fallback fitted below.
    const predictedGain = options.expectedGain?.[selection.chosen]?.[selection.likelyDegradation] ?? null;
    return {
      selection,
      // The sample fields that record how the selection decided.
      routing: {
        nearestGroup: selection.groups[0].id,
        nearestGroupDistance: selection.nearestGroupDistance,
        ...(selection.jpegCheck ? { jpegProbability: selection.jpegCheck.probability } : {}),
        likelyDegradation: selection.likelyDegradation as DegradationId,
        nearest: nearest.id as DegradationId, nearestDistance: nearest.distance,
      },
      predictedGain,
    };
  };
  for (const { image, crop, clean, seedOf } of crops) {
    for (const task of options.tasks) {
      const degraded = degrade(clean, task, seedOf(task)).image;
      const { selection, routing, predictedGain } = await select(degraded);
      const group = groups.find((g) => g.id === selection.chosen)!;
      const restored = await restoreImageTo8Bit(await loadSession(group.file), degraded);
      const inputPsnr = psnr(degraded, clean);
      samples.push({
        image, crop, source: task, kind: 'in', chosen: selection.chosen, chosenDistance: selection.chosenDistance, ...routing,
        predictedGain, correct: group.members.includes(task), inputPsnr, gain: psnr(restored, clean) - inputPsnr,
      });
      options.onProgress?.(++done, total);
    }
    for (const ood of OOD_DEGRADATION_IDS) {
      const degraded = applyOodDegradation(clean, ood, seedOf('gaussian_blur') + 7).image;
      const { selection, routing } = await select(degraded);
      samples.push({
        image, crop, source: ood, kind: 'ood', chosen: selection.chosen, chosenDistance: selection.chosenDistance, ...routing,
        predictedGain: null, correct: null, inputPsnr: null, gain: null,
      });
      options.onProgress?.(++done, total);
    }
  }
  const inDist = samples.filter((s) => s.kind === 'in');
  const gainFit = linearFit(inDist.map((s) => s.chosenDistance), inDist.map((s) => s.gain!));
  const oodDist = samples.filter((s) => s.kind === 'ood');
  const youden = youdenThreshold(oodDist.map(oodDistanceOf), inDist.map(oodDistanceOf));
  const perDegradation: Record<string, number> = {};
  for (const task of options.tasks) {
    const mine = inDist.filter((s) => s.source === task);
    perDegradation[task] = mine.filter((s) => s.correct).length / mine.length;
  }
  return {
    samples,
    oodThreshold: youden.threshold,
    ood: { auroc: auroc(oodDist.map(oodDistanceOf), inDist.map(oodDistanceOf)), tpr: youden.tpr, fpr: youden.fpr },
    selectionAccuracy: { overall: inDist.filter((s) => s.correct).length / inDist.length, perDegradation },
    gainFit,
    gainPrediction: inDist.every((s) => s.predictedGain !== null)
      ? { method: 'expected-gain', r: pearson(inDist.map((s) => s.predictedGain!), inDist.map((s) => s.gain!)) }
      : { method: 'linear', r: gainFit.r },
  };
}
