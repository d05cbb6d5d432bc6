import { decideAutoChoice, type GroupTrust } from '../../core/auto-choice';
import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { analyseDegradation, type DdrProtocol, type FeatureExtractor } from '../../core/ddr-protocol';
import type { Ggd } from '../../core/ggd-types';
import { psnr } from '../../core/metrics';
import { selectGroup } from '../../core/selection';
import type { EvalImage } from '../eval/evaluate';
import { loadSession, ortCentredGram, restoreImageTo8Bit } from '../onnx/ort-node';
import { calibrationCrops } from './calibrate';

/**
 * The measurement behind the safe automatic choice (core/auto-choice.ts). On held-out training
 * photos (not the references' photos, never the validation ones), `cropsPerImage` corner crops of
 * each, each degraded by each of the 11 in equal shares: the app's analysis picks a group, then the
 * group's model and the mix baseline both restore the crop. Per group, the decision compares the two
 * mean gains over the crops routed to it.
 */
export interface AutoChoiceSample {
  image: string;
  crop: number;
  source: DegradationId;
  chosen: string;
  chosenDistance: number;
  /** The distance to the second-nearest group (how clear the choice was). */
  runnerUpDistance: number | null;
  /** The single degradation nearest the input, and its distance. */
  nearest: string;
  nearestDistance: number;
  inputPsnr: number;
  /** PSNR gain (dB) of the chosen group's model over the degraded input. */
  groupGain: number;
  /** PSNR gain (dB) of the mix baseline on the same crop. */
  baselineGain: number;
}

export interface AutoChoiceResult {
  images: string[];
  cropsPerImage: number;
  crop: number | null;
  seed: number;
  samples: AutoChoiceSample[];
  policy: Record<string, GroupTrust>;
}

export async function measureAutoChoice(options: {
  images: EvalImage[];
  crop: number | null;
  cropsPerImage: number;
  seed: number;
  protocol: DdrProtocol;
  extract: FeatureExtractor;
  references: { id: DegradationId; ggd: Ggd }[];
  groups: { id: string; members: DegradationId[]; file: string }[];
  baselineFile: string;
  tasks: DegradationId[];
  onProgress?: (done: number, total: number) => void;
}): Promise<AutoChoiceResult> {
  if (!options.images.length) throw new Error('the automatic choice needs held-out training photos, and none are left');
  const crops = calibrationCrops(options.images, options.crop, options.cropsPerImage, options.seed);
  const baseline = await loadSession(options.baselineFile);
  const samples: AutoChoiceSample[] = [];
  const total = crops.length * options.tasks.length;
  for (const { image, crop, clean, seedOf } of crops) {
    for (const source of options.tasks) {
      const degraded = degrade(clean, source, seedOf(source)).image;
      const { ggd } = await analyseDegradation([degraded], options.protocol, options.extract, { gram: ortCentredGram() });
      const selection = selectGroup(ggd, options.references, options.groups);
      const { chosen } = selection;
      const group = options.groups.find((g) => g.id === chosen)!;
      const inputPsnr = psnr(degraded, clean);
      const gainOf = async (file: string | null) =>
        psnr(await restoreImageTo8Bit(file === null ? baseline : await loadSession(file), degraded), clean) - inputPsnr;
      samples.push({
        image, crop, source, chosen, chosenDistance: selection.chosenDistance, runnerUpDistance: selection.groups[1]?.distance ?? null,
        nearest: selection.degradations[0].id, nearestDistance: selection.degradations[0].distance,
        inputPsnr, groupGain: await gainOf(group.file), baselineGain: await gainOf(null),
      });
      options.onProgress?.(samples.length, total);
    }
  }
  return {
    images: options.images.map((i) => i.name),
    cropsPerImage: options.cropsPerImage,
    crop: options.crop,
    seed: options.seed,
    samples,
    policy: decideAutoChoice(options.groups.map((g) => g.id), samples),
  };
}
