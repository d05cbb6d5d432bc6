import type { RestoreProgress as Progress } from '../../inference/client';
import { formatEta, formatTiles, percent } from './eta';

/** "12 / 48 tiles · about 20 s left", with a real <progress> for assistive tech. */
export function RestoreProgress({ label, kind, progress, queued }: { label: string; kind: string; progress: Progress | null; queued: boolean }) {
  return (
    <div className="restore-progress" data-testid="restore-progress" data-kind={kind} data-done={progress?.done ?? 0} data-total={progress?.total ?? 0}>
      <div className="progress-line">
        <span>{label}</span>
        <span className="muted small" data-testid="restore-eta" aria-live="off">
          {queued
            ? 'waiting for the models or other images…'
            : progress
              ? `${formatTiles(progress.done, progress.total)} · ${formatEta(progress.etaMs)}`
              : 'starting…'}
        </span>
      </div>
      {/* Indeterminate (no value) until the first report. */}
      {progress ? <progress max={100} value={percent(progress.done, progress.total)} aria-label={`${label} progress`} /> : <progress aria-label={`${label} progress`} />}
    </div>
  );
}
