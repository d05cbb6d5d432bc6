/**
 * The app's one way to the routing decision of an analysed photo. The worker decides under the rule
 * in the settings; when the user switches rules, an analysis that read as many descriptor patches
 * as the new rule reads is decided again at once (from the KL selection and the router's logits),
 * and any other is analysed again (analysisFits; the engine's actions do it).
 */
import { descriptorPatchesFor } from '../../../core/analysis';
import type { Manifest } from '../../../core/manifest';
import { decideRoute, defaultRule, ROUTING_RULES, type RoutingDecision, type RoutingRule } from '../../../core/routing';
import type { AnalysisResult } from '../../inference/client';

/** The setting: 'auto' follows the manifest's default rule. */
export type RoutingRuleSetting = 'auto' | RoutingRule;

export function isRoutingRuleSetting(value: unknown): value is RoutingRuleSetting {
  return value === 'auto' || (ROUTING_RULES as readonly unknown[]).includes(value);
}

/**
 * The rule that decides. The router rule needs the manifest's router and the photo's logits; where
 * either is missing (models without a router, a photo analysed before the router shipped) the KL
 * rule, which every analysis supports, decides instead.
 */
export function resolveRule(setting: RoutingRuleSetting, manifest: Manifest, result?: Pick<AnalysisResult, 'routerInput'>): RoutingRule {
  const wanted = setting === 'auto' || !isRoutingRuleSetting(setting) ? defaultRule(manifest) : setting;
  const routerUsable = !!manifest.router && (result === undefined || result.routerInput !== null);
  return wanted === 'router' && !routerUsable ? 'kl' : wanted;
}

/**
 * Whether the analysis read the descriptor patches the rule in use reads: the router rule reads the
 * first `router.descriptorPatches`, the KL rule all of them, and the distances differ between the two.
 */
export function analysisFits(result: Pick<AnalysisResult, 'routerInput' | 'descriptorPatches'>, manifest: Manifest, setting: RoutingRuleSetting): boolean {
  return result.descriptorPatches === descriptorPatchesFor(manifest, resolveRule(setting, manifest, result));
}

export function decisionFor(result: AnalysisResult, manifest: Manifest, setting: RoutingRuleSetting): RoutingDecision {
  return decideRoute(resolveRule(setting, manifest, result), result.selection, result.routerInput, manifest);
}
