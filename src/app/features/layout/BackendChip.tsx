import { useBackend } from '../../inference/useBackend';

const BACKEND_LABEL = { webgpu: 'WebGPU', wasm: 'WebAssembly (wasm)' } as const;

/** Which backend the models will run on, with why; the details open on click (a fallback is never silent). */
export function BackendChip() {
  const backend = useBackend();
  if (backend.status === 'detecting') {
    return (
      <span className="chip" data-testid="backend-status" data-state="detecting">
        Checking GPU…
      </span>
    );
  }
  if (backend.status === 'error') {
    return (
      <span className="chip chip-error" data-testid="backend-status" data-state="error" role="alert">
        Inference worker failed: {backend.message}
      </span>
    );
  }
  const { report } = backend;
  return (
    <details className="popover">
      <summary className={`chip ${report.backend === 'webgpu' ? 'chip-good' : ''}`} data-testid="backend-status" data-backend={report.backend}>
        <span className="visually-hidden">Models will run on </span>
        {BACKEND_LABEL[report.backend]}
      </summary>
      <div className="popover-panel" data-testid="backend-details">
        <p>
          Models will run on <strong>{BACKEND_LABEL[report.backend]}</strong>. {report.reason}
        </p>
        {report.adapter && <p className="muted">Adapter: {report.adapter}</p>}
        <p className="muted">
          {report.crossOriginIsolated
            ? `WebAssembly can use ${report.wasmThreads} threads.`
            : 'The page is not cross-origin isolated, so WebAssembly runs on one thread.'}
        </p>
      </div>
    </details>
  );
}
