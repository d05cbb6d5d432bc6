import type { DdrAnalysis } from '../../src/core/ddr-protocol';
import type { Manifest } from '../../src/core/manifest';
import { predictedGainUnder, type RouterInput, type RoutingDecision } from '../../src/core/routing';
import type { SelectionResult } from '../../src/core/selection';
import type { AnalysisResult, Backend } from './contract';

/** The worker's answer for one analysis: the decision's view first, the KL rule's in full, and the timings. */
export function analysisResultOf(
  parts: { statistic: Pick<DdrAnalysis, 'ggd' | 'patches'>; selection: SelectionResult; routerInput: RouterInput | null; automatic: RoutingDecision },
  manifest: Manifest,
  run: { backend: Backend; milliseconds: number; descriptorMilliseconds: number; gramMilliseconds: number; routerMilliseconds: number },
): AnalysisResult {
  const { selection, automatic } = parts;
  return {
    chosen: automatic.chosen,
    chosenDistance: selection.chosenDistance,
    nearestGroupDistance: selection.nearestGroupDistance,
    ood: automatic.ood,
    oodScore: automatic.oodScore,
    oodThreshold: automatic.oodThreshold,
    predictedGain: predictedGainUnder(automatic.rule, manifest, { kind: 'group', id: automatic.chosen }, selection, automatic.router),
    likelyDegradation: selection.likelyDegradation,
    jpegCheck: selection.jpegCheck,
    automatic,
    descriptorPatches: parts.statistic.patches,
    selection,
    routerInput: parts.routerInput,
    groups: selection.groups,
    degradations: selection.degradations,
    ggd: parts.statistic.ggd,
    ...run,
  };
}
