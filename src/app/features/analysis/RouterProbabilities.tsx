import type { Manifest } from '../../../core/manifest';
import { cleanPriorOf, TRAINED_CLEAN_SHARE } from '../../../core/router/router';
import type { RouterReading } from '../../../core/routing';
import { formatProbability, formatShare, routerClassName } from './format';

/** Enough classes to see a split between groups; the rest are summed up in the group column. */
const TOP_CLASSES = 5;

/** The learned router's most probable classes (the 11 degradations and "no damage"), with percentages. */
export function RouterProbabilities({ reading, manifest, decided }: { reading: RouterReading; manifest: Manifest; decided: boolean }) {
  const top = Object.entries(reading.probabilities)
    .sort(([, a], [, b]) => b - a)
    .slice(0, TOP_CLASSES);
  return (
    <div className="router-probabilities">
      <p className="muted small">
        The learned router reads the photo's patches and gives a probability for each of the {manifest.degradations.length} kinds of
        damage and for no damage at all, assuming {formatShare(manifest.router ? cleanPriorOf(manifest.router) : TRAINED_CLEAN_SHARE)} of the photos brought here are undamaged. A group's probability is the sum of its members'.{' '}
        {decided
          ? "The model with the highest expected gain under these probabilities restores; when they split between groups, that is the mix baseline."
          : 'Shown for comparison: the KL rule decided.'}
      </p>
      <ol className="probability-list" data-testid="router-probabilities" aria-label="Most probable damage, by the router">
        {top.map(([id, p]) => (
          <li key={id} className={id === reading.likely ? 'is-highlight' : undefined} data-testid="router-class" data-id={id} data-probability={p}>
            <span className="probability-name">{routerClassName(id, manifest.degradations)}</span>
            <span className="bar-cell" aria-hidden="true">
              <span className="bar" style={{ inlineSize: `${Math.max(p * 100, 1).toFixed(1)}%` }} />
            </span>
            <span className="num">{formatProbability(p)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
