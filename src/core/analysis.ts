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

export interface ImageAnalysis {
  statistic: DdrAnalysis;
  selection: SelectionResult;
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
  return { statistic, selection: selectWithManifest(statistic.ggd, manifest) };
}
