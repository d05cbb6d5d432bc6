import type { Manifest } from '../../../core/manifest';
import { analyse } from '../../engine/actions';
import type { ImageItem } from '../../state/types';
import { formatDuration } from '../restore/eta';
import { AutomaticModelNote } from './AutomaticModelNote';
import { formatDistance, formatGain, groupTag } from './format';
import { JpegCheckNote } from './JpegCheckNote';
import { OodBadge } from './OodBadge';
import { WhyPanel } from './WhyPanel';

/** What the analysis found: the chosen group, its members, the predicted gain, and whether to trust it. */
export function AnalysisCard({ item, manifest }: { item: ImageItem; manifest: Manifest | undefined }) {
  const { analysis } = item;
  return (
    <section className="card analysis-card" aria-labelledby={`analysis-${item.id}`} data-testid="analysis-card" data-state={analysis.status}>
      <h3 id={`analysis-${item.id}`}>Analysis</h3>
      {(analysis.status === 'queued' || analysis.status === 'running') && (
        <p className="muted" aria-busy="true">
          <span className="spinner" aria-hidden="true" />
          {analysis.status === 'queued' ? 'Waiting for the models…' : 'Measuring the damage…'}
        </p>
      )}
      {(analysis.status === 'idle' || analysis.status === 'cancelled') && (
        <p>
          Not analysed yet.{' '}
          <button type="button" className="button button-small" onClick={() => analyse(item.id)} disabled={item.decode.status !== 'ready'}>
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
  if (item.analysis.status !== 'done') return null;
  const result = item.analysis.result;
  const index = manifest.groups.findIndex((g) => g.id === result.chosen);
  const group = manifest.groups[index];
  const names = new Map(manifest.degradations.map((d) => [d.id as string, d.name]));
  // The gain of the model that restores by default (the group, or the baseline that replaces it).
  const predictedGain = result.automatic.predictedGain;
  const damage = result.jpegCheck?.fired ? 'JPEG' : 'the closest kind of damage';
  return (
    <>
      <p className="chosen-label muted small">{result.jpegCheck?.fired ? 'Chosen group' : 'Closest group'}</p>
      <p className={`chosen-group ${(group?.name.length ?? 0) > 40 ? 'is-long' : ''}`} data-testid="chosen-group" data-group-id={result.chosen}>
        <span className="group-tag">G{index + 1}</span> {group?.name ?? result.chosen}
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
          <dd data-testid="chosen-distance">{formatDistance(result.chosenDistance)}</dd>
        </div>
        {result.jpegCheck?.fired && result.groups[0] && result.groups[0].id !== result.chosen && (
          // The OOD badge reads this one: the JPEG group can be far by distance from a photo that is not unusual.
          <div>
            <dt>Closest by distance</dt>
            <dd data-testid="nearest-group-distance">
              {groupTag(manifest.groups, result.groups[0].id)} · {formatDistance(result.nearestGroupDistance)}
            </dd>
          </div>
        )}
        {predictedGain !== null && (
          <div>
            <dt>Predicted gain</dt>
            <dd data-testid="predicted-gain" data-value={predictedGain}>
              {formatGain(predictedGain)}
            </dd>
          </div>
        )}
        <div>
          <dt>Analysed in</dt>
          <dd>
            {formatDuration(result.milliseconds)} · {result.backend === 'webgpu' ? 'WebGPU' : 'wasm'}
          </dd>
        </div>
      </dl>
      <JpegCheckNote result={result} manifest={manifest} />
      {predictedGain !== null && (
        <p className="muted small">
          {result.automatic.model.kind === 'baseline'
            ? `Predicted before running any model: the mix baseline's measured gain on ${damage}.`
            : manifest.selection.calibration?.expectedGain
              ? `Predicted before running any model: this group's measured gain on ${damage}.`
              : 'Predicted from the distance alone, before running any model.'}
        </p>
      )}
      <AutomaticModelNote result={result} manifest={manifest} />
      {result.ood && <OodBadge distance={result.nearestGroupDistance} threshold={result.oodThreshold} />}
      <WhyPanel result={result} manifest={manifest} />
    </>
  );
}
