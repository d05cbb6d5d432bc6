import { ManifestError } from '../../../core/manifest';
import { ManifestMissingError, useManifest } from '../../queries/manifest';
import { useModels } from '../../queries/models';
import { formatBytes } from '../import/limits';

/** Header chip: which models are installed and whether they are loaded. */
export function ModelStatus() {
  const manifest = useManifest();
  const models = useModels(manifest.data);
  if (manifest.isPending) {
    return (
      <span className="chip" data-testid="model-status" data-state="loading">
        Loading models…
      </span>
    );
  }
  if (manifest.isError) {
    const missing = manifest.error instanceof ManifestMissingError;
    return (
      <span className="chip chip-error" data-testid="model-status" data-state={missing ? 'missing' : 'error'}>
        {missing ? 'No models installed' : 'Models unavailable'}
      </span>
    );
  }
  if (models.status === 'loading') {
    return (
      <span className="chip" data-testid="model-status" data-state="loading">
        Loading models {models.done} / {models.total}
        <span className="muted"> · {formatBytes(models.bytes)}</span>
      </span>
    );
  }
  if (models.status === 'error') {
    return (
      <span className="chip chip-error" data-testid="model-status" data-state="error">
        Models failed to load
      </span>
    );
  }
  const bytes = models.status === 'ready' ? ` · ${formatBytes(models.bytes)}` : '';
  return (
    <span className="chip" data-testid="model-status" data-state="ready" title={manifest.data.notes}>
      {manifest.data.groups.length} groups · {manifest.data.preset} models{bytes}
    </span>
  );
}

/** A full-width notice when the models cannot be used, naming the problem (ManifestError lists the bad fields). */
export function ModelsProblem() {
  const manifest = useManifest();
  const models = useModels(manifest.data);
  if (manifest.isError) {
    const error = manifest.error;
    return (
      <div className="notice notice-error" role="alert" data-testid="models-error">
        <strong>{error instanceof ManifestMissingError ? 'No models are installed.' : 'The models cannot be used.'}</strong>{' '}
        {error instanceof ManifestError ? (
          <>
            The manifest is invalid:
            <ul>
              {error.issues.slice(0, 8).map((issue) => (
                <li key={issue.path + issue.message}>
                  <code>{issue.path}</code>: {issue.message}
                </li>
              ))}
            </ul>
          </>
        ) : (
          error.message
        )}{' '}
        <button type="button" className="button button-small" onClick={() => void manifest.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  if (models.status === 'error') {
    return (
      <div className="notice notice-error" role="alert" data-testid="models-error">
        <strong>The models could not be loaded.</strong> {models.message}{' '}
        <button type="button" className="button button-small" onClick={models.retry}>
          Try again
        </button>
      </div>
    );
  }
  return null;
}
