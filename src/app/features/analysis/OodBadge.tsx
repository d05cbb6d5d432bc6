import type { RoutingDecision } from '../../../core/routing';
import { formatDistance, TONE_CUE_PHRASE, UNUSUAL_CUE_SCORE } from './format';

/**
 * Out of distribution, by the rule that decided: the router's P(unfamiliar) reached its threshold,
 * or (KL rule) the closest group is still far away. Either way the restoration may not help.
 */
export function OodBadge({ decision, nearestGroupDistance }: { decision: Pick<RoutingDecision, 'rule' | 'oodScore' | 'oodThreshold' | 'router' | 'model'>; nearestGroupDistance: number }) {
  const { rule, oodScore, oodThreshold } = decision;
  const unusual = decision.router?.tone.mostUnusual;
  const toneNote = unusual && unusual.score >= UNUSUAL_CUE_SCORE ? ` Most unusual: ${TONE_CUE_PHRASE[unusual.cue]}.` : '';
  return (
    <div
      className="ood-badge"
      role="note"
      data-testid="ood-badge"
      data-rule={rule}
      data-score={oodScore}
      data-distance={nearestGroupDistance}
      data-threshold={oodThreshold}
      data-unusual-cue={unusual && unusual.score >= UNUSUAL_CUE_SCORE ? unusual.cue : undefined}
    >
      <svg viewBox="0 0 16 16" aria-hidden="true">
        <path d="M8 1.5 L15 14 H1 Z" />
        <path d="M8 6 V9.5 M8 11.5 V12" />
      </svg>
      <div>
        <p>
          <strong>
            {decision.model.kind === 'none'
              // "No damage found" then means none of the damage the models know: say what is off instead.
              ? 'This looks unlike anything the models were trained on: none of them is made for what is off here.'
              : 'This looks unlike anything the models were trained on; results may be poor.'}
          </strong>
        </p>
        <p className="small">
          {rule === 'router'
            ? `P(unfamiliar) ${oodScore.toFixed(2)} ≥ ${oodThreshold.toFixed(2)}, from the router's confidence, the distance ${formatDistance(nearestGroupDistance)} to the closest group, and how unusual the photo's tones and colours are.${toneNote}`
            : `Distance ${formatDistance(oodScore)} to the closest group is above the threshold of ${formatDistance(oodThreshold)}.`}
        </p>
      </div>
    </div>
  );
}
