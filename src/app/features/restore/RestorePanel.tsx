import { useEffect, useRef } from 'react';
import type { Manifest } from '../../../core/manifest';
import { predictedGainUnder } from '../../../core/routing';
import { formatGain } from '../analysis/format';
import { useDecision } from '../analysis/useDecision';
import { cancelRestore, gridsChoice, restore, setOverride } from '../../engine/actions';
import { useAppStore } from '../../state/store';
import type { ImageItem, RestoreKind, RestoreState } from '../../state/types';
import { automaticName, KEEP_ORIGINAL_VALUE, menuChoice, menuValue, modelLabel, modelPhrase } from './model-menu';
import { RestoreProgress } from './RestoreProgress';
import { ResultSummary } from './ResultSummary';

const active = (r: RestoreState) => r.status === 'queued' || r.status === 'running';

/** Restore, cancel, override the model, compare with the mix baseline; progress and results. */
export function RestorePanel({ item, manifest }: { item: ImageItem; manifest: Manifest | undefined }) {
  const alsoBaseline = useAppStore((s) => s.settings.alsoBaseline);
  const setSettings = useAppStore((s) => s.setSettings);
  const rule = useAppStore((s) => s.settings.routingRule);
  const { grids, baseline } = item.restore;
  const running = active(grids) || active(baseline);
  const ready = item.decode.status === 'ready';
  const result = item.analysis.status === 'done' ? item.analysis.result : null;
  const decision = useDecision(result, manifest);
  const choice = gridsChoice(item, manifest, rule);
  const canRestore = ready && !!manifest && choice !== null;
  // What the model in the menu should gain, under the rule that decided: it follows an override.
  const predicted = result && manifest && decision && choice ? predictedGainUnder(decision.rule, manifest, choice, result.selection, decision.router) : null;
  // The baseline comparison is moot when GRIDS itself restores with the baseline.
  const gridsIsBaseline = choice?.kind === 'baseline';

  // Restore and Cancel are one <button> element (same slot, same type), so keyboard focus stays on it
  // when it switches. A double click must not cancel the run it just started, though.
  const switchedAt = useRef(0);
  useEffect(() => {
    switchedAt.current = performance.now();
  }, [running]);

  // enqueueRestore drops the baseline run when GRIDS itself restores with the baseline.
  const kinds: RestoreKind[] = alsoBaseline && manifest?.baseline ? ['grids', 'baseline'] : ['grids'];

  return (
    <section className="card restore-panel" aria-labelledby={`restore-${item.id}`} data-testid="restore-panel">
      <h3 id={`restore-${item.id}`}>Restore</h3>
      <label className="field">
        <span>Model</span>
        <select
          value={menuValue(item.override)}
          onChange={(e) => setOverride(item.id, menuChoice(e.currentTarget.value))}
          disabled={!manifest || running}
          data-testid="group-override"
        >
          <option value="">{decision && manifest ? `Automatic: ${automaticName(decision.model, manifest)}` : 'Automatic (after analysis)'}</option>
          {manifest?.groups.map((g, i) => (
            <option key={g.id} value={g.id}>
              G{i + 1} · {g.name}
            </option>
          ))}
          <option value={KEEP_ORIGINAL_VALUE}>Keep original (no restoration)</option>
        </select>
      </label>
      {predicted !== null && choice && (
        <p className="muted small" data-testid="model-predicted-gain" data-value={predicted}>
          Predicted gain with {modelPhrase(choice, manifest)}: {formatGain(predicted)}
        </p>
      )}
      {choice?.kind === 'none' && (
        // The worker hands the original pixels back, so the result and its download work as for any model.
        <p className="muted small" data-testid="keeps-original">
          Restore keeps the photo as it is: the result and its download are the original pixels.
        </p>
      )}
      {manifest?.baseline && gridsIsBaseline && (
        <p className="muted small" data-testid="baseline-is-automatic">
          The automatic choice is already the mix baseline. To compare it with a group model, pick the group above.
        </p>
      )}
      {manifest?.baseline && !gridsIsBaseline && (
        <label className="check">
          <input
            type="checkbox"
            checked={alsoBaseline}
            onChange={(e) => setSettings({ alsoBaseline: e.currentTarget.checked })}
            data-testid="compare-baseline"
          />
          Also run the mix baseline (one model for all damage) to compare
        </label>
      )}
      <div className="actions">
        {running ? (
          <button
            type="button"
            className="button button-danger"
            onClick={() => performance.now() - switchedAt.current > 250 && cancelRestore(item.id)}
            data-testid="cancel-button"
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="button button-primary"
            onClick={() => restore(item.id, kinds)}
            disabled={!canRestore}
            data-testid="restore-button"
          >
            {grids.status === 'done' ? 'Restore again' : 'Restore'}
          </button>
        )}
        {!running && manifest?.baseline && !gridsIsBaseline && grids.status === 'done' && baseline.status !== 'done' && !alsoBaseline && (
          <button type="button" className="button" onClick={() => restore(item.id, ['baseline'])} data-testid="run-baseline">
            Compare with the mix baseline
          </button>
        )}
      </div>
      {!canRestore && ready && manifest && !result && item.analysis.status !== 'queued' && item.analysis.status !== 'running' && (
        <p className="muted small">Pick a model above to restore without an analysis.</p>
      )}
      <div className="restore-status" aria-live="polite">
        {(['grids', 'baseline'] as const).map((kind) => {
          const state = item.restore[kind];
          const label = kind === 'baseline' ? 'Mix baseline' : modelLabel(state.status === 'running' || state.status === 'queued' ? state.model : choice, manifest);
          if (state.status === 'queued' || state.status === 'running') {
            return (
              <RestoreProgress key={kind} kind={kind} label={label} queued={state.status === 'queued'} progress={state.status === 'running' ? state.progress : null} />
            );
          }
          if (state.status === 'done') {
            return <ResultSummary key={kind} kind={kind} label={modelLabel(state.result.model, manifest)} result={state.result} />;
          }
          if (state.status === 'error') {
            return (
              <p key={kind} className="error-text" role="alert" data-testid="restore-error" data-kind={kind}>
                {label} failed: {state.message}
              </p>
            );
          }
          if (state.status === 'cancelled') {
            return (
              <p key={kind} className="muted small" data-testid="restore-cancelled" data-kind={kind}>
                {label}: cancelled.
              </p>
            );
          }
          return null;
        })}
      </div>
    </section>
  );
}
