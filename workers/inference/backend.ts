/**
 * Which onnxruntime-web execution provider this context can use. WebGPU needs both the API and an
 * adapter: headless Chromium exposes `navigator.gpu` but returns no adapter unless started with
 * --enable-unsafe-webgpu, and that is exactly the case that must fall back to wasm.
 */
export type Backend = 'webgpu' | 'wasm';

export interface BackendReport {
  backend: Backend;
  /** Why this backend: shown to the user so a fallback is never silent. */
  reason: string;
  /** Adapter description when WebGPU is available. */
  adapter?: string;
  crossOriginIsolated: boolean;
  /** Threads the wasm backend would use (1 when the page is not cross-origin isolated). */
  wasmThreads: number;
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null>;
}

export async function detectBackend(scope: {
  navigator: { gpu?: unknown; hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
}): Promise<BackendReport> {
  const isolated = scope.crossOriginIsolated === true;
  const cores = scope.navigator.hardwareConcurrency ?? 1;
  const wasmThreads = isolated ? Math.max(1, cores) : 1;
  const gpu = scope.navigator.gpu as GpuLike | undefined;
  const base = { crossOriginIsolated: isolated, wasmThreads };
  if (!gpu) return { ...base, backend: 'wasm', reason: 'This browser has no WebGPU; using WebAssembly.' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ...base, backend: 'wasm', reason: 'WebGPU found no usable GPU adapter; using WebAssembly.' };
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
    return { ...base, backend: 'webgpu', reason: 'WebGPU adapter available.', adapter: name };
  } catch (error) {
    return { ...base, backend: 'wasm', reason: `WebGPU failed to start (${String(error)}); using WebAssembly.` };
  }
}
