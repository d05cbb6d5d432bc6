import * as Comlink from 'comlink';
import type { Manifest } from '../../src/core/manifest';
import type { RoutingRule } from '../../src/core/routing';
import type {
  AnalysisResult,
  BackendReport,
  ImagePayload,
  InferenceWorkerApi,
  ModelChoice,
  RestoreProgress,
  RestoreResult,
  WorkerSettings,
} from './contract';

/**
 * The typed bridge from the UI to the inference worker.
 *
 * - The worker starts lazily on the first call.
 * - Every call takes an optional AbortSignal. Aborting terminates the worker (the only way to stop
 *   a wasm/WebGPU run midway): the aborted call, and any other call still running on that worker,
 *   rejects with a DOMException named 'AbortError'. The next call starts a fresh worker and first
 *   re-sends the last configure() automatically, so callers never reconfigure after a cancel.
 * - Inputs (models, images) are copied to the worker, so the caller keeps its buffers (and the
 *   client keeps the models for that re-send); restored pixels come back transferred.
 */
export interface InferenceClient {
  detectBackend(signal?: AbortSignal): Promise<BackendReport>;
  configure(manifest: Manifest, models: Record<string, ArrayBuffer>, settings: WorkerSettings, signal?: AbortSignal): Promise<void>;
  analyse(image: ImagePayload, rule?: RoutingRule, signal?: AbortSignal): Promise<AnalysisResult>;
  restore(
    image: ImagePayload,
    model: ModelChoice,
    onProgress?: (progress: RestoreProgress) => void,
    signal?: AbortSignal,
  ): Promise<RestoreResult>;
  /** Stops the worker now (pending calls reject with AbortError); the next call starts a new one. */
  terminate(): void;
}

/** What the client needs from a Worker (tests pass a MessageChannel-backed stand-in). */
export type WorkerLike = Comlink.Endpoint & { terminate(): void };

export interface InferenceClientOptions {
  createWorker?: () => WorkerLike;
}

const defaultWorker = (): WorkerLike =>
  new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'grids-inference' });

interface Connection {
  worker: WorkerLike;
  remote: Comlink.Remote<InferenceWorkerApi>;
  /** Settles once the worker has the latest configuration. */
  ready: Promise<void>;
  pending: Set<(error: unknown) => void>;
}

type ConfigureArgs = Parameters<InferenceWorkerApi['configure']>;

function abortError(signal?: AbortSignal, what = 'the operation was cancelled'): DOMException {
  const reason: unknown = signal?.reason;
  if (reason instanceof DOMException && reason.name === 'AbortError') return reason;
  const detail = reason === undefined ? '' : `: ${reason instanceof Error ? reason.message : String(reason)}`;
  return new DOMException(`${what}${detail}`, 'AbortError');
}

export function createInferenceClient(options: InferenceClientOptions = {}): InferenceClient {
  const createWorker = options.createWorker ?? defaultWorker;
  let connection: Connection | null = null;
  let lastConfigure: ConfigureArgs | null = null;

  function drop(conn: Connection, error: unknown): void {
    if (connection === conn) connection = null;
    conn.worker.terminate();
    const rejects = [...conn.pending];
    conn.pending.clear();
    for (const reject of rejects) reject(error);
  }

  function connect(): Connection {
    if (connection) return connection;
    const worker = createWorker();
    const remote = Comlink.wrap<InferenceWorkerApi>(worker);
    const conn: Connection = { worker, remote, ready: Promise.resolve(), pending: new Set() };
    if (lastConfigure) {
      conn.ready = remote.configure(...lastConfigure);
      conn.ready.catch(() => undefined); // reported to the calls that wait on it, not as unhandled
    }
    // A worker that fails to load or crashes: fail what runs on it, start afresh next time.
    worker.addEventListener('error', (event) => {
      const message = (event as ErrorEvent).message || 'the inference worker stopped unexpectedly';
      drop(conn, new Error(message));
    });
    connection = conn;
    return conn;
  }

  function call<T>(signal: AbortSignal | undefined, work: (conn: Connection) => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const conn = connect();
    return new Promise<T>((resolve, reject) => {
      conn.pending.add(reject);
      const onAbort = () => drop(conn, abortError(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      work(conn)
        .then(resolve, reject)
        .finally(() => {
          conn.pending.delete(reject);
          signal?.removeEventListener('abort', onAbort);
        });
    });
  }

  return {
    detectBackend: (signal) => call(signal, (conn) => conn.remote.detectBackend()),

    configure(manifest, models, settings, signal) {
      const hadConnection = connection !== null;
      lastConfigure = [manifest, models, settings];
      return call(signal, (conn) => {
        // A fresh connection already sent lastConfigure as it started.
        if (hadConnection) conn.ready = conn.ready.catch(() => undefined).then(() => conn.remote.configure(manifest, models, settings));
        return conn.ready;
      });
    },

    analyse: (image, rule, signal) => call(signal, (conn) => conn.ready.then(() => conn.remote.analyse(image, rule))),

    restore(image, model, onProgress, signal) {
      // Progress messages the worker posted before it was stopped must not reach the caller after
      // the call has settled (or was aborted).
      let live = true;
      const report = Comlink.proxy((progress: RestoreProgress) => {
        if (live && !signal?.aborted) onProgress?.(progress);
      });
      const result = call(signal, (conn) => conn.ready.then(() => conn.remote.restore(image, model, report))) as Promise<RestoreResult>;
      return result.finally(() => {
        live = false;
      });
    },

    terminate() {
      if (connection) drop(connection, new DOMException('the inference worker was stopped', 'AbortError'));
    },
  };
}
