/**
 * The contract between the UI and the inference worker (one small file, Squoosh style). Everything
 * crossing it is structured-clonable; pixel buffers are transferred, not copied.
 *
 * Cancellation: comlink cannot carry an AbortSignal, so the client (client.ts) takes a signal on
 * every call and, on abort, terminates the worker and starts a fresh one on the next call. The
 * worker therefore never needs to be told to stop.
 */
import type { Manifest } from '../../src/core/manifest';
import type { Ggd } from '../../src/core/ggd-types';
import type { JpegCheckResult, RankedDistance } from '../../src/core/selection';
import type { AutomaticModel } from '../../src/core/analysis';
import type { ModelChoice } from '../../src/core/auto-choice';
import type { Backend, BackendReport } from './backend';

export type { Backend, BackendReport };

/** 8-bit RGBA, row-major, as canvas ImageData gives it. Alpha passes through restoration untouched. */
export interface ImagePayload {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export interface WorkerSettings {
  /** Try WebGPU first (falls back to wasm when there is no adapter or the device is lost). */
  preferWebgpu: boolean;
  /** wasm threads (navigator.hardwareConcurrency when the page is cross-origin isolated, else 1). */
  wasmThreads: number;
  /** Tile side for restoration, in pixels. */
  tile: number;
  /** Tile overlap, feathered when blending. */
  overlap: number;
}

/** Which model restores: a group of the manifest, or the mix baseline. */
export type { ModelChoice };

export interface AnalysisResult {
  /** The group the selection picked (manifest group id). */
  chosen: string;
  chosenDistance: number;
  /** Distance to the nearest group, the one the OOD badge compares with the threshold. */
  nearestGroupDistance: number;
  ood: boolean;
  oodThreshold: number;
  predictedGain: number | null;
  /** The degradation the gain prediction assumes: JPEG when the JPEG check fired, else the nearest. */
  likelyDegradation: string;
  /** The JPEG check's verdict; null when the manifest has no check. */
  jpegCheck: JpegCheckResult | null;
  /**
   * The model restored with when the user picks none: the chosen group, or the mix baseline where the
   * manifest's policy found the group unreliable (core/auto-choice.ts), with its predicted gain.
   */
  automatic: AutomaticModel;
  /** Every group and every degradation, ascending by distance (the "why" panel). */
  groups: RankedDistance[];
  degradations: RankedDistance[];
  ggd: Ggd;
  backend: Backend;
  milliseconds: number;
  /** Of `milliseconds`, the time inside the descriptor's session runs (the rest: decode, crops, DDR statistic, KL). */
  descriptorMilliseconds: number;
}

export interface RestoreProgress {
  done: number;
  total: number;
  elapsedMs: number;
  /** Estimated time left, null before the first tile finishes. */
  etaMs: number | null;
}

export interface RestoreResult extends ImagePayload {
  model: ModelChoice;
  backend: Backend;
  /** Set when WebGPU failed mid-run and the worker finished on wasm. */
  fallbackReason?: string;
  tiles: number;
  milliseconds: number;
}

export interface InferenceWorkerApi {
  detectBackend(): Promise<BackendReport>;
  /**
   * Gives the worker the validated manifest, the model files it names (bytes keyed by the
   * manifest's relative file path, e.g. "group-1.onnx") and settings. Sessions are created lazily
   * and cached per model file.
   */
  configure(manifest: Manifest, models: Record<string, ArrayBuffer>, settings: WorkerSettings): Promise<void>;
  /** The descriptor on the manifest's patches, the DDR statistic, then KL to each group. */
  analyse(image: ImagePayload): Promise<AnalysisResult>;
  /** Tiled restoration with feathered blending; progress after every tile. */
  restore(image: ImagePayload, model: ModelChoice, onProgress: (progress: RestoreProgress) => void): Promise<RestoreResult>;
}
