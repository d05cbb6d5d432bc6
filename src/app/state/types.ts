import type { AnalysisResult, Backend, ModelChoice, RestoreProgress } from '../inference/client';
import type { ImageFormat } from '../features/import/image-header';
import type { RoutingRuleSetting } from '../features/analysis/decision';

export type DecodeState =
  | { status: 'decoding' }
  | { status: 'ready'; width: number; height: number; format: ImageFormat; hasAlpha: boolean; grayscale: boolean; animated: boolean; thumbnailUrl: string }
  | { status: 'error'; message: string };

export type AnalysisState =
  | { status: 'idle' | 'queued' | 'running' | 'cancelled' }
  | { status: 'done'; result: AnalysisResult }
  | { status: 'error'; message: string };

/** What a finished restoration reports; its pixels live in the pixel store (state/pixels.ts). */
export interface RestoreSummary {
  model: ModelChoice;
  backend: Backend;
  fallbackReason?: string;
  tiles: number;
  milliseconds: number;
  width: number;
  height: number;
  /** Object URL of the PNG, for the download link. */
  downloadUrl: string;
  downloadName: string;
}

export type RestoreState =
  | { status: 'idle' | 'cancelled' }
  | { status: 'queued'; model: ModelChoice | null }
  | { status: 'running'; model: ModelChoice; progress: RestoreProgress | null }
  | { status: 'done'; result: RestoreSummary }
  | { status: 'error'; message: string };

/** The two restorations of an image: GRIDS (a group's model) and, to compare, the mix baseline. */
export type RestoreKind = 'grids' | 'baseline';

export interface ImageItem {
  id: string;
  name: string;
  bytes: number;
  decode: DecodeState;
  analysis: AnalysisState;
  restore: Record<RestoreKind, RestoreState>;
  /** The model the user picked instead of the routing decision's (a group, or keeping the original); null = automatic. */
  override: ModelChoice | null;
}

export interface Settings {
  /** Try WebGPU before wasm. */
  preferWebgpu: boolean;
  /** Restoration tile side and overlap, in pixels. */
  tile: number;
  overlap: number;
  /** Also run the mix baseline whenever an image is restored, to compare. */
  alsoBaseline: boolean;
  /** Which rule picks the default model: 'auto' is the manifest's default (the learned router where it ships one). */
  routingRule: RoutingRuleSetting;
}
