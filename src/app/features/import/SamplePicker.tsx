import { useState } from 'react';
import { DEGRADATION_IDS, type DegradationId } from '../../../core/degradations/ids';
import { importFiles } from '../../engine/actions';
import { useManifest } from '../../queries/manifest';
import { makeSampleFile } from './sample';

const FALLBACK_NAMES: Record<string, string> = Object.fromEntries(DEGRADATION_IDS.map((id) => [id, id.replace(/_/g, ' ')]));

/** "Try a sample": the bundled test photo, degraded in the browser by the chosen degradation. */
export function SamplePicker() {
  const manifest = useManifest();
  const [degradation, setDegradation] = useState<DegradationId | 'none'>('jpeg');
  const [state, setState] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const options = manifest.data?.degradations.map((d) => ({ id: d.id, name: d.name })) ?? DEGRADATION_IDS.map((id) => ({ id, name: FALLBACK_NAMES[id] }));

  async function load() {
    setState({ loading: true, error: null });
    try {
      await importFiles([await makeSampleFile(degradation)]);
      setState({ loading: false, error: null });
    } catch (error) {
      setState({ loading: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  return (
    <div className="sample-picker">
      <button type="button" className="button" onClick={() => void load()} disabled={state.loading} data-testid="sample-button">
        {state.loading ? 'Preparing sample…' : 'Try a sample'}
      </button>
      <label className="field field-inline">
        <span>with</span>
        <select
          value={degradation}
          onChange={(e) => setDegradation(e.currentTarget.value as DegradationId | 'none')}
          data-testid="sample-degradation"
        >
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
          <option value="none">no damage (clean)</option>
        </select>
      </label>
      {state.error && (
        <p className="error-text" role="alert">
          {state.error}
        </p>
      )}
    </div>
  );
}
