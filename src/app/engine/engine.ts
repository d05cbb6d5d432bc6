/**
 * Gives the worker its models before the first job, and again when the models or settings change.
 * Jobs wait here while the models download, so an image dropped before they are ready still gets
 * analysed as soon as they are.
 */
import type { Manifest } from '../../core/manifest';
import type { AppInferenceClient, WorkerSettings } from '../inference/client';

export interface EngineSource {
  manifest: Manifest;
  models: Record<string, ArrayBuffer>;
  settings: WorkerSettings;
}

export type EngineInput = { status: 'loading' } | { status: 'error'; message: string } | ({ status: 'ready' } & EngineSource);

export interface Engine {
  /** Called by the UI whenever the manifest, the models or the settings change. */
  setInput(input: EngineInput): void;
  /** Resolves with the manifest once the worker is configured with it; rejects when models failed. */
  ready(signal: AbortSignal): Promise<Manifest>;
  /** The manifest now, without waiting (null while loading or failed): synchronous decisions need it. */
  manifest(): Manifest | null;
}

function sameSource(a: EngineSource | null, b: EngineSource): boolean {
  if (!a || a.manifest !== b.manifest) return false;
  const files = Object.keys(b.models);
  if (files.length !== Object.keys(a.models).length || files.some((f) => a.models[f] !== b.models[f])) return false;
  return JSON.stringify(a.settings) === JSON.stringify(b.settings);
}

export function createEngine(client: Pick<AppInferenceClient, 'configure'>): Engine {
  let input: EngineInput = { status: 'loading' };
  let configured: EngineSource | null = null;
  let waiters: (() => void)[] = [];

  return {
    setInput(next) {
      if (next.status === 'ready' && input.status === 'ready' && sameSource(input, next)) return;
      input = next;
      const woken = waiters;
      waiters = [];
      woken.forEach((wake) => wake());
    },
    async ready(signal) {
      while (input.status === 'loading') {
        await new Promise<void>((resolve, reject) => {
          waiters.push(resolve);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      if (input.status === 'error') throw new Error(input.message);
      const source: EngineSource = input;
      if (!sameSource(configured, source)) {
        // The client copies the models to the worker (it keeps them to re-send after a cancel).
        await client.configure(source.manifest, source.models, source.settings, signal);
        configured = source;
      }
      return source.manifest;
    },
    manifest() {
      return input.status === 'ready' ? input.manifest : null;
    },
  };
}
