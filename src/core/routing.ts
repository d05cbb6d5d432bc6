/**
 * THE routing contract: which model restores a photo, why, and what it should gain. Two rules
 * implement it, and the same safe policy follows either:
 *
 * - 'router' (the default when the manifest ships one): the learned router's class probabilities
 *   (router/), moved from the equal class shares it was trained on to the manifest's prior share of
 *   undamaged photos. P(clean) at or above the manifest's threshold means "no damage": the photo
 *   stays as it is. Otherwise the model with the highest expected gain Σ P(c)·gain[model][c] wins, among
 *   the groups, the mix baseline and leaving the photo alone; a split between groups therefore
 *   lands on the baseline, which is safe on everything.
 * - 'kl' (the paper's rule, §5.2): the group whose GGD is nearest by KL, with the JPEG check
 *   (jpeg-check.ts) as a documented part of it, and the gain table's entry for the nearest
 *   degradation as its prediction.
 *
 * The safe policy (auto-choice.ts) then keeps a group only where held-out crops that this rule
 * sent to it were restored better by the group than by the baseline.
 *
 * The KL distances are computed on every analysis whatever the rule, for "Why this group?", the
 * heatmap row and the OOD score (with the router's energy and the photo's tone anomaly), from the
 * descriptor patches the rule reads (analysis.ts descriptorPatchesFor).
 */
import { automaticChoice, modelKey, type GroupTrust, type ModelChoice } from './auto-choice';
import type { DegradationId } from './degradations/ids';
import type { Manifest } from './manifest';
import { CLEAN, ROUTER_CLASSES, type RouterClass } from './router/classes';
import { cleanPriorOf, expectedGains, groupProbabilities, mostLikely, oodEvidence, oodScore, routerEnergy, routerProbabilities, routerProposal, withCleanPrior } from './router/router';
import { readTone, type ToneEvidence } from './router/tone-anomaly';
import { predictGain, type SelectionResult } from './selection';

export const ROUTING_RULES = ['router', 'kl'] as const;
export type RoutingRule = (typeof ROUTING_RULES)[number];

/** What the router rule reads from a photo: the network's logits and the photo's tone cues (photo-cues.ts). */
export interface RouterInput {
  readonly logits: readonly number[];
  readonly photoCues: readonly number[];
}

/** What the learned router made of a photo. */
export interface RouterReading {
  /** Under the manifest's prior share of undamaged photos (cleanPrior): what decides and what is shown. */
  readonly probabilities: Readonly<Record<RouterClass, number>>;
  /** Per group, the sum of its members' probabilities. */
  readonly groupProbabilities: Readonly<Record<string, number>>;
  /** Expected gain (dB) of each model ('baseline' and the group ids) under the probabilities. */
  readonly expectedGains: Readonly<Record<string, number>>;
  /** The router's free energy (higher: less like anything it was trained on). */
  readonly energy: number;
  /** How unusual the photo's tones and colours are, under three hypotheses, and which cue stands out most (tone-anomaly.ts). */
  readonly tone: ToneEvidence;
  /** P(clean) reached the manifest's threshold. */
  readonly noDamage: boolean;
  /** The most probable class. */
  readonly likely: RouterClass;
}

export type RoutingReason =
  /** The rule's group, trusted by the held-out evidence for this rule's route to it. */
  | 'trusted'
  /** The rule's group, but held-out crops sent to it did better with the baseline. */
  | 'unreliable'
  /** The manifest has no policy (or no baseline): the rule's group restores, as in the paper. */
  | 'no-policy'
  /** The router is confident the photo is undamaged: it stays as it is. */
  | 'no-damage'
  /** The router's probabilities split so that the mix baseline has the highest expected gain. */
  | 'split'
  /** No model is expected to gain anything: the photo stays as it is. */
  | 'no-gain'
  /**
   * Router rule: the OOD score reached its threshold, so the damage is none the models are made for
   * and the photo stays as it is (the router, trained to spread its belief on such damage, no longer
   * reads it as clean, and restoring it with a model for other damage would only change it).
   */
  | 'unfamiliar';

export interface RoutingDecision {
  readonly rule: RoutingRule;
  /** The group the rule points at (the router's most probable group, or the KL rule's choice). */
  readonly chosen: string;
  /** What restores when the user picks nothing. */
  readonly model: ModelChoice;
  readonly reason: RoutingReason;
  /** The held-out evidence behind a 'trusted' or 'unreliable' decision. */
  readonly evidence: GroupTrust | null;
  /** The KL rule chose through the JPEG check. */
  readonly viaJpegCheck: boolean;
  /** Predicted PSNR gain (dB) of `model` (0 for leaving the photo alone); null without calibration. */
  readonly predictedGain: number | null;
  /** Out of distribution, by the manifest's OOD model for this rule. */
  readonly ood: boolean;
  /** The score behind `ood`: P(OOD) with the router, the distance to the nearest group with the KL rule. */
  readonly oodScore: number;
  readonly oodThreshold: number;
  /** The router's reading (also under the KL rule, when the manifest has a router). */
  readonly router: RouterReading | null;
}

/** The rule used when the user has not chosen one: the router where the manifest ships one. */
export function defaultRule(manifest: Manifest): RoutingRule {
  return manifest.router ? 'router' : 'kl';
}

export function readRouter(input: RouterInput, manifest: Manifest): RouterReading {
  const spec = manifest.router;
  if (!spec) throw new Error('this manifest has no router');
  // The OOD model was fitted on the network's own probabilities (equal class shares); it reads those.
  const trained = routerProbabilities(input.logits, spec.temperature);
  const probabilities = withCleanPrior(trained, cleanPriorOf(spec));
  const gains = expectedGains(probabilities, spec.gain);
  const likely = mostLikely(probabilities, ROUTER_CLASSES);
  return {
    probabilities,
    groupProbabilities: groupProbabilities(probabilities, manifest.groups),
    expectedGains: gains,
    energy: routerEnergy(input.logits, spec.temperature),
    tone: readTone(spec.ood.tone, input.photoCues, trained),
    noDamage: probabilities[CLEAN] >= spec.noDamageThreshold,
    likely,
  };
}

/**
 * The predicted gain of restoring with `model` under `rule`: the router's expected gain, or the KL
 * rule's gain-table entry for the likely degradation. Also what the menu shows for a model the user
 * picks.
 */
export function predictedGainUnder(rule: RoutingRule, manifest: Manifest, model: ModelChoice, selection: Pick<SelectionResult, 'groups' | 'likelyDegradation'>, router: RouterReading | null): number | null {
  if (model.kind === 'none') return 0;
  if (rule === 'router' && router) return router.expectedGains[modelKey(model)] ?? null;
  const calibration = manifest.selection.calibration;
  const likely = selection.likelyDegradation;
  if (!calibration) return null;
  if (model.kind === 'baseline') return calibration.baselineExpectedGain?.[likely as DegradationId] ?? null;
  const distance = selection.groups.find((g) => g.id === model.id)?.distance;
  return distance === undefined ? null : predictGain(calibration, model.id, distance, likely);
}

function routerDecision(selection: SelectionResult, router: RouterReading, manifest: Manifest): RoutingDecision {
  const spec = manifest.router!;
  const chosen = mostLikely(router.groupProbabilities, manifest.groups.map((g) => g.id));
  const score = oodScore(spec.ood, oodEvidence(router.energy, selection.nearestGroupDistance, router.tone));
  const common = { rule: 'router' as const, chosen, viaJpegCheck: false, ood: score >= spec.ood.threshold, oodScore: score, oodThreshold: spec.ood.threshold, router };
  const hasBaseline = !!manifest.baseline;
  if (common.ood) return { ...common, model: { kind: 'none' }, reason: 'unfamiliar', evidence: null, predictedGain: 0 };
  const proposal = routerProposal(router.probabilities, router.expectedGains, spec.noDamageThreshold, hasBaseline);
  if (proposal.reason !== 'expected-gain') return { ...common, model: { kind: 'none' }, reason: proposal.reason, evidence: null, predictedGain: 0 };
  if (proposal.model === 'baseline') return { ...common, model: { kind: 'baseline' }, reason: 'split', evidence: null, predictedGain: proposal.expectedGain };
  const trust = automaticChoice(proposal.model, spec.autoChoice?.groups, hasBaseline);
  return { ...common, model: trust.model, reason: trust.reason, evidence: trust.evidence, predictedGain: predictedGainUnder('router', manifest, trust.model, selection, router) };
}

function klDecision(selection: SelectionResult, router: RouterReading | null, manifest: Manifest): RoutingDecision {
  const policy = manifest.selection.autoChoice;
  const choice = automaticChoice(selection.chosen, policy?.groups, !!manifest.baseline, selection.jpegCheck?.fired ? policy?.jpegCheck : undefined);
  return {
    rule: 'kl', chosen: selection.chosen, model: choice.model, reason: choice.reason, evidence: choice.evidence, viaJpegCheck: choice.viaJpegCheck,
    predictedGain: predictedGainUnder('kl', manifest, choice.model, selection, null),
    ood: selection.ood, oodScore: selection.nearestGroupDistance, oodThreshold: manifest.selection.oodThreshold, router,
  };
}

/** The decision for one analysed photo under `rule` (the router rule needs the manifest's router and its input). */
export function decideRoute(rule: RoutingRule, selection: SelectionResult, routerInput: RouterInput | null, manifest: Manifest): RoutingDecision {
  const router = routerInput && manifest.router ? readRouter(routerInput, manifest) : null;
  if (rule === 'router') {
    if (!router) throw new Error(manifest.router ? 'the router rule needs the router\'s output for this photo' : 'this manifest has no router; use the KL rule');
    return routerDecision(selection, router, manifest);
  }
  return klDecision(selection, router, manifest);
}
