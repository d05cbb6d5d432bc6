import type { RoutingDecision } from '../../../core/routing';
import { formatDistance } from './format';

/**
 * Out of distribution, by the rule that decided: the router's P(unfamiliar) reached its threshold,
 * or (KL rule) the closest group is still far away. Either way the restoration may not help.
 */
export function OodBadge({ decision, nearestGroupDistance }: { decision: Pick<RoutingDecision, 'rule' | 'oodScore' | 'oodThreshold'>; nearestGroupDistance: number }) {
  const { rule, oodScore, oodThreshold } = decision;
  return (
    <div
      className="ood-badge"
      role="note"
      data-testid="ood-badge"
      data-rule={rule}
      data-score={oodScore}
      data-distance={nearestGroupDistance}
      data-threshold={oodThreshold}
    >
      <svg viewBox="0 0 16 16" aria-hidden="true">
        <path d="M8 1.5 L15 14 H1 Z" />
        <path d="M8 6 V9.5 M8 11.5 V12" />
      </svg>
      <div>
        <p>
          <strong>This looks unlike anything the models were trained on; results may be poor.</strong>
        </p>
        <p className="small">
          {rule === 'router'
            ? `P(unfamiliar) ${oodScore.toFixed(2)} ≥ ${oodThreshold.toFixed(2)}, from the router's confidence and the distance ${formatDistance(nearestGroupDistance)} to the closest group.`
            : `Distance ${formatDistance(oodScore)} to the closest group is above the threshold of ${formatDistance(oodThreshold)}.`}
        </p>
      </div>
    </div>
  );
}
