/// <reference lib="webworker" />
/**
 * Test-only worker of the e2e harness (never in the app build), built with the worker's own
 * onnxruntime-web setup (ort-web.ts) and tile runner (engine.ts):
 * - restoreFloat: one restorer over an image, float output before quantisation, so WebGPU and
 *   wasm can be compared to 1e-3 (the app's 8-bit output cannot show that);
 * - bareTiles: a bare onnxruntime-web session over the same tiles (tensors prepared beforehand,
 *   only session.run timed), the yardstick for the app's overhead in `npm run bench:web`;
 * - restoreLosingDevice: the worker's engine restoring on WebGPU while the GPU device is destroyed
 *   after a few tiles (a real device loss), to check that it finishes on wasm and says why.
 */
import * as Comlink from 'comlink';
import { cropImage, fromRgba8, toPlanar } from '../../src/core/image';
import { runTiled } from '../../src/core/tiled-inference';
import { planTiles } from '../../src/core/tiling';
import type { Backend } from '../../workers/inference/contract';
import { createEngine, runRestorer, type EngineHost } from '../../workers/inference/engine';
import { parseManifest } from '../../src/core/manifest';
import { webHost } from '../../workers/inference/ort-web';
import { timed } from './timing';

interface Pixels {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

const api = {
  async restoreFloat(model: ArrayBuffer, backend: Backend, image: Pixels, tile: number, overlap: number, threads: number) {
    webHost.setWasmThreads(threads);
    const session = await webHost.createSession(new Uint8Array(model), backend);
    try {
      const out = await runTiled(fromRgba8(image.rgba, image.width, image.height), (t) => runRestorer(session, t), { tile, overlap });
      return out.data;
    } finally {
      await session.release();
    }
  },

  /** Milliseconds of each timed pass over all tiles (after one warm-up pass). */
  async bareTiles(model: ArrayBuffer, backend: Backend, image: Pixels, tile: number, overlap: number, threads: number, runs: number) {
    webHost.setWasmThreads(threads);
    const session = await webHost.createSession(new Uint8Array(model), backend);
    const rgb = fromRgba8(image.rgba, image.width, image.height);
    const inputs = planTiles(image.width, image.height, { tile, overlap }).map((t) => ({
      data: toPlanar(cropImage(rgb, t.x, t.y, t.w, t.h)),
      dims: [1, 3, t.h, t.w],
    }));
    const pass = async () => {
      for (const input of inputs) await session.run({ input: session.tensor(input.data, input.dims) }, ['output']);
    };
    try {
      return { times: await timed(pass, runs), tiles: inputs.length };
    } finally {
      await session.release();
    }
  },

  /**
   * Per model, milliseconds of each timed session.run on fixed inputs. The models take turns, one
   * run each per round after a warm-up round, so that a slow spell of a shared machine falls on all
   * of them alike.
   */
  async timeModels(models: { bytes: ArrayBuffer; inputs: { name: string; dims: number[] }[]; output: string }[], backend: Backend, threads: number, runs: number) {
    webHost.setWasmThreads(threads);
    const sessions: Awaited<ReturnType<typeof webHost.createSession>>[] = [];
    const runners: (() => Promise<unknown>)[] = [];
    try {
      for (const model of models) {
        const session = await webHost.createSession(new Uint8Array(model.bytes), backend);
        sessions.push(session);
        const feeds = model.inputs.map(({ name, dims }) => {
          const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
          for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000; // image-like values in [0, 1), as bench-web's Node side
          return { name, data, dims };
        });
        const run = () => session.run(Object.fromEntries(feeds.map((f) => [f.name, session.tensor(f.data, f.dims)])), [model.output]);
        await run();
        runners.push(run);
      }
      const times: number[][] = models.map(() => []);
      for (let r = 0; r < runs; r++) {
        for (const [i, run] of runners.entries()) {
          const start = performance.now();
          await run();
          times[i].push(performance.now() - start);
        }
      }
      return times;
    } finally {
      for (const session of sessions) await session.release();
    }
  },

  /** The worker's engine restoring on wasm, with the time spent inside session.run measured apart. */
  async engineBreakdown(manifestJson: unknown, models: Record<string, ArrayBuffer>, image: Pixels, group: string, tile: number, overlap: number, threads: number, runs: number) {
    let inRun = 0;
    const host: EngineHost = {
      ...webHost,
      async createSession(bytes, backend) {
        const session = await webHost.createSession(bytes, backend);
        return {
          ...session,
          async run(feeds, fetches) {
            const start = performance.now();
            try {
              return await session.run(feeds, fetches);
            } finally {
              inRun += performance.now() - start;
            }
          },
        };
      },
    };
    const engine = createEngine(host);
    await engine.configure(parseManifest(manifestJson), models, { preferWebgpu: false, wasmThreads: threads, tile, overlap });
    const restore = () => engine.restore(image, { kind: 'group', id: group });
    await restore();
    const rows: { total: number; inRun: number }[] = [];
    for (let r = 0; r < runs; r++) {
      inRun = 0;
      const start = performance.now();
      await restore();
      rows.push({ total: performance.now() - start, inRun });
    }
    await engine.dispose();
    return rows;
  },

  async restoreLosingDevice(manifestJson: unknown, models: Record<string, ArrayBuffer>, image: Pixels, group: string, afterTiles: number, tile: number, overlap: number) {
    const engine = createEngine(webHost);
    await engine.configure(parseManifest(manifestJson), models, { preferWebgpu: true, wasmThreads: navigator.hardwareConcurrency, tile, overlap });
    const ort = await import('onnxruntime-web/webgpu');
    let lost = false;
    const result = await engine.restore(image, { kind: 'group', id: group }, (p) => {
      if (p.done === afterTiles) {
        (ort.env.webgpu.device as unknown as { destroy(): void } | undefined)?.destroy();
        lost = true;
      }
    });
    await engine.dispose();
    return Comlink.transfer({ ...result, lost }, [result.rgba.buffer]);
  },
};

export type ProbeWorkerApi = typeof api;

if (!self.name?.startsWith('em-pthread')) Comlink.expose(api);
