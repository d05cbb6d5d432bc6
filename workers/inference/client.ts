import * as Comlink from 'comlink';
import type { InferenceWorkerApi } from './inference.worker';

/**
 * The typed bridge to the inference worker. The worker is created lazily on first use, and
 * `terminate()` drops it so the next call starts a fresh one (how cancel will work).
 */
export function createInferenceClient() {
  let worker: Worker | null = null;
  let remote: Comlink.Remote<InferenceWorkerApi> | null = null;

  function connect(): Comlink.Remote<InferenceWorkerApi> {
    if (!remote) {
      worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'grids-inference' });
      remote = Comlink.wrap<InferenceWorkerApi>(worker);
    }
    return remote;
  }

  return {
    detectBackend: () => connect().detectBackend(),
    terminate() {
      worker?.terminate();
      worker = null;
      remote = null;
    },
  };
}

export type InferenceClient = ReturnType<typeof createInferenceClient>;
