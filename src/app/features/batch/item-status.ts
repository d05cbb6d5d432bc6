import type { Manifest } from '../../../core/manifest';
import type { ImageItem } from '../../state/types';
import { decisionFor, type RoutingRuleSetting } from '../analysis/decision';
import { percent } from '../restore/eta';

export type ItemTone = 'neutral' | 'busy' | 'good' | 'warn' | 'error';

/**
 * One short status line per item for the batch list, and a machine-readable stage for tests. An
 * analysed item's line follows the routing decision under `rule`, like its analysis card.
 */
export function itemStatus(item: ImageItem, manifest: Manifest | undefined, rule: RoutingRuleSetting): { stage: string; text: string; tone: ItemTone } {
  if (item.decode.status === 'decoding') return { stage: 'decoding', text: 'Reading…', tone: 'busy' };
  if (item.decode.status === 'error') return { stage: 'error', text: item.decode.message, tone: 'error' };
  const { grids, baseline } = item.restore;
  for (const r of [grids, baseline]) {
    if (r.status === 'running') {
      const p = r.progress;
      return { stage: 'restoring', text: p ? `Restoring ${percent(p.done, p.total)}%` : 'Restoring…', tone: 'busy' };
    }
  }
  if (grids.status === 'queued' || baseline.status === 'queued') return { stage: 'queued', text: 'Waiting to restore', tone: 'busy' };
  if (grids.status === 'error') return { stage: 'restore-error', text: `Restoration failed: ${grids.message}`, tone: 'error' };
  if (grids.status === 'done') return { stage: 'restored', text: 'Restored', tone: 'good' };
  switch (item.analysis.status) {
    case 'queued':
      return { stage: 'analysis-queued', text: 'Waiting to analyse', tone: 'busy' };
    case 'running':
      return { stage: 'analysing', text: 'Analysing…', tone: 'busy' };
    case 'error':
      return { stage: 'analysis-error', text: `Analysis failed: ${item.analysis.message}`, tone: 'error' };
    case 'done': {
      // Without the manifest (it failed to load after the analysis) nothing can be decided: say no more than "analysed".
      const decision = manifest ? decisionFor(item.analysis.result, manifest, rule) : null;
      if (decision?.ood) return { stage: 'analysed', text: 'Analysed · unusual image', tone: 'warn' };
      if (decision?.reason === 'no-damage') return { stage: 'analysed', text: 'No damage found', tone: 'neutral' };
      return { stage: 'analysed', text: 'Ready to restore', tone: 'neutral' };
    }
    default:
      return { stage: 'ready', text: 'Not analysed', tone: 'neutral' };
  }
}
