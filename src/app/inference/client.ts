/**
 * The app's one inference client (one worker, shared by every job), typed against
 * workers/inference/contract.ts. The job queue (engine/) runs one call at a time, so aborting a call,
 * which terminates the worker, never takes another image's work down with it.
 */
import { createInferenceClient } from '../../../workers/inference/client';
import type { Manifest } from '../../core/manifest';
import type { RoutingRule } from '../../core/routing';
import type {
  AnalysisResult,
  BackendReport,
  ImagePayload,
  ModelChoice,
  RestoreProgress,
  RestoreResult,
  WorkerSettings,
} from '../../../workers/inference/contract';

export type { AnalysisResult, Backend, BackendReport, ImagePayload, ModelChoice, RestoreProgress, RestoreResult, WorkerSettings } from '../../../workers/inference/contract';

/** What the UI uses of the client (workers/inference/client.ts). Abort terminates the worker. */
export interface AppInferenceClient {
  detectBackend(signal?: AbortSignal): Promise<BackendReport>;
  configure(manifest: Manifest, models: Record<string, ArrayBuffer>, settings: WorkerSettings, signal?: AbortSignal): Promise<void>;
  analyse(image: ImagePayload, rule: RoutingRule, signal?: AbortSignal): Promise<AnalysisResult>;
  restore(image: ImagePayload, model: ModelChoice, onProgress: (progress: RestoreProgress) => void, signal?: AbortSignal): Promise<RestoreResult>;
  terminate(): void;
}

// Compile-time check that the real client fits the UI, switched on as soon as it has analyse().
type RealClient = ReturnType<typeof createInferenceClient>;
type FitsTheUi = RealClient extends { analyse: unknown } ? (RealClient extends AppInferenceClient ? true : false) : true;
const realClientFitsTheUi: FitsTheUi = true;
void realClientFitsTheUi;

function missing(method: string): () => Promise<never> {
  return () => Promise.reject(new Error(`The inference worker in this build has no ${method}() yet.`));
}

/** Fills in methods an in-progress worker client lacks, so the UI reports it instead of crashing. */
export function adaptClient(client: Partial<AppInferenceClient> & Pick<AppInferenceClient, 'detectBackend' | 'terminate'>): AppInferenceClient {
  return {
    detectBackend: (signal) => client.detectBackend(signal),
    configure: client.configure?.bind(client) ?? missing('configure'),
    analyse: client.analyse?.bind(client) ?? missing('analyse'),
    restore: client.restore?.bind(client) ?? missing('restore'),
    terminate: () => client.terminate(),
  };
}

let shared: AppInferenceClient | null = null;

export function getInferenceClient(): AppInferenceClient {
  shared ??= adaptClient(createInferenceClient() as Partial<AppInferenceClient> & Pick<AppInferenceClient, 'detectBackend' | 'terminate'>);
  return shared;
}

/** Threads onnxruntime-web's wasm backend may use: all cores when the page is cross-origin isolated. */
export function wasmThreadsFor(scope: { crossOriginIsolated?: boolean; navigator: { hardwareConcurrency?: number } }): number {
  return scope.crossOriginIsolated ? Math.max(1, scope.navigator.hardwareConcurrency ?? 1) : 1;
}

/** Is this error the result of an AbortSignal (ours, or the worker being terminated because of one)? */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return error instanceof DOMException ? error.name === 'AbortError' : (error as { name?: string } | null)?.name === 'AbortError';
}
