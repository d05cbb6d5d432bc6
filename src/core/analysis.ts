import { analyseDegradation, type AnalyseOptions, type DdrAnalysis, type DdrProtocol, type FeatureExtractor } from './ddr-protocol';
import type { RgbImage } from './image';
import type { DescriptorSpec, Manifest } from './manifest';
import { jpegProbability, type JpegCheck } from './jpeg-check';
import { patchFeatures } from './router/patch-features';
import { photoCues } from './router/photo-cues';
import { decideRoute, defaultRule, type RouterInput, type RoutingDecision, type RoutingRule } from './routing';
import { selectGroup, type SelectionOptions, type SelectionResult } from './selection';

/**
 * The analysis a user's photo gets, in the browser worker and in `grids select` / `grids restore`
 * alike: the manifest's DDR protocol on the photo and selection against the manifest's groups (the
 * KL rule), the router network on the photo's patch features, then one decision (routing.ts).
 *
 * How many descriptor patches it reads depends on the rule: the KL rule reads every planned patch
 * (its choice moves with fewer), the router rule the first `router.descriptorPatches` of the same
 * plan (its choice does not move, and its OOD model was fitted on distances from that many).
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

/** The descriptor patches an analysis under `rule` reads (a prefix of the plan: planPatches draws them in order). */
export function descriptorPatchesFor(manifest: Manifest, rule: RoutingRule): number {
  const full = manifest.descriptor.input.patchCount;
  return rule === 'router' ? (manifest.router?.descriptorPatches ?? full) : full;
}

/** The DDR protocol of an analysis under `rule`. */
export function protocolFor(manifest: Manifest, rule: RoutingRule): DdrProtocol {
  return { ...protocolOf(manifest.descriptor), patchCount: descriptorPatchesFor(manifest, rule) };
}

/** Runs the router network on one photo's patch features (PATCH_COUNT × PATCH_FEATURE_COUNT) and returns its logits. */
export type RouterSession = (features: Float32Array) => Promise<Float32Array>;
/** The router rule's input for one photo: the network's logits and the photo's tone cues. */
export type RouterRunner = (image: RgbImage) => Promise<RouterInput>;

/** The router as every platform runs it: the patch features and tone cues here in core, the network on the platform's session. */
export const routerOnPatches = (session: RouterSession): RouterRunner => async (image) => ({
  logits: Array.from(await session(patchFeatures(image))),
  photoCues: Array.from(photoCues(image)),
});

export interface ImageAnalysis {
  /** The DDR statistic, from descriptorPatchesFor(manifest, rule) patches (`statistic.patches`). */
  statistic: DdrAnalysis;
  /** The KL rule's view, computed on every analysis (distances, heatmap row, JPEG check). */
  selection: SelectionResult;
  /** The router's logits and the photo's tone cues, when the manifest ships a router; any rule can be decided from them again. */
  routerInput: RouterInput | null;
  /** The decision under the rule in use. */
  automatic: RoutingDecision;
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

export interface AnalyseImageOptions extends AnalyseOptions {
  /** Needed when the manifest ships a router. */
  router?: RouterRunner;
  /** The rule that decides, and so how many descriptor patches are read (the manifest's default rule when absent). */
  rule?: RoutingRule;
}

/** The router rule's input for a photo (logits and tone cues), or null when the manifest has no router. */
export async function routerInputFor(image: RgbImage, manifest: Manifest, run: RouterRunner | undefined): Promise<RouterInput | null> {
  if (!manifest.router) return null;
  if (!run) throw new Error('this manifest ships a router, but no router session was given');
  return run(image);
}

export async function analyseImage(
  image: RgbImage,
  manifest: Manifest,
  extract: FeatureExtractor,
  options: AnalyseImageOptions,
): Promise<ImageAnalysis> {
  const rule = options.rule ?? defaultRule(manifest);
  const statistic = await analyseDegradation([image], protocolFor(manifest, rule), extract, options);
  const selection = selectWithManifest(statistic, manifest);
  const routerInput = await routerInputFor(image, manifest, options.router);
  return { statistic, selection, routerInput, automatic: decideRoute(rule, selection, routerInput, manifest) };
}
