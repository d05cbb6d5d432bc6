import { decideAutoChoice, decideRouteTrust, type GroupTrust } from '../../core/auto-choice';
import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { analyseDegradation, type DdrProtocol, type FeatureExtractor } from '../../core/ddr-protocol';
import type { Ggd } from '../../core/ggd-types';
import { psnr } from '../../core/metrics';
import { jpegCheckVerdict } from '../../core/analysis';
import type { JpegCheck } from '../../core/jpeg-check';
import { selectGroup } from '../../core/selection';
import type { EvalImage } from '../eval/evaluate';
import { loadSession, ortCentredGram, restoreImageTo8Bit } from '../onnx/ort-node';
import { calibrationCrops } from './calibrate';
import { checkFired } from './jpeg-check';

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
  /** P(JPEG) from the JPEG check; absent without a check. */
  jpegProbability?: number;
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
  /** Per group, from the crops the distances routed to it. */
  policy: Record<string, GroupTrust>;
  /** From the crops the JPEG check sent to the JPEG group (absent without a check). */
  jpegCheckRoute?: GroupTrust;
}

/**
 * The decisions: the JPEG check's route on its own (the crops where it fired), each group on the
 * crops the distances routed to it. Pure, so a stored measurement can be decided again.
 */
export function decidePolicy(groupIds: readonly string[], samples: readonly AutoChoiceSample[], jpegCheckThreshold?: number): Pick<AutoChoiceResult, 'policy' | 'jpegCheckRoute'> {
  if (jpegCheckThreshold === undefined) return { policy: decideAutoChoice(groupIds, samples) };
  const viaCheck = (s: AutoChoiceSample) => checkFired(s, jpegCheckThreshold);
  return {
    policy: decideAutoChoice(groupIds, samples.filter((s) => !viaCheck(s))),
    jpegCheckRoute: decideRouteTrust(samples.filter(viaCheck)),
  };
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
  /** The JPEG check selection applies (jpeg-check.ts), as the app does. */
  jpegCheck?: JpegCheck;
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
      const statistic = await analyseDegradation([degraded], options.protocol, options.extract, { gram: ortCentredGram() });
      const selection = selectGroup(statistic.ggd, options.references, options.groups, { jpegCheck: jpegCheckVerdict(statistic, options.jpegCheck) });
      const { chosen } = selection;
      const group = options.groups.find((g) => g.id === chosen)!;
      const inputPsnr = psnr(degraded, clean);
      const gainOf = async (file: string | null) =>
        psnr(await restoreImageTo8Bit(file === null ? baseline : await loadSession(file), degraded), clean) - inputPsnr;
      samples.push({
        image, crop, source, chosen, chosenDistance: selection.chosenDistance, runnerUpDistance: selection.groups[1]?.distance ?? null,
        nearest: selection.degradations[0].id, nearestDistance: selection.degradations[0].distance,
        ...(selection.jpegCheck ? { jpegProbability: selection.jpegCheck.probability } : {}),
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
    ...decidePolicy(options.groups.map((g) => g.id), samples, options.jpegCheck?.threshold),
  };
}
