import { automaticChoice, type AutomaticChoice, type ModelChoice } from './auto-choice';
import type { DegradationId } from './degradations/ids';
import { analyseDegradation, type AnalyseOptions, type DdrAnalysis, type DdrProtocol, type FeatureExtractor } from './ddr-protocol';
import type { RgbImage } from './image';
import type { DescriptorSpec, Manifest } from './manifest';
import { jpegProbability, type JpegCheck } from './jpeg-check';
import { predictGain, selectGroup, type SelectionOptions, type SelectionResult } from './selection';

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
 * entry for the photo's likely degradation (the nearest, or JPEG when the JPEG check fired; the
 * distance line without a table), or the baseline's entry. Null when the manifest has no calibration, or no baseline row for the baseline.
 */
export function predictedGainFor(manifest: Manifest, model: ModelChoice, selection: Pick<SelectionResult, 'groups' | 'likelyDegradation'>): number | null {
  const calibration = manifest.selection.calibration;
  const nearest = selection.likelyDegradation;
  if (!calibration) return null;
  if (model.kind === 'baseline') return calibration.baselineExpectedGain?.[nearest as DegradationId] ?? null;
  const distance = selection.groups.find((g) => g.id === model.id)?.distance;
  return distance === undefined ? null : predictGain(calibration, model.id, distance, nearest);
}

/** The safe automatic choice (auto-choice.ts) for a selection made with this manifest. */
export function automaticWithManifest(selection: SelectionResult, manifest: Manifest): AutomaticModel {
  const policy = manifest.selection.autoChoice;
  const choice = automaticChoice(selection.chosen, policy?.groups, !!manifest.baseline, selection.jpegCheck?.fired ? policy?.jpegCheck : undefined);
  return { ...choice, predictedGain: predictedGainFor(manifest, choice.model, selection) };
}

export function selectWithManifest(statistic: Pick<DdrAnalysis, 'ggd' | 'summary'>, manifest: Manifest): SelectionResult {
  return selectGroup(statistic.ggd, manifest.references, manifest.groups, {
    oodThreshold: manifest.selection.oodThreshold,
    calibration: manifest.selection.calibration,
    jpegCheck: jpegCheckVerdict(statistic, manifest.selection.jpegCheck),
  });
}

/** The JPEG check's input to selectGroup, when there is a check; the analysis must carry a summary then. */
export function jpegCheckVerdict(statistic: Pick<DdrAnalysis, 'summary'>, check: JpegCheck | undefined): SelectionOptions['jpegCheck'] {
  if (!check) return undefined;
  if (!statistic.summary) throw new RangeError('the JPEG check needs the descriptor\'s feature maps at the patch size, and this descriptor has none');
  return { probability: jpegProbability(check, statistic.summary), threshold: check.threshold };
}

export async function analyseImage(
  image: RgbImage,
  manifest: Manifest,
  extract: FeatureExtractor,
  options: AnalyseOptions,
): Promise<ImageAnalysis> {
  const statistic = await analyseDegradation([image], protocolOf(manifest.descriptor), extract, options);
  const selection = selectWithManifest(statistic, manifest);
  return { statistic, selection, automatic: automaticWithManifest(selection, manifest) };
}
