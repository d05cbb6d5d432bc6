import { useBackend } from './useBackend';

const BACKEND_LABEL = { webgpu: 'WebGPU', wasm: 'WebAssembly (wasm)' } as const;

export function App() {
  const backend = useBackend();
  return (
    <main className="app">
      <h1>GRIDS photo restoration</h1>
      <p className="lede">
        Restores a photo with the model trained for its kind of damage, chosen by comparing the photo's deep
        degradation statistics with those of 11 known degradations. Everything runs in your browser.
      </p>
      <section aria-labelledby="backend-heading" className="card">
        <h2 id="backend-heading">Compute backend</h2>
        {backend.status === 'detecting' && <p data-testid="backend-status">Checking what this browser supports…</p>}
        {backend.status === 'error' && (
          <p data-testid="backend-status" role="alert">
            Could not start the inference worker: {backend.message}
          </p>
        )}
        {backend.status === 'ready' && (
          <>
            <p data-testid="backend-status" data-backend={backend.report.backend}>
              Models will run on <strong>{BACKEND_LABEL[backend.report.backend]}</strong>.
            </p>
            <p className="muted">
              {backend.report.reason}
              {backend.report.adapter ? ` Adapter: ${backend.report.adapter}.` : ''}{' '}
              {backend.report.crossOriginIsolated
                ? `WebAssembly can use ${backend.report.wasmThreads} threads.`
                : 'The page is not cross-origin isolated, so WebAssembly runs on one thread.'}
            </p>
          </>
        )}
      </section>
    </main>
  );
}
