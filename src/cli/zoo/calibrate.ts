import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { applyOodDegradation, OOD_DEGRADATION_IDS, type OodDegradationId } from '../../core/degradations/out-of-distribution';
import { analyseDegradation, type DdrProtocol, type FeatureExtractor } from '../../core/ddr-protocol';
import type { Ggd } from '../../core/ggd-types';
import { clipInPlace, quantize8, type RgbImage } from '../../core/image';
import { psnr } from '../../core/metrics';
import { selectGroup } from '../../core/selection';
import { auroc, linearFit, youdenThreshold, type LinearFit } from '../../core/calibration-stats';
import { centreCrop, evalSeed, type EvalImage } from '../eval/evaluate';
import { loadSession, restoreImage } from '../onnx/ort-node';

/**
 * Calibrates selection on validation photos the references never saw:
 * - in-distribution: each photo degraded by each of the 11 (fixed seeds); we record the group
 *   chosen (correct when it contains the degradation), the chosen distance, and the PSNR gain of
 *   the chosen group's model;
 * - out-of-distribution: each photo hazed, colour-cast and under-exposed.
 * The OOD threshold maximises Youden's J between the two distance sets; the predicted gain is a
 * least-squares line in the chosen distance.
 */
export interface CalibrationSample {
  image: string;
  source: DegradationId | OodDegradationId;
  kind: 'in' | 'ood';
  chosen: string;
  chosenDistance: number;
  correct: boolean | null;
  inputPsnr: number | null;
  gain: number | null;
}

export interface CalibrationResult {
  samples: CalibrationSample[];
  oodThreshold: number;
  ood: { auroc: number; tpr: number; fpr: number };
  selectionAccuracy: { overall: number; perDegradation: Record<string, number> };
  gainFit: LinearFit;
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
  onProgress?: (done: number, total: number) => void;
}): Promise<CalibrationResult> {
  const { references, groups, protocol, extract } = options;
  const samples: CalibrationSample[] = [];
  const total = options.images.length * (options.tasks.length + OOD_DEGRADATION_IDS.length);
  let done = 0;
  const select = async (image: RgbImage) => {
    const { ggd } = await analyseDegradation([image], protocol, extract);
    return selectGroup(ggd, references, groups);
  };
  for (let i = 0; i < options.images.length; i++) {
    const clean = centreCrop(options.images[i].image, options.crop);
    for (const task of options.tasks) {
      const degraded = degrade(clean, task, evalSeed(options.seed, task, i)).image;
      const selection = await select(degraded);
      const group = groups.find((g) => g.id === selection.chosen)!;
      const restored = quantize8(clipInPlace(await restoreImage(await loadSession(group.file), degraded)));
      const inputPsnr = psnr(degraded, clean);
      samples.push({
        image: options.images[i].name, source: task, kind: 'in', chosen: selection.chosen, chosenDistance: selection.chosenDistance,
        correct: group.members.includes(task), inputPsnr, gain: psnr(restored, clean) - inputPsnr,
      });
      options.onProgress?.(++done, total);
    }
    for (const ood of OOD_DEGRADATION_IDS) {
      const degraded = applyOodDegradation(clean, ood, evalSeed(options.seed, 'gaussian_blur', i) + 7).image;
      const selection = await select(degraded);
      samples.push({ image: options.images[i].name, source: ood, kind: 'ood', chosen: selection.chosen, chosenDistance: selection.chosenDistance, correct: null, inputPsnr: null, gain: null });
      options.onProgress?.(++done, total);
    }
  }
  const inDist = samples.filter((s) => s.kind === 'in');
  const oodDist = samples.filter((s) => s.kind === 'ood');
  const youden = youdenThreshold(oodDist.map((s) => s.chosenDistance), inDist.map((s) => s.chosenDistance));
  const perDegradation: Record<string, number> = {};
  for (const task of options.tasks) {
    const mine = inDist.filter((s) => s.source === task);
    perDegradation[task] = mine.filter((s) => s.correct).length / mine.length;
  }
  return {
    samples,
    oodThreshold: youden.threshold,
    ood: { auroc: auroc(oodDist.map((s) => s.chosenDistance), inDist.map((s) => s.chosenDistance)), tpr: youden.tpr, fpr: youden.fpr },
    selectionAccuracy: { overall: inDist.filter((s) => s.correct).length / inDist.length, perDegradation },
    gainFit: linearFit(inDist.map((s) => s.chosenDistance), inDist.map((s) => s.gain!)),
  };
}
