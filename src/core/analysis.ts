import { automaticChoice, type AutomaticChoice, type ModelChoice } from './auto-choice';
import type { DegradationId } from './degradations/ids';
import { analyseDegradation, type AnalyseOptions, type DdrAnalysis, type DdrProtocol, type FeatureExtractor } from './ddr-protocol';
import type { RgbImage } from './image';
import type { DescriptorSpec, Manifest } from './manifest';
import { predictGain, selectGroup, type SelectionResult } from './selection';

/**
 * The analysis a user's photo gets, in the browser worker and in `grids select` / `grids restore`
 * alike: the manifest's DDR protocol on the photo, then selection against the manifest's groups.
 */
export function protocolOf(descriptor: DescriptorSpec): DdrProtocol {
  return {
    patchSize: descriptor.input.patchSize,
    patchCount: descriptor.input.patchCount,
    seed: descriptor.input.seed,
    k: descriptor.pca.k,
    trimSigmas: descriptor.trimSigmas,
  };
}

/** The model restored with by default, and its predicted gain (dB) when the manifest has one. */
export interface AutomaticModel extends AutomaticChoice {
  readonly predictedGain: number | null;
}

export interface ImageAnalysis {
  statistic: DdrAnalysis;
  selection: SelectionResult;
  automatic: AutomaticModel;
}

/**
 * The predicted PSNR gain (dB) of restoring with `model`, before running it: a group's gain-table
 * entry for the degradation nearest the photo (or the distance line without a table), or the
 * baseline's entry. Null when the manifest has no calibration, or no baseline row for the baseline.
 */
export function predictedGainFor(manifest: Manifest, model: ModelChoice, selection: Pick<SelectionResult, 'groups' | 'degradations'>): number | null {
  const calibration = manifest.selection.calibration;
  const nearest = selection.degradations[0]?.id;
  if (!calibration || nearest === undefined) return null;
  if (model.kind === 'baseline') return calibration.baselineExpectedGain?.[nearest as DegradationId] ?? null;
  const distance = selection.groups.find((g) => g.id === model.id)?.distance;
  return distance === undefined ? null : predictGain(calibration, model.id, distance, nearest);
}

/** The safe automatic choice (auto-choice.ts) for a selection made with this manifest. */
export function automaticWithManifest(selection: SelectionResult, manifest: Manifest): AutomaticModel {
  const choice = automaticChoice(selection.chosen, manifest.selection.autoChoice?.groups, !!manifest.baseline);
  return { ...choice, predictedGain: predictedGainFor(manifest, choice.model, selection) };
}

export function selectWithManifest(ggd: DdrAnalysis['ggd'], manifest: Manifest): SelectionResult {
  return selectGroup(ggd, manifest.references, manifest.groups, {
    oodThreshold: manifest.selection.oodThreshold,
    calibration: manifest.selection.calibration,
  });
}

export async function analyseImage(
  image: RgbImage,
  manifest: Manifest,
  extract: FeatureExtractor,
  options: AnalyseOptions,
): Promise<ImageAnalysis> {
  const statistic = await analyseDegradation([image], protocolOf(manifest.descriptor), extract, options);
  const selection = selectWithManifest(statistic.ggd, manifest);
  return { statistic, selection, automatic: automaticWithManifest(selection, manifest) };
}
