import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseImage } from '../../src/core/analysis';
import { degrade } from '../../src/core/degradations/registry';
import { generateTestScene } from '../../src/core/degradations/test-scenes';
import { toRgba8, type RgbImage } from '../../src/core/image';
import { createFeatureExtractor } from '../../src/cli/onnx/descriptor';
import { ortCentredGram, restoreImageTo8Bit } from '../../src/cli/onnx/ort-node';
import { buildSyntheticZoo, type Zoo } from '../../e2e/fixtures/synthetic-zoo';
import type { Backend, ImagePayload, RestoreProgress, WorkerSettings } from './contract';
import { createEngine, type EngineHost, type InferenceEngine, type SessionLike } from './engine';

/**
 * The worker engine on onnxruntime-node: the same code the browser runs, checked against the CLI's
 * own analysis and restoration on the same models (the browser ↔ Node check is e2e/worker-*.spec.ts).
 */
interface FakeGpu {
  /** 'refuse': WebGPU session creation throws; number: WebGPU runs throw from that call on. */
  webgpu?: 'refuse' | number;
}

function nodeHost(gpu: FakeGpu = {}): EngineHost & { created: Backend[]; threads: number[]; maxOverlap: number } {
  let webgpuRuns = 0;
  let active = 0;
  const host = {
    maxOverlap: 0,
    created: [] as Backend[],
    threads: [] as number[],
    async createSession(bytes: Uint8Array, backend: Backend): Promise<SessionLike> {
      host.created.push(backend);
      if (backend === 'webgpu' && gpu.webgpu === 'refuse') throw new Error('no WebGPU kernel for Conv');
      const session = await ort.InferenceSession.create(bytes);
      const failFrom = backend === 'webgpu' && typeof gpu.webgpu === 'number' ? gpu.webgpu : Number.POSITIVE_INFINITY;
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        tensor: (data, dims) => new ort.Tensor('float32', data, [...dims]),
        release: () => session.release(),
        run: (feeds, fetches) => {
          if (backend === 'webgpu' && ++webgpuRuns >= failFrom) return Promise.reject(new Error('GPUDevice was lost'));
          host.maxOverlap = Math.max(host.maxOverlap, ++active);
          const result = session.run(feeds as Record<string, ort.Tensor>, fetches) as unknown as ReturnType<SessionLike['run']>;
          return result.finally(() => active--);
        },
      };
    },
    detectBackend: async () => ({
      backend: (gpu.webgpu !== undefined ? 'webgpu' : 'wasm') as Backend,
      reason: 'test',
      crossOriginIsolated: true,
      wasmThreads: 2,
    }),
    setWasmThreads: (n: number) => void host.threads.push(n),
    now: () => performance.now(),
  };
  return host;
}

const settings: WorkerSettings = { preferWebgpu: false, wasmThreads: 2, tile: 32, overlap: 8 };

function payloadOf(image: RgbImage, alpha?: Uint8Array): ImagePayload {
  return { width: image.width, height: image.height, rgba: toRgba8(image, alpha) };
}

function buffers(zoo: Zoo): Record<string, ArrayBuffer> {
  return Object.fromEntries(Object.entries(zoo.files).map(([k, v]) => [k, v.slice().buffer]));
}

let zoo: Zoo;
let engines: InferenceEngine[] = [];

async function engineFor(host: EngineHost, overrides: Partial<WorkerSettings> = {}) {
  const engine = createEngine(host);
  engines.push(engine);
  await engine.configure(zoo.manifest, buffers(zoo), { ...settings, ...overrides });
  return engine;
}

/** A degraded 8-bit scene: what a user's photo is, and what the CLI reads from a PNG. */
function photo(width: number, height: number, seed = 5): RgbImage {
  return degrade(generateTestScene({ width, height, seed }), 'gaussian_noise', seed).image;
}

async function cliRestore(file: string, image: RgbImage): Promise<Uint8ClampedArray> {
  const session = await ort.InferenceSession.create(zoo.files[file]);
  const restored = await restoreImageTo8Bit(session, image, { tile: settings.tile, overlap: settings.overlap });
  await session.release();
  return toRgba8(restored);
}

beforeAll(async () => {
  zoo = await buildSyntheticZoo();
});

afterAll(async () => {
  for (const e of engines) await e.dispose();
  engines = [];
});

describe('inference engine (worker logic) on onnxruntime-node', () => {
  it('analyses exactly like the CLI (grids select)', async () => {
    const host = nodeHost();
    const engine = await engineFor(host);
    const image = photo(80, 72);
    const ours = await engine.analyse(payloadOf(image));

    const session = await ort.InferenceSession.create(zoo.files[zoo.manifest.descriptor.file]);
    const cli = await analyseImage(image, zoo.manifest, createFeatureExtractor(session, zoo.manifest.descriptor.layer), { gram: ortCentredGram() });
    await session.release();

    expect(ours.chosen).toBe(cli.selection.chosen);
    expect(ours.chosenDistance).toBeCloseTo(cli.selection.chosenDistance, 10);
    expect(ours.groups.map((g) => g.id)).toEqual(cli.selection.groups.map((g) => g.id));
    ours.degradations.forEach((d, i) => expect(d.distance).toBeCloseTo(cli.selection.degradations[i].distance, 10));
    expect(ours.ggd).toEqual(cli.statistic.ggd);
    expect(ours.automatic).toEqual(cli.automatic);
    expect(ours.oodThreshold).toBe(zoo.manifest.selection.oodThreshold);
    expect(ours.backend).toBe('wasm');
    expect(ours.milliseconds).toBeGreaterThan(0);
    expect(host.threads).toEqual([2]);
  });

  it('rejects an image smaller than the descriptor patch in the user\'s terms', async () => {
    const engine = await engineFor(nodeHost());
    await expect(engine.analyse(payloadOf(photo(12, 40)))).rejects.toThrow(/too small to analyse: it needs at least 16×16 pixels/);
  });

  it('restores exactly like the CLI (grids restore), with progress and ETA after every tile', async () => {
    const engine = await engineFor(nodeHost());
    const image = photo(70, 50);
    const progress: RestoreProgress[] = [];
    const result = await engine.restore(payloadOf(image), { kind: 'group', id: 'group-1' }, (p) => progress.push(p));
    expect(result.rgba).toEqual(await cliRestore('group-1.onnx', image));
    expect(result).toMatchObject({ width: 70, height: 50, model: { kind: 'group', id: 'group-1' }, backend: 'wasm' });
    expect(result.fallbackReason).toBeUndefined();
    expect(result.tiles).toBe(progress.at(-1)!.total);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: result.tiles + 1 }, (_, i) => i));
    expect(progress[0].etaMs).toBeNull();
    expect(progress.at(-1)!.etaMs).toBe(0);
    for (const p of progress.slice(1)) expect(p.etaMs).toBeGreaterThanOrEqual(0);

    const baseline = await engine.restore(payloadOf(image), { kind: 'baseline' }, () => undefined);
    expect(baseline.rgba).toEqual(await cliRestore('baseline.onnx', image));
    await expect(engine.restore(payloadOf(image), { kind: 'group', id: 'nope' }, () => undefined)).rejects.toThrow(/unknown model group "nope"/);
  });

  it('passes alpha through and keeps a grayscale photo grayscale', async () => {
    const engine = await engineFor(nodeHost());
    const colour = photo(40, 40, 9);
    const gray = { ...colour, data: colour.data.map((_, i, d) => d[i - (i % 3)]) };
    const alpha = Uint8Array.from({ length: 40 * 40 }, (_, i) => (i * 7) % 256);
    const result = await engine.restore(payloadOf(gray, alpha), { kind: 'group', id: 'group-2' }, () => undefined);
    for (let p = 0; p < 40 * 40; p++) {
      const [r, g, b, a] = result.rgba.subarray(p * 4, p * 4 + 4);
      expect(g).toBe(r);
      expect(b).toBe(r);
      expect(a).toBe(alpha[p]);
    }
    // a colour photo stays colour
    const coloured = await engine.restore(payloadOf(colour, alpha), { kind: 'group', id: 'group-2' }, () => undefined);
    expect(coloured.rgba.some((v, i) => i % 4 === 0 && v !== coloured.rgba[i + 1])).toBe(true);
  });

  it('falls back to wasm when WebGPU cannot create a session, and says why', async () => {
    const host = nodeHost({ webgpu: 'refuse' });
    const engine = await engineFor(host, { preferWebgpu: true });
    const image = photo(40, 40);
    const result = await engine.restore(payloadOf(image), { kind: 'group', id: 'group-1' }, () => undefined);
    expect(result.backend).toBe('wasm');
    expect(result.fallbackReason).toMatch(/WebGPU could not load group-1\.onnx \(no WebGPU kernel for Conv\)/);
    expect(result.rgba).toEqual(await cliRestore('group-1.onnx', image));
    const analysis = await engine.analyse(payloadOf(image));
    expect(analysis.backend).toBe('wasm');
  });

  it('finishes on wasm when WebGPU fails mid-run, and stays there', async () => {
    const host = nodeHost({ webgpu: 3 });
    const engine = await engineFor(host, { preferWebgpu: true });
    const image = photo(70, 50);
    const progress: RestoreProgress[] = [];
    const result = await engine.restore(payloadOf(image), { kind: 'group', id: 'group-1' }, (p) => progress.push(p));
    expect(result.backend).toBe('wasm');
    expect(result.fallbackReason).toMatch(/WebGPU stopped working \(GPUDevice was lost\)/);
    expect(result.tiles).toBeGreaterThan(3);
    expect(progress.at(-1)!.done).toBe(result.tiles);
    // the fake "GPU" computes like the CPU here, so the mixed run equals the CLI's
    expect(result.rgba).toEqual(await cliRestore('group-1.onnx', image));
    expect(host.created).toEqual(['webgpu', 'wasm']);

    const again = await engine.analyse(payloadOf(image));
    expect(again.backend).toBe('wasm');
    expect(host.created.filter((b) => b === 'webgpu')).toHaveLength(1);
  });

  it('uses WebGPU when it works', async () => {
    const host = nodeHost({ webgpu: Number.POSITIVE_INFINITY });
    const engine = await engineFor(host, { preferWebgpu: true });
    const result = await engine.restore(payloadOf(photo(40, 40)), { kind: 'baseline' }, () => undefined);
    expect(result.backend).toBe('webgpu');
    expect(result.fallbackReason).toBeUndefined();
    expect((await engine.analyse(payloadOf(photo(40, 40)))).backend).toBe('webgpu');
  });

  it('caches sessions per model file and backend across calls and reconfigures', async () => {
    const host = nodeHost();
    const engine = await engineFor(host);
    const image = payloadOf(photo(40, 40));
    await engine.restore(image, { kind: 'group', id: 'group-1' }, () => undefined);
    await engine.restore(image, { kind: 'group', id: 'group-1' }, () => undefined);
    expect(host.created).toHaveLength(1);
    await engine.configure(zoo.manifest, buffers(zoo), { ...settings, tile: 24 });
    await engine.restore(image, { kind: 'group', id: 'group-1' }, () => undefined);
    expect(host.created).toHaveLength(1);
    // new bytes for the file: a new session
    await engine.configure(zoo.manifest, { 'group-1.onnx': zoo.files['group-2.onnx'].slice().buffer }, settings);
    await engine.restore(image, { kind: 'group', id: 'group-1' }, () => undefined);
    expect(host.created).toHaveLength(2);
  });

  it('never overlaps model runs, even when analyse() and restore() are called together', async () => {
    const host = nodeHost();
    const engine = await engineFor(host);
    const image = photo(96, 96);
    const [restored, analysed] = await Promise.all([
      engine.restore(payloadOf(image), { kind: 'group', id: 'group-1' }, () => undefined),
      engine.analyse(payloadOf(image)),
    ]);
    expect(restored.rgba).toEqual(await cliRestore('group-1.onnx', image));
    expect(analysed.chosen).toMatch(/^group-/);
    expect(host.maxOverlap).toBe(1);
  });

  it('asks for configure() first', async () => {
    const engine = createEngine(nodeHost());
    await expect(engine.analyse(payloadOf(photo(40, 40)))).rejects.toThrow(/not loaded yet/);
  });
});
