import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest';
import { createInferenceClient, type WorkerLike } from './client';
import type { ImagePayload, InferenceWorkerApi, RestoreResult, WorkerSettings } from './contract';

/**
 * The client's lifecycle (lazy start, abort = terminate, fresh worker with the last configure
 * re-sent) against stand-in workers: comlink over a MessageChannel, in Node.
 */
interface FakeWorker {
  calls: string[];
  terminated: boolean;
  /** Resolves the pending analyse() call. */
  finishAnalyse?: () => void;
}

const manifest = { preset: 'test' } as unknown as Manifest;
const settings: WorkerSettings = { preferWebgpu: false, wasmThreads: 1, tile: 64, overlap: 8 };
const image: ImagePayload = { width: 1, height: 1, rgba: new Uint8ClampedArray([1, 2, 3, 4]) };
const ports: MessagePort[] = [];

function harness() {
  const workers: FakeWorker[] = [];
  const createWorker = (): WorkerLike => {
    const state: FakeWorker = { calls: [], terminated: false };
    workers.push(state);
    const api: InferenceWorkerApi = {
      detectBackend: async () => ({ backend: 'wasm', reason: 'fake', crossOriginIsolated: false, wasmThreads: 1 }),
      configure: async (m, models) => void state.calls.push(`configure:${m.preset}:${Object.keys(models).join(',')}`),
      analyse: () => {
        state.calls.push('analyse');
        return new Promise((resolve) => {
          state.finishAnalyse = () => resolve({ chosen: 'g1' } as never);
        });
      },
      async restore(img, model, onProgress) {
        state.calls.push(`restore:${model.kind}`);
        for (let done = 0; done <= 2; done++) await onProgress({ done, total: 2, elapsedMs: done, etaMs: done ? 2 - done : null });
        return { ...img, model, backend: 'wasm', tiles: 2, milliseconds: 1 } satisfies RestoreResult;
      },
    };
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    Comlink.expose(api, port2);
    return Object.assign(port1 as unknown as WorkerLike, {
      terminate() {
        state.terminated = true;
        port1.close();
        port2.close();
      },
    });
  };
  return { workers, client: createInferenceClient({ createWorker }) };
}

afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

describe('inference client', () => {
  it('starts its worker lazily and reports progress through a proxy', async () => {
    const { workers, client } = harness();
    expect(workers).toHaveLength(0);
    expect((await client.detectBackend()).backend).toBe('wasm');
    expect(workers).toHaveLength(1);
    const seen: number[] = [];
    const result = await client.restore(image, { kind: 'baseline' }, (p) => seen.push(p.done));
    expect(result.tiles).toBe(2);
    expect(seen).toEqual([0, 1, 2]);
    expect(workers).toHaveLength(1);
  });

  it('aborting terminates the worker with an AbortError; the next call gets a fresh, configured worker', async () => {
    const { workers, client } = harness();
    await client.configure(manifest, { 'g1.onnx': new ArrayBuffer(3) }, settings);
    const controller = new AbortController();
    const pending = client.analyse(image, undefined, controller.signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(workers[0].calls).toEqual(['configure:test:g1.onnx', 'analyse']);
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(workers[0].terminated).toBe(true);

    const next = client.analyse(image);
    await new Promise((r) => setTimeout(r, 20));
    expect(workers).toHaveLength(2);
    expect(workers[1].calls).toEqual(['configure:test:g1.onnx', 'analyse']);
    workers[1].finishAnalyse!();
    expect((await next).chosen).toBe('g1');
  });

  it('an already aborted signal rejects at once, without starting a worker', async () => {
    const { workers, client } = harness();
    const controller = new AbortController();
    controller.abort(new Error('user left'));
    const error = await client.detectBackend(controller.signal).catch((e: unknown) => e);
    expect((error as DOMException).name).toBe('AbortError');
    expect((error as DOMException).message).toContain('user left');
    expect(workers).toHaveLength(0);
  });

  it('configure on a running worker is sent once, and later calls wait for it', async () => {
    const { workers, client } = harness();
    await client.detectBackend();
    await client.configure(manifest, {}, settings);
    const seen: number[] = [];
    await client.restore(image, { kind: 'group', id: 'g1' }, (p) => seen.push(p.done));
    expect(workers[0].calls).toEqual(['configure:test:', 'restore:group']);
  });

  it('terminate() rejects what is pending and the next call starts over', async () => {
    const { workers, client } = harness();
    const pending = client.analyse(image);
    await new Promise((r) => setTimeout(r, 20));
    client.terminate();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await client.detectBackend();
    expect(workers).toHaveLength(2);
  });
});
