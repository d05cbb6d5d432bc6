import type { RestoreSummary } from '../../state/types';
import { formatDuration } from './eta';

const BACKEND = { webgpu: 'WebGPU', wasm: 'WebAssembly' } as const;

/** A finished restoration: what ran, where, how long, a fallback notice if any, and the download. */
export function ResultSummary({ label, kind, result }: { label: string; kind: 'grids' | 'baseline'; result: RestoreSummary }) {
  return (
    <div className="result-summary" data-testid={`result-${kind}`}>
      <div className="result-line">
        <span>
          <strong>{label}</strong>
          <span className="muted small">
            {' '}
            · {result.tiles} {result.tiles === 1 ? 'tile' : 'tiles'} in {formatDuration(result.milliseconds)} · ran on{' '}
            <span data-testid="restore-backend" data-backend={result.backend}>
              {BACKEND[result.backend]}
            </span>
          </span>
        </span>
        <a
          className="button button-small"
          href={result.downloadUrl}
          download={result.downloadName}
          data-testid={kind === 'grids' ? 'download-link' : 'download-baseline-link'}
        >
          Download PNG
        </a>
      </div>
      {result.fallbackReason && (
        <p className="notice notice-warn small" role="status" data-testid="fallback-notice">
          WebGPU stopped working, so this finished on WebAssembly: {result.fallbackReason}
        </p>
      )}
    </div>
  );
}
