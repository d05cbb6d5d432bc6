import type { Manifest } from '../../../core/manifest';
import { analyse, cancelAnalysis } from '../../engine/actions';
import type { ImageItem } from '../../state/types';
import { formatDuration } from '../restore/eta';
import { AutomaticModelNote } from './AutomaticModelNote';
import { formatDistance, formatGain, groupTag } from './format';
import { JpegCheckNote } from './JpegCheckNote';
import { OodBadge } from './OodBadge';
import { PredictionNote } from './PredictionNote';
import { useDecision } from './useDecision';
import { Verdict } from './Verdict';
import { WhyPanel } from './WhyPanel';

/** What the analysis found: the verdict, the group, the predicted gain, and whether to trust it. */
export function AnalysisCard({ item, manifest }: { item: ImageItem; manifest: Manifest | undefined }) {
  const { analysis } = item;
  return (
    <section className="card analysis-card" aria-labelledby={`analysis-${item.id}`} data-testid="analysis-card" data-state={analysis.status}>
      <h3 id={`analysis-${item.id}`}>Analysis</h3>
      {(analysis.status === 'queued' || analysis.status === 'running') && (
        <p className="muted" aria-busy="true">
          <span className="spinner" aria-hidden="true" />
          {analysis.status === 'queued' ? 'Waiting for the models…' : 'Measuring the damage…'}{' '}
          <button type="button" className="button button-small button-quiet" onClick={() => cancelAnalysis(item.id)} data-testid="analysis-cancel">
            Stop
          </button>
        </p>
      )}
      {(analysis.status === 'idle' || analysis.status === 'cancelled') && (
        <p>
          {analysis.status === 'cancelled' ? 'Analysis stopped.' : 'Not analysed yet.'}{' '}
          <button type="button" className="button button-small" onClick={() => analyse(item.id)} disabled={item.decode.status !== 'ready'} data-testid="analyse-button"
            // Stop unmounts with the running state; its replacement takes the focus.
            autoFocus={analysis.status === 'cancelled'}>
            Analyse
          </button>
        </p>
      )}
      {analysis.status === 'error' && (
        <div className="error-block" role="alert" data-testid="analysis-error">
          <p>The analysis failed: {analysis.message}</p>
          <button type="button" className="button button-small" onClick={() => analyse(item.id)} data-testid="analysis-retry">
            Try again
          </button>
        </div>
      )}
      {analysis.status === 'done' && manifest && <AnalysisResultView item={item} manifest={manifest} />}
    </section>
  );
}

function AnalysisResultView({ item, manifest }: { item: ImageItem; manifest: Manifest }) {
  const result = item.analysis.status === 'done' ? item.analysis.result : null;
  const decision = useDecision(result, manifest);
  if (!result || !decision) return null;
  const index = manifest.groups.findIndex((g) => g.id === decision.chosen);
  const group = manifest.groups[index];
  const names = new Map(manifest.degradations.map((d) => [d.id as string, d.name]));
  const jpegFired = decision.rule === 'kl' && !!result.jpegCheck?.fired;
  const distance = result.groups.find((g) => g.id === decision.chosen)?.distance ?? result.chosenDistance;
  const nearest = result.groups[0];
  const kept = decision.model.kind === 'none';
  const label = decision.rule === 'router' ? `Most likely group${kept ? ' (not used)' : ''}` : jpegFired ? 'Chosen group' : 'Closest group';
  return (
    <>
      <Verdict decision={decision} manifest={manifest} />
      <p className="chosen-label muted small">{label}</p>
      <p className={`chosen-group ${(group?.name.length ?? 0) > 40 ? 'is-long' : ''}`} data-testid="chosen-group" data-group-id={decision.chosen}>
        <span className="group-tag">G{index + 1}</span> {group?.name ?? decision.chosen}
      </p>
      <ul className="members" data-testid="chosen-members" aria-label="Degradations in this group">
        {(group?.members ?? []).map((m) => (
          <li key={m} className="member" data-id={m}>
            {names.get(m) ?? m}
          </li>
        ))}
      </ul>
      <dl className="facts">
        <div>
          <dt>Distance</dt>
          <dd data-testid="chosen-distance">{formatDistance(distance)}</dd>
        </div>
        {nearest && nearest.id !== decision.chosen && (
          // The KL rule's OOD badge reads this one: the group that decided can be far from a photo that is not unusual.
          <div>
            <dt>Closest by distance</dt>
            <dd data-testid="nearest-group-distance">
              {groupTag(manifest.groups, nearest.id)} · {formatDistance(result.nearestGroupDistance)}
            </dd>
          </div>
        )}
        {decision.predictedGain !== null && !kept && (
          <div>
            <dt>Predicted gain</dt>
            <dd data-testid="predicted-gain" data-value={decision.predictedGain}>
              {formatGain(decision.predictedGain)}
            </dd>
          </div>
        )}
        <div>
          <dt>Decided by</dt>
          <dd data-testid="routing-rule" data-rule={decision.rule}>
            {decision.rule === 'router' ? 'Learned router' : "Paper's KL rule"}
          </dd>
        </div>
        <div>
          <dt>Analysed in</dt>
          <dd>
            {formatDuration(result.milliseconds)} · {result.backend === 'webgpu' ? 'WebGPU' : 'wasm'}
          </dd>
        </div>
      </dl>
      <JpegCheckNote result={result} decision={decision} manifest={manifest} />
      <PredictionNote decision={decision} manifest={manifest} jpegFired={jpegFired} />
      <AutomaticModelNote decision={decision} manifest={manifest} />
      {decision.ood && <OodBadge decision={decision} nearestGroupDistance={result.nearestGroupDistance} />}
      <WhyPanel result={result} decision={decision} manifest={manifest} />
    </>
  );
}
