import { useMemo } from 'react';
import type { Manifest } from '../../../core/manifest';
import type { RoutingDecision } from '../../../core/routing';
import type { AnalysisResult } from '../../inference/client';
import { useAppStore } from '../../state/store';
import { decisionFor } from './decision';

/**
 * The decision under the routing rule in the settings, following the setting as it changes; null
 * until there is an analysis and a manifest to decide with.
 */
export function useDecision(result: AnalysisResult | null, manifest: Manifest | undefined): RoutingDecision | null {
  const rule = useAppStore((s) => s.settings.routingRule);
  return useMemo(() => (result && manifest ? decisionFor(result, manifest, rule) : null), [result, manifest, rule]);
}
