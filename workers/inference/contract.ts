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
import type { JpegCheckResult, RankedDistance, SelectionResult } from '../../src/core/selection';
import type { RouterInput, RoutingDecision, RoutingRule } from '../../src/core/routing';
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

/** Which model restores: a group of the manifest, the mix baseline, or none (the original pixels). */
export type { ModelChoice };

export interface AnalysisResult {
  /** The group the rule in use points at (manifest group id): the router's, or the KL rule's. */
  chosen: string;
  /** KL distance of the KL rule's choice. */
  chosenDistance: number;
  /** Distance to the nearest group (the KL rule's OOD score, one input of the router's). */
  nearestGroupDistance: number;
  /** The OOD badge: the rule's OOD score reached its threshold. */
  ood: boolean;
  oodScore: number;
  oodThreshold: number;
  /** Predicted gain (dB) of restoring with `chosen`. */
  predictedGain: number | null;
  /** The degradation the gain prediction assumes: JPEG when the JPEG check fired, else the nearest. */
  likelyDegradation: string;
  /** The JPEG check's verdict; null when the manifest has no check. */
  jpegCheck: JpegCheckResult | null;
  /**
   * The routing decision (core/routing.ts) under the rule analysed for: the model restored with when
   * the user picks none, why, and its predicted gain. Another rule reading as many descriptor patches
   * is decided from `selection` and `routerInput` with decideRoute, without analysing again
   * (app/features/analysis/decision.ts analysisFits).
   */
  automatic: RoutingDecision;
  /** How many descriptor patches the DDR statistic (and so every distance) comes from. */
  descriptorPatches: number;
  /** The KL rule's full result (computed on every analysis). */
  selection: SelectionResult;
  /** The router's logits and the photo's tone cues (null when the manifest has no router). */
  routerInput: RouterInput | null;
  /** Every group and every degradation, ascending by distance (the "why" panel). */
  groups: RankedDistance[];
  degradations: RankedDistance[];
  ggd: Ggd;
  backend: Backend;
  milliseconds: number;
  /** Of `milliseconds`, the time inside the descriptor's session runs (the rest: decode, crops, DDR statistic, KL, router). */
  descriptorMilliseconds: number;
  /** Of `milliseconds`, the DDR statistic's centred Gram matrix (its onnxruntime GEMM and the copy in and out). */
  gramMilliseconds: number;
  /** Of `milliseconds`, the router: patch features and its session run. */
  routerMilliseconds: number;
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
  /**
   * The descriptor on the manifest's patches, the DDR statistic, KL to each group, the router, then
   * the decision under `rule` (the manifest's default when absent), which also sets how many
   * descriptor patches are read (core/analysis.ts descriptorPatchesFor).
   */
  analyse(image: ImagePayload, rule?: RoutingRule): Promise<AnalysisResult>;
  /** Tiled restoration with feathered blending; progress after every tile. Model 'none' returns the original pixels. */
  restore(image: ImagePayload, model: ModelChoice, onProgress: (progress: RestoreProgress) => void): Promise<RestoreResult>;
}
