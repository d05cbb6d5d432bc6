import type { GroupTrust } from '../../core/auto-choice';
import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import type { RgbImage } from '../../core/image';
import { pearson } from '../../core/calibration-stats';
import { psnr } from '../../core/metrics';
import type { EvalImage } from '../eval/evaluate';
import { loadSession, restoreImageTo8Bit } from '../onnx/ort-node';
import { calibrationCrops, type CalibrationSample } from './calibrate';
import { checkFired } from './jpeg-check';

/**
 * Blind use: what a user gets, who does not know the degradation. Table 1 (and the paper) serves each
 * degradation with the group that contains it; the app serves the group its selection picks. On the
 * calibration crops (the same inputs as calibrate()), each crop's PSNR gain over the degraded input
 * is compared for three choices:
 * - `auto`: the group the selection chose (the calibration's own measurement, reused);
 * - `oracle`: the group that contains the crop's degradation (Table 1's choice);
 * - `baseline`: the mix baseline, the one model for everything;
 * - `safe`: what the app restores with by default, the chosen group where the automatic-choice
 *   policy (measured on other photos) trusts it, else the baseline.
 */
export interface GainSummary {
  /** Mean PSNR gain over the degraded input (dB). */
  meanGain: number;
  /** Share of crops restored to a lower PSNR than the degraded input. */
  worseThanInput: number;
}

export interface BlindUseRow {
  degradation: DegradationId;
  crops: number;
  auto: GainSummary;
  oracle: GainSummary;
  baseline: GainSummary;
  /** Absent in results measured before the automatic-choice policy existed. */
  safe?: GainSummary;
}

export interface BlindUseResult {
  rows: BlindUseRow[];
  /** Over all crops (every degradation has the same number of crops). */
  overall: { crops: number; auto: GainSummary; oracle: GainSummary; baseline: GainSummary; safe?: GainSummary };
  /**
   * The gain the app predicts for the model it restores with by default (core/analysis.ts
   * automaticWithManifest) against the gain measured: Pearson r and mean absolute error (dB).
   * Null when a crop has no prediction; absent without a policy.
   */
  safePrediction?: { r: number; meanAbsError: number } | null;
}

export function summariseGains(gains: readonly number[]): GainSummary {
  if (!gains.length) throw new RangeError('no gains to summarise');
  return { meanGain: gains.reduce((a, b) => a + b, 0) / gains.length, worseThanInput: gains.filter((g) => g < 0).length / gains.length };
}

export async function measureBlindUse(options: {
  images: EvalImage[];
  crop: number | null;
  cropsPerImage: number;
  seed: number;
  tasks: DegradationId[];
  groups: { id: string; members: DegradationId[]; file: string }[];
  baselineFile: string;
  /** The calibration's in-distribution samples on the same crops (their `gain` is the automatic choice's). */
  samples: CalibrationSample[];
  /** The automatic-choice policy (core/auto-choice.ts); without it there is no `safe` column. */
  policy?: Record<string, GroupTrust>;
  /** The policy's decision for the JPEG check's route, and the check's threshold: applies where the check fired. */
  jpegCheckRoute?: { trust: GroupTrust; threshold: number };
  /** The baseline's mean gain per degradation (the gain table's photos): predicts the gain where the baseline restores. */
  baselineExpectedGain?: Record<string, number>;
  onProgress?: (done: number, total: number) => void;
}): Promise<BlindUseResult> {
  const crops = calibrationCrops(options.images, options.crop, options.cropsPerImage, options.seed);
  const gainOf = async (file: string, degraded: RgbImage, clean: RgbImage, inputPsnr: number) =>
    psnr(await restoreImageTo8Bit(await loadSession(file), degraded), clean) - inputPsnr;
  const gains = new Map<DegradationId, { auto: number[]; oracle: number[]; baseline: number[]; safe: number[] }>(options.tasks.map((t) => [t, { auto: [], oracle: [], baseline: [], safe: [] }]));
  const { policy, baselineExpectedGain } = options;
  const predicted: number[] = [];
  const actual: number[] = [];
  const total = crops.length * options.tasks.length;
  let done = 0;
  for (const { image, crop, clean, seedOf } of crops) {
    for (const task of options.tasks) {
      const sample = options.samples.find((s) => s.kind === 'in' && s.image === image && s.crop === crop && s.source === task);
      if (!sample || sample.gain === null || sample.inputPsnr === null) throw new Error(`the calibration has no sample for ${image}, crop ${crop}, ${task}: run the calibration again`);
      const degraded = degrade(clean, task, seedOf(task)).image;
      const inputPsnr = psnr(degraded, clean);
      // Same crop, same draw, or the comparison with the calibration's automatic choice is void.
      if (Math.abs(inputPsnr - sample.inputPsnr) > 1e-9) {
        throw new Error(`${image}, crop ${crop}, ${task}: input PSNR ${inputPsnr} differs from the calibration's ${sample.inputPsnr}; the crops or seeds changed since the calibration`);
      }
      const oracle = options.groups.find((g) => g.members.includes(task));
      if (!oracle) throw new Error(`no group contains ${task}`);
      const g = gains.get(task)!;
      g.auto.push(sample.gain);
      g.oracle.push(oracle.id === sample.chosen ? sample.gain : await gainOf(oracle.file, degraded, clean, inputPsnr));
      const baselineGain = await gainOf(options.baselineFile, degraded, clean, inputPsnr);
      g.baseline.push(baselineGain);
      if (policy) {
        const route = options.jpegCheckRoute;
        const trust = route && checkFired(sample, route.threshold) ? route.trust : policy[sample.chosen];
        if (!trust) throw new Error(`the automatic-choice policy has no decision for ${sample.chosen}`);
        const safeGain = trust.use === 'group' ? sample.gain : baselineGain;
        g.safe.push(safeGain);
        const prediction = trust.use === 'group' ? sample.predictedGain : baselineExpectedGainFor(sample, baselineExpectedGain);
        if (prediction !== null && prediction !== undefined) {
          predicted.push(prediction);
          actual.push(safeGain);
        }
      }
      options.onProgress?.(++done, total);
    }
  }
  const rows = options.tasks.map((task) => {
    const g = gains.get(task)!;
    return {
      degradation: task, crops: g.auto.length, auto: summariseGains(g.auto), oracle: summariseGains(g.oracle), baseline: summariseGains(g.baseline),
      ...(policy ? { safe: summariseGains(g.safe) } : {}),
    };
  });
  const all = [...gains.values()];
  return {
    rows,
    overall: {
      crops: all.reduce((n, g) => n + g.auto.length, 0),
      auto: summariseGains(all.flatMap((g) => g.auto)),
      oracle: summariseGains(all.flatMap((g) => g.oracle)),
      baseline: summariseGains(all.flatMap((g) => g.baseline)),
      ...(policy ? { safe: summariseGains(all.flatMap((g) => g.safe)) } : {}),
    },
    ...(policy
      ? {
        // Null when some crop has no prediction (no gain table for its model).
        safePrediction: predicted.length && predicted.length === all.reduce((n, g) => n + g.safe.length, 0)
          ? { r: pearson(predicted, actual), meanAbsError: predicted.reduce((sum, p, i) => sum + Math.abs(p - actual[i]), 0) / predicted.length }
          : null,
      }
      : {}),
  };
}

/** The baseline's gain-table entry for the degradation the calibration sample's selection assumed. */
function baselineExpectedGainFor(sample: CalibrationSample, table: Record<string, number> | undefined): number | undefined {
  const likely = sample.likelyDegradation ?? sample.nearest;
  return likely === undefined ? undefined : table?.[likely];
}
