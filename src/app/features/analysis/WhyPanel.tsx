import type { Manifest } from '../../../core/manifest';
import type { RoutingDecision } from '../../../core/routing';
import type { AnalysisResult } from '../../inference/client';
import { barFraction, formatDistance, formatProbability, RULE_NAME } from './format';
import { RouterProbabilities } from './RouterProbabilities';

/**
 * "Why this group?": which rule decided, the learned router's probabilities (when the models have a
 * router, whichever rule decided), and beside them the distance from this photo to every group and
 * every degradation, smallest first. The bars are relative to what is listed.
 */
export function WhyPanel({ result, decision, manifest }: { result: AnalysisResult; decision: RoutingDecision; manifest: Manifest }) {
  const groupName = new Map(manifest.groups.map((g) => [g.id, g.name]));
  const groupOf = new Map(manifest.groups.flatMap((g, i) => g.members.map((m) => [m as string, i + 1] as const)));
  const degradationName = new Map(manifest.degradations.map((d) => [d.id as string, d.name]));
  const router = decision.router;
  const byRouter = decision.rule === 'router';
  return (
    <details className="why-panel" data-testid="why-panel">
      <summary>Why this group?</summary>
      <p className="small" data-testid="why-rule" data-rule={decision.rule}>
        Decided by <strong>{RULE_NAME[decision.rule]}</strong>.
      </p>
      {router && byRouter && <RouterProbabilities reading={router} manifest={manifest} decided />}
      <p className="muted small" data-testid="why-distances" data-patches={result.descriptorPatches}>
        The photo's deep-feature statistics (a generalized Gaussian fit) are compared with each group's, by KL
        divergence, reported as the distance D = log₁₀(KL + 10⁻⁵) + 5, here from {result.descriptorPatches} patches of the photo
        {result.descriptorPatches < manifest.descriptor.input.patchCount ? ` (the paper's rule reads ${manifest.descriptor.input.patchCount})` : ''}. Smaller is more similar;
        {byRouter ? " under the paper's rule the closest group's model would restore the photo." : " the closest group's model restores the photo."}
        {result.jpegCheck &&
          ` One exception: that statistic cannot see JPEG's 8×8 blocks, so a second check looks for them in the same features, and when it finds them the JPEG group ${byRouter ? 'would restore' : 'restores'} instead.`}
      </p>
      {router && !byRouter && <RouterProbabilities reading={router} manifest={manifest} decided={false} />}
      <DistanceTable
        caption={router ? 'Each group: distance and router probability' : 'Distance to each group'}
        testId="why-group"
        rows={result.groups.map((g, i) => ({
          id: g.id,
          label: `G${manifest.groups.findIndex((x) => x.id === g.id) + 1} · ${groupName.get(g.id) ?? g.id}`,
          distance: g.distance,
          probability: router?.groupProbabilities[g.id],
          highlight: g.id === decision.chosen,
          note: i === 0 ? 'closest' : undefined,
        }))}
        // The distance threshold is the KL rule's OOD line, whichever rule decided.
        threshold={manifest.selection.oodThreshold}
      />
      <DistanceTable
        caption="Distance to each degradation"
        testId="why-degradation"
        rows={result.degradations.map((d) => ({
          id: d.id,
          label: degradationName.get(d.id) ?? d.id,
          distance: d.distance,
          highlight: manifest.groups.find((g) => g.id === decision.chosen)?.members.includes(d.id as never) ?? false,
          note: groupOf.has(d.id) ? `G${groupOf.get(d.id)}` : undefined,
        }))}
      />
    </details>
  );
}

interface Row {
  id: string;
  label: string;
  distance: number;
  /** The router's probability, shown beside the distance when there is one. */
  probability?: number;
  highlight: boolean;
  note?: string;
}

function DistanceTable({ caption, rows, testId, threshold }: { caption: string; rows: Row[]; testId: string; threshold?: number }) {
  const finite = rows.map((r) => r.distance).filter(Number.isFinite);
  const min = Math.min(...finite);
  const max = Math.max(...finite, threshold ?? -Infinity);
  const withProbability = rows.some((r) => r.probability !== undefined);
  return (
    <table className="distance-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">
            Relative distance
          </th>
          <th scope="col" className="num">
            D
          </th>
          {withProbability && (
            <th scope="col" className="num">
              P
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={row.id}
            className={row.highlight ? 'is-highlight' : undefined}
            data-testid={testId}
            data-id={row.id}
            data-distance={row.distance}
            data-probability={row.probability}
          >
            <th scope="row">
              {row.label}
              {row.note && <span className="tag">{row.note}</span>}
            </th>
            <td className="bar-cell" aria-hidden="true">
              <span className="bar" style={{ inlineSize: `${(barFraction(row.distance, min, max) * 100).toFixed(1)}%` }} />
            </td>
            <td className="num">{formatDistance(row.distance)}</td>
            {withProbability && <td className="num">{row.probability === undefined ? '—' : formatProbability(row.probability)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
