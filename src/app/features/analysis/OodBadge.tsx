import { formatDistance } from './format';

/** Out of distribution: the closest group is still far away, so the restoration may not help. */
export function OodBadge({ distance, threshold }: { distance: number; threshold: number }) {
  return (
    <div className="ood-badge" role="note" data-testid="ood-badge" data-distance={distance} data-threshold={threshold}>
      <svg viewBox="0 0 16 16" aria-hidden="true">
        <path d="M8 1.5 L15 14 H1 Z" />
        <path d="M8 6 V9.5 M8 11.5 V12" />
      </svg>
      <div>
        <p>
          <strong>This looks unlike anything the models were trained on; results may be poor.</strong>
        </p>
        <p className="small">
          Distance {formatDistance(distance)} to the closest group is above the threshold of {formatDistance(threshold)}.
        </p>
      </div>
    </div>
  );
}
