/// <reference lib="webworker" />
/**
 * onnxruntime-web for the inference worker: two runtimes, each loaded only when first used.
 *
 * - WebGPU: `onnxruntime-web/webgpu`, whose WebGPU execution provider runs every op of our models
 *   on the GPU (the default import's older EP sends PRelu to the CPU). Its wasm is an Asyncify
 *   build.
 * - wasm: `onnxruntime-web/wasm`, the plain SIMD + threads build: its CPU kernels run 5–10 %
 *   faster than the Asyncify build's (measured on our restorers in Chromium), and its runtime is
 *   14 MB instead of 26 MB. wasm is the path most users get (no WebGPU, or WebGPU failed).
 *
 * Both runtimes (.mjs glue + .wasm) are served by our own origin: the `?url` imports make Vite emit
 * them as hashed assets of the build and `env.wasm.wasmPaths` points onnxruntime at them, so
 * nothing is fetched from a CDN (offline PWA, CSP 'self'). Because the glue is loaded from its own
 * asset, onnxruntime's pthread workers load that file rather than our worker chunk
 * (inference.worker.ts still guards against the latter).
 */
import wasmGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import wasmBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import webgpuGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import webgpuBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { detectBackend } from './backend';
import type { Backend } from './contract';
import type { EngineHost, SessionLike, TensorLike } from './engine';

type Ort = typeof import('onnxruntime-web/wasm');

const absolute = (url: string) => new URL(url, self.location.href).href;

interface Runtime {
  ort: Ort;
  /** Whether a session exists (onnxruntime reads numThreads once, when its wasm starts). */
  started: boolean;
}

const runtimes = new Map<Backend, Promise<Runtime>>();
let wasmThreads = 1;

function runtime(backend: Backend): Promise<Runtime> {
  let loaded = runtimes.get(backend);
  if (!loaded) {
    loaded = (backend === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((ort: Ort) => {
      ort.env.wasm.wasmPaths =
        backend === 'webgpu'
          ? { wasm: absolute(webgpuBinaryUrl), mjs: absolute(webgpuGlueUrl) }
          : { wasm: absolute(wasmBinaryUrl), mjs: absolute(wasmGlueUrl) };
      // We already are in a worker: no extra proxy worker.
      ort.env.wasm.proxy = false;
      ort.env.wasm.numThreads = wasmThreads;
      return { ort, started: false };
    });
    runtimes.set(backend, loaded);
    loaded.catch(() => runtimes.delete(backend));
  }
  return loaded;
}

/** An onnxruntime session with a tensor factory of the same runtime (tensors must not cross runtimes). */
function wrap(ort: Ort, session: Awaited<ReturnType<Ort['InferenceSession']['create']>>): SessionLike {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    tensor: (data, dims) => new ort.Tensor('float32', data, dims),
    run: (feeds, fetches) => session.run(feeds as Parameters<typeof session.run>[0], fetches) as Promise<Record<string, TensorLike>>,
    release: () => session.release(),
  };
}

export const webHost: EngineHost = {
  async createSession(bytes, backend) {
    const rt = await runtime(backend);
    if (!rt.started) rt.ort.env.wasm.numThreads = wasmThreads;
    rt.started = true;
    const session = await rt.ort.InferenceSession.create(bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' });
    return wrap(rt.ort, session);
  },

  detectBackend: () => detectBackend(self),

  setWasmThreads(threads) {
    // Without cross-origin isolation there is no SharedArrayBuffer, hence one thread.
    wasmThreads = self.crossOriginIsolated ? threads : 1;
  },

  now: () => performance.now(),

  watchWebgpu(onLost) {
    void runtime('webgpu').then(({ ort }) => {
      const device = ort.env.webgpu.device as unknown as { lost?: Promise<{ message?: string; reason?: string }> } | undefined;
      void device?.lost?.then((info) => onLost(`device lost: ${(info?.message || info?.reason || 'no reason given').replace(/\.$/, '')}`));
    });
  },
};
