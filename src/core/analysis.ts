import { automaticChoice, type AutomaticChoice } from './auto-choice';
import { analyseDegradation, type AnalyseOptions, type DdrAnalysis, type DdrProtocol, type FeatureExtractor } from './ddr-protocol';
import type { RgbImage } from './image';
import type { DescriptorSpec, Manifest } from './manifest';
import { selectGroup, type SelectionResult } from './selection';

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

/** The safe automatic choice (auto-choice.ts) for a selection made with this manifest. */
export function automaticWithManifest(selection: SelectionResult, manifest: Manifest): AutomaticModel {
  const choice = automaticChoice(selection.chosen, manifest.selection.autoChoice?.groups, !!manifest.baseline);
  const nearest = selection.degradations[0]?.id;
  const predictedGain = choice.model.kind === 'group'
    ? selection.predictedGain
    : (nearest !== undefined ? manifest.selection.calibration?.baselineExpectedGain?.[nearest as never] : undefined) ?? null;
  return { ...choice, predictedGain };
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
