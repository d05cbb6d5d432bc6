/**
 * The inference worker's logic, written against a minimal onnxruntime interface so that the very
 * same code runs in the browser worker (onnxruntime-web, see ort-web.ts) and in vitest on
 * onnxruntime-node (engine.test.ts). It mirrors the CLI (src/cli/onnx/descriptor.ts and
 * ort-node.ts): the same core analysis, the same core tiling, the same tensor layouts.
 */
import { analyseImage, routerOnPatches, type RouterRunner, type RouterSession } from '../../src/core/analysis';
import { PATCH_FEATURE_COUNT } from '../../src/core/router/patch-features';
import { ROUTER_INPUT, ROUTER_OUTPUT } from '../../src/core/router/router';
import { analysisResultOf } from './analysis-result';
import { CENTRED_GRAM_INPUT, CENTRED_GRAM_ONNX, CENTRED_GRAM_OUTPUT } from '../../src/core/centred-gram-onnx';
import type { FeatureExtractor, GramComputer } from '../../src/core/ddr-protocol';
import type { Manifest } from '../../src/core/manifest';
import { modelFor } from '../../src/core/model-files';
import { runTiled } from '../../src/core/tiled-inference';
import type { RgbImage } from '../../src/core/image';
import type {
  Backend,
  BackendReport,
  ImagePayload,
  InferenceWorkerApi,
  ModelChoice,
  RestoreProgress,
  RestoreResult,
  WorkerSettings,
} from './contract';
import { decodePayload, encodeRestored, INPUT_NAME, OUTPUT_NAME, packBatch, progressOf, reasonOf, restorationInput, sameBytes, unpackImage } from './pixels';

/** The slice of onnxruntime's Tensor the engine uses (onnxruntime-web and -node both fit). */
export interface TensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}

export interface SessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** A float32 tensor of this session's runtime (ort.Tensor). */
  tensor(data: Float32Array, dims: readonly number[]): TensorLike;
  run(feeds: Record<string, TensorLike>, fetches: string[]): Promise<Record<string, TensorLike>>;
  release(): Promise<void>;
}

export interface EngineHost {
  /** One session for one model on one execution provider. */
  createSession(bytes: Uint8Array, backend: Backend): Promise<SessionLike>;
  detectBackend(): Promise<BackendReport>;
  /** Applies settings.wasmThreads (onnxruntime-web reads it when its wasm starts, i.e. before the first session). */
  setWasmThreads(threads: number): void;
  now(): number;
  /** Called once after the first WebGPU session exists, with a callback for a later device loss. */
  watchWebgpu?(onLost: (reason: string) => void): void;
}

interface CachedSession {
  session: SessionLike;
  backend: Backend;
  /** Why this is not WebGPU although WebGPU was preferred (and is available). */
  fallbackReason?: string;
}

export type ProgressCallback = (progress: RestoreProgress) => void;

export interface InferenceEngine extends InferenceWorkerApi {
  restore(image: ImagePayload, model: ModelChoice, onProgress?: ProgressCallback): Promise<RestoreResult>;
  /** Frees every session (tests; the browser simply terminates the worker). */
  dispose(): Promise<void>;
}

/** Adds up the time spent inside the async functions it wraps (each call, whether it succeeds or throws). */
function stopwatch(now: () => number) {
  const watch = {
    milliseconds: 0,
    wrap<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
      return async (...args) => {
        const start = now();
        try {
          return await fn(...args);
        } finally {
          watch.milliseconds += now() - start;
        }
      };
    },
  };
  return watch;
}

/** The key of the built-in centred-Gram graph among the model files (no manifest file has this name). */
const CENTRED_GRAM_KEY = '<centred-gram>';

export function createEngine(host: EngineHost): InferenceEngine {
  let manifest: Manifest | null = null;
  let settings: WorkerSettings | null = null;
  const models = new Map<string, Uint8Array>([[CENTRED_GRAM_KEY, CENTRED_GRAM_ONNX]]);
  /** Sessions by `${file}|${backend}`; a promise so concurrent calls share one creation. */
  const sessions = new Map<string, Promise<SessionLike>>();
  let report: Promise<BackendReport> | null = null;
  /** Set once WebGPU failed at run time (device lost, execution error): every later call uses wasm. */
  let webgpuBroken: string | null = null;
  /** WebGPU session creation failures, per model file. */
  const webgpuRefused = new Map<string, string>();
  let watching = false;

  const detect = () => (report ??= host.detectBackend());

  /**
   * One model run at a time: onnxruntime-web does not allow overlapping runs (its Asyncify build in
   * particular), and an analyse() arriving during a restore() then interleaves tile by tile.
   */
  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  }

  function configured(): { manifest: Manifest; settings: WorkerSettings } {
    if (!manifest || !settings) throw new Error('the models are not loaded yet (configure() was not called)');
    return { manifest, settings };
  }

  function sessionFor(file: string, backend: Backend): Promise<SessionLike> {
    const key = `${file}|${backend}`;
    let session = sessions.get(key);
    if (!session) {
      const bytes = models.get(file);
      if (!bytes) return Promise.reject(new Error(`the model file "${file}" was not loaded; reload the models`));
      session = host.createSession(bytes, backend);
      sessions.set(key, session);
      session.catch(() => sessions.delete(key));
    }
    return session;
  }

  function releaseWhere(match: (key: string) => boolean): void {
    for (const [key, session] of [...sessions]) {
      if (!match(key)) continue;
      sessions.delete(key);
      // Through the run queue, so a run already under way finishes first.
      void session.then((s) => exclusive(() => s.release())).catch(() => undefined);
    }
  }

  function markWebgpuBroken(reason: string): void {
    if (webgpuBroken) return;
    webgpuBroken = `WebGPU stopped working (${reason}); continuing with WebAssembly.`;
    releaseWhere((key) => key.endsWith('|webgpu'));
  }

  /** The session to use for a file: WebGPU when preferred and working, else wasm, with the reason. */
  async function acquire(file: string): Promise<CachedSession> {
    const { settings } = configured();
    let fallbackReason: string | undefined;
    if (settings.preferWebgpu) {
      const detected = await detect();
      if (detected.backend === 'webgpu') {
        fallbackReason = webgpuBroken ?? webgpuRefused.get(file);
        if (!fallbackReason) {
          try {
            const session = await sessionFor(file, 'webgpu');
            if (!watching && host.watchWebgpu) {
              watching = true;
              host.watchWebgpu(markWebgpuBroken);
            }
            return { session, backend: 'webgpu' };
          } catch (error) {
            fallbackReason = `WebGPU could not load ${file} (${reasonOf(error)}); using WebAssembly.`;
            webgpuRefused.set(file, fallbackReason);
          }
        }
      }
    }
    return { session: await sessionFor(file, 'wasm'), backend: 'wasm', fallbackReason };
  }

  /**
   * Runs `work` on the file's session; when it fails on WebGPU, marks WebGPU broken and runs it
   * again on a fresh wasm session. `current` carries the backend actually used.
   */
  function resilient(file: string) {
    let current: CachedSession | null = null;
    return {
      get current() {
        return current;
      },
      async run<T>(work: (session: SessionLike) => Promise<T>): Promise<T> {
        current ??= await acquire(file);
        if (current.backend === 'webgpu' && webgpuBroken) current = await onWasm();
        try {
          return await exclusive(() => work(current!.session));
        } catch (error) {
          if (current.backend !== 'webgpu') throw error;
          markWebgpuBroken(reasonOf(error));
          current = await onWasm();
          return await exclusive(() => work(current!.session));
        }
      },
    };
    async function onWasm(): Promise<CachedSession> {
      return { session: await sessionFor(file, 'wasm'), backend: 'wasm', fallbackReason: webgpuBroken ?? undefined };
    }
  }

  const api: InferenceEngine = {
    detectBackend: () => detect(),

    async configure(nextManifest, files, nextSettings) {
      const previous = settings;
      for (const [file, buffer] of Object.entries(files)) {
        const bytes = new Uint8Array(buffer);
        const old = models.get(file);
        if (old && !sameBytes(old, bytes)) {
          releaseWhere((key) => key.startsWith(`${file}|`));
          webgpuRefused.delete(file);
        }
        models.set(file, bytes);
      }
      if (previous && previous.preferWebgpu && !nextSettings.preferWebgpu) releaseWhere((key) => key.endsWith('|webgpu'));
      manifest = nextManifest;
      settings = { ...nextSettings };
      host.setWasmThreads(Math.max(1, Math.floor(nextSettings.wasmThreads) || 1));
    },

    async analyse(payload, rule) {
      const { manifest } = configured();
      const started = host.now();
      const { image } = decodePayload(payload);
      const spec = manifest.descriptor;
      const descriptor = resilient(spec.file);
      // Each part's time inside the analysis, for bench:web's breakdown.
      const descriptorTime = stopwatch(() => host.now());
      const gramTime = stopwatch(() => host.now());
      const routerTime = stopwatch(() => host.now());
      const extract: FeatureExtractor = descriptorTime.wrap((patches) => descriptor.run((session) => runFeatures(session, patches, spec.featureOutput)));
      // The DDR statistic's Gram matrix on onnxruntime's GEMM, as the CLI computes it (ort-node.ts),
      // on the backend the descriptor uses (so WebGPU users never load the second, wasm-only runtime).
      const centredGram = resilient(CENTRED_GRAM_KEY);
      const gram: GramComputer = gramTime.wrap((stack, rows, cols) =>
        centredGram.run(async (session) => {
          const out = await runFloat(session, stack, [rows, cols], CENTRED_GRAM_OUTPUT, CENTRED_GRAM_INPUT);
          const values = out.data as Float32Array;
          out.dispose?.();
          return values;
        }));
      const routerSpec = manifest.router;
      const routerSession: RouterSession | undefined = routerSpec && ((features) =>
        resilient(routerSpec.file).run(async (session) => {
          const out = await runFloat(session, features, [1, features.length / PATCH_FEATURE_COUNT, PATCH_FEATURE_COUNT], ROUTER_OUTPUT, ROUTER_INPUT);
          const values = (out.data as Float32Array).slice();
          out.dispose?.();
          return values;
        }));
      // Timed whole: the patch features, the tone cues and the session run.
      const router: RouterRunner | undefined = routerSession && routerTime.wrap(routerOnPatches(routerSession));
      const { statistic, selection, routerInput, automatic } = await analyseImage(image, manifest, extract, { gram, router, rule });
      return analysisResultOf({ statistic, selection, routerInput, automatic }, manifest, {
        backend: descriptor.current?.backend ?? 'wasm',
        milliseconds: host.now() - started,
        descriptorMilliseconds: descriptorTime.milliseconds,
        gramMilliseconds: gramTime.milliseconds,
        routerMilliseconds: routerTime.milliseconds,
      });
    },

    async restore(payload, choice, onProgress) {
      const { manifest, settings } = configured();
      const started = host.now();
      if (choice.kind === 'none') {
        // "No damage": the original pixels, untouched (alpha included).
        onProgress?.(progressOf(1, 1, 0));
        return { width: payload.width, height: payload.height, rgba: payload.rgba.slice(), model: choice, backend: 'wasm', tiles: 0, milliseconds: host.now() - started };
      }
      const file = modelFor(manifest, choice).file;
      const { source, alpha, grayscale } = restorationInput(payload);
      const model = resilient(file);
      let tiles = 0;
      const restored = await runTiled(
        source,
        (tile) => model.run((session) => runRestorer(session, tile)),
        {
          tile: settings.tile,
          overlap: settings.overlap,
          onProgress: (done, total) => {
            tiles = total;
            onProgress?.(progressOf(done, total, host.now() - started));
          },
        },
      );
      const encoded = encodeRestored(restored, alpha, grayscale);
      const current = model.current;
      const result: RestoreResult = {
        ...encoded,
        model: choice,
        backend: current?.backend ?? 'wasm',
        tiles,
        milliseconds: host.now() - started,
      };
      if (current?.fallbackReason) result.fallbackReason = current.fallbackReason;
      return result;
    },

    async dispose() {
      const all = [...sessions.values()];
      sessions.clear();
      for (const s of all) await s.then((x) => x.release()).catch(() => undefined);
    },
  };
  return api;
}

async function runFloat(session: SessionLike, data: Float32Array, dims: readonly number[], output: string, preferredInput = INPUT_NAME): Promise<TensorLike> {
  const input = session.tensor(data, dims);
  const inputName = session.inputNames.includes(preferredInput) ? preferredInput : session.inputNames[0];
  const results = await session.run({ [inputName]: input }, [output]);
  input.dispose?.();
  const out = results[output];
  if (!out) throw new Error(`the model has no "${output}" output`);
  return out;
}

/** The descriptor on a batch of equal-size crops: one flattened feature row per crop (as src/cli/onnx/descriptor.ts). */
export async function runFeatures(
  session: SessionLike,
  patches: readonly RgbImage[],
  output: string,
): Promise<{ rows: Float32Array; cols: number }> {
  const batch = packBatch(patches);
  const features = await runFloat(session, batch.data, batch.dims, output);
  const rows = features.data as Float32Array;
  features.dispose?.();
  return { rows, cols: rows.length / patches.length };
}

/** A restorer on one tile, batch 1 (as src/cli/onnx/ort-node.ts runOnImage). */
export async function runRestorer(session: SessionLike, tile: RgbImage): Promise<RgbImage> {
  const input = packBatch([tile]);
  const out = await runFloat(session, input.data, input.dims, OUTPUT_NAME);
  const result = unpackImage(out.data as Float32Array, out.dims);
  out.dispose?.();
  return result;
}
