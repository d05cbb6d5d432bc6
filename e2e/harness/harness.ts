/**
 * Test-only page (never part of the app build): exposes the real inference client, hence the real
 * built worker with its real onnxruntime-web assets, to Playwright as `window.gridsHarness`.
 * Built by e2e/fixtures/harness-server.ts with e2e/fixtures/vite.harness.config.ts.
 */
import * as Comlink from 'comlink';
import { parseManifest } from '../../src/core/manifest';
import { createInferenceClient, type InferenceClient } from '../../workers/inference/client';
import type { Backend, ImagePayload } from '../../workers/inference/contract';
import type { ProbeWorkerApi } from './probe.worker';
import { timed } from './timing';

function fromBase64(text: string): ArrayBuffer {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function toBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** An image passed from the test process: size and base64 RGBA. */
export interface WireImage {
  width: number;
  height: number;
  rgba: string;
}

const harness = {
  createInferenceClient,
  parseManifest,
  fromBase64,
  toBase64,
  client: null as InferenceClient | null,
  /** A client configured with a manifest (JSON) and its model files (base64), all from the test. */
  async configure(manifestJson: unknown, models: Record<string, string>, settings: Parameters<InferenceClient['configure']>[2]) {
    harness.client?.terminate();
    const client = createInferenceClient();
    harness.client = client;
    const files = Object.fromEntries(Object.entries(models).map(([k, v]) => [k, fromBase64(v)]));
    await client.configure(parseManifest(manifestJson), files, settings);
    return client;
  },
  /** The benchmarks' timing (timing.ts), for functions that run in the page. */
  timed,
  image(wire: WireImage): ImagePayload {
    return { width: wire.width, height: wire.height, rgba: new Uint8ClampedArray(fromBase64(wire.rgba)) };
  },
  /** A test-only worker with the inference worker's onnxruntime setup (probe.worker.ts). */
  async probe<T>(work: (remote: Comlink.Remote<ProbeWorkerApi>, threads: number) => Promise<T>): Promise<T> {
    const worker = new Worker(new URL('./probe.worker.ts', import.meta.url), { type: 'module', name: 'grids-probe' });
    try {
      const threads = self.crossOriginIsolated ? navigator.hardwareConcurrency : 1;
      return await work(Comlink.wrap<ProbeWorkerApi>(worker), threads);
    } finally {
      worker.terminate();
    }
  },
  /** The float (unquantised) restoration of one model on one backend. */
  restoreFloat(model: string, backend: Backend, wire: WireImage, tile: number, overlap: number): Promise<number[]> {
    return harness.probe(async (remote, threads) => Array.from(await remote.restoreFloat(fromBase64(model), backend, harness.image(wire), tile, overlap, threads)));
  },
  /** A WebGPU restore whose GPU device is destroyed after `afterTiles` tiles (see probe.worker.ts). */
  restoreLosingDevice(manifestJson: unknown, models: Record<string, string>, wire: WireImage, group: string, afterTiles: number, tile: number, overlap: number) {
    const files = Object.fromEntries(Object.entries(models).map(([k, v]) => [k, fromBase64(v)]));
    return harness.probe(async (remote) => {
      const result = await remote.restoreLosingDevice(manifestJson, files, harness.image(wire), group, afterTiles, tile, overlap);
      return { ...result, rgba: toBase64(result.rgba) };
    });
  },
  /** The engine's restore time split into session.run and the rest (see probe.worker.ts). */
  engineBreakdown(manifestJson: unknown, models: Record<string, string>, wire: WireImage, group: string, tile: number, overlap: number, runs: number) {
    const files = Object.fromEntries(Object.entries(models).map(([k, v]) => [k, fromBase64(v)]));
    return harness.probe((remote, threads) => remote.engineBreakdown(manifestJson, files, harness.image(wire), group, tile, overlap, threads, runs));
  },
  /** Per model, timed session runs on fixed inputs of the given shapes (see probe.worker.ts). */
  timeModels(models: { bytes: string; inputs: { name: string; dims: number[] }[]; output: string }[], backend: Backend, runs: number) {
    return harness.probe((remote, threads) => remote.timeModels(models.map((m) => ({ ...m, bytes: fromBase64(m.bytes) })), backend, threads, runs));
  },
  /** Timed passes of a bare onnxruntime-web session over the image's tiles (see probe.worker.ts). */
  bareTiles(model: string, backend: Backend, wire: WireImage, tile: number, overlap: number, runs: number) {
    return harness.probe((remote, threads) => remote.bareTiles(fromBase64(model), backend, harness.image(wire), tile, overlap, threads, runs));
  },
};

declare global {
  interface Window {
    gridsHarness: typeof harness;
  }
}

window.gridsHarness = harness;
document.getElementById('harness-status')!.textContent = 'ready';
