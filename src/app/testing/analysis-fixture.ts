/**
 * Hand-made analyses for unit tests: the fixture manifest with a small learned router, a KL
 * selection, and router logits that favour chosen classes. Never imported by the app itself.
 */
import { analysisResultOf } from '../../../workers/inference/analysis-result';
import { descriptorPatchesFor } from '../../core/analysis';
import { parseManifest, type Manifest } from '../../core/manifest';
import { ROUTER_CLASSES, type RouterClass } from '../../core/router/classes';
import { PATCH_FEATURES_VERSION } from '../../core/router/patch-features';
import { PHOTO_CUES, PHOTO_CUES_VERSION } from '../../core/router/photo-cues';
import { TONE_GRID, type ToneModel } from '../../core/router/tone-anomaly';
import { decideRoute, defaultRule, type RouterInput } from '../../core/routing';
import type { SelectionResult } from '../../core/selection';
import type { AnalysisResult } from '../inference/client';
import { fixtureIntegrity, fixtureManifest } from './fixture-manifest';

/**
 * The fixture manifest plus a router: each group gains 3 dB on its members and loses 2 dB on every
 * other damage, the mix baseline gains 1 dB on any damage, and every model loses on a clean photo.
 * So a confident router picks the group, a split one the baseline, and P(clean) ≥ 0.6 is "no damage".
 */
export function routerManifest(): Manifest {
  const base = fixtureManifest();
  const row = (gain: (c: RouterClass) => number) => Object.fromEntries(ROUTER_CLASSES.map((c) => [c, gain(c)]));
  const gain: Record<string, Record<string, number>> = {
    baseline: row((c) => (c === 'clean' ? -0.5 : 1)),
    ...Object.fromEntries(base.groups.map((g) => [g.id, row((c) => (c === 'clean' ? -1 : (g.members as readonly string[]).includes(c) ? 3 : -2))])),
  };
  return parseManifest({
    ...base,
    integrity: { ...base.integrity, ...fixtureIntegrity(['router.onnx']) },
    router: {
      file: 'router.onnx',
      features: PATCH_FEATURES_VERSION,
      classes: [...ROUTER_CLASSES],
      temperature: 1,
      noDamageThreshold: 0.6,
      gain,
      // Only the distance counts: a photo farther than 4.5 from every group is unfamiliar.
      ood: { energyWeight: 0, distanceWeight: 10, toneWeight: 0, bias: -45, threshold: 0.5, tone: identityToneModel(), description: 'test' },
      description: 'test router',
    },
  });
}

/** A tone model under which each cue is its own normal score (quantiles equal to the grid), for the clean class only. */
export function identityToneModel(): ToneModel {
  return { cues: PHOTO_CUES_VERSION, quantiles: { clean: PHOTO_CUES.map(() => [...TONE_GRID]) } };
}

/** Logits of 0 except the given classes: { gaussian_noise: 5 } makes the router ~93 % sure of it. */
export function logitsFavouring(favoured: Partial<Record<RouterClass, number>>): number[] {
  return ROUTER_CLASSES.map((c) => favoured[c] ?? 0);
}

/** A KL selection that chose `chosen` at `distance`, every other group 1 farther. */
export function klSelection(manifest: Manifest, chosen: string, distance: number, oodThreshold = manifest.selection.oodThreshold): SelectionResult {
  const groups = [chosen, ...manifest.groups.map((g) => g.id).filter((id) => id !== chosen)].map((id, i) => ({ id, distance: distance + i, kl: 10 ** (distance + i - 5) }));
  const nearest = manifest.groups.find((g) => g.id === chosen)!.members[0];
  const degradations = [nearest, ...manifest.degradations.map((d) => d.id).filter((id) => id !== nearest)].map((id, i) => ({ id, distance: distance + i / 2, kl: 10 ** (distance + i / 2 - 5) }));
  return {
    chosen,
    chosenDistance: distance,
    groups,
    degradations,
    nearestGroupDistance: distance,
    ood: distance > oodThreshold,
    predictedGain: null,
    likelyDegradation: nearest,
    jpegCheck: null,
  };
}

/** The router's input for these logits, with tone cues that are typical under identityToneModel (all 0). */
export function routerInputOf(logits: number[]): RouterInput {
  return { logits, photoCues: PHOTO_CUES.map(() => 0) };
}

/** What the worker would send for this selection and these logits (decided under the manifest's default rule). */
export function analysisResult(manifest: Manifest, selection: SelectionResult, routerLogits: number[] | null): AnalysisResult {
  const routerInput = routerLogits && routerInputOf(routerLogits);
  const rule = defaultRule(manifest);
  const automatic = decideRoute(rule, selection, routerInput, manifest);
  return analysisResultOf({ statistic: { ggd: { sigma: 1, beta: 1 }, patches: descriptorPatchesFor(manifest, rule) }, selection, routerInput, automatic }, manifest, { backend: 'wasm', milliseconds: 1, descriptorMilliseconds: 0.5, gramMilliseconds: 0.1, routerMilliseconds: 0.1 });
}
