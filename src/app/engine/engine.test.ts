import { describe, expect, it, vi } from 'vitest';
import { fixtureManifest } from '../testing/fixture-manifest';
import { createEngine } from './engine';

const settings = { preferWebgpu: true, wasmThreads: 1, tile: 256, overlap: 16 };

describe('engine', () => {
  it('waits for the models, configures once, and again only when something changed', async () => {
    const configure = vi.fn(() => Promise.resolve());
    const engine = createEngine({ configure });
    const manifest = fixtureManifest();
    const models = { 'a.onnx': new ArrayBuffer(4) };
    const waiting = engine.ready(new AbortController().signal);
    expect(engine.manifest()).toBeNull();
    engine.setInput({ status: 'ready', manifest, models, settings });
    expect(engine.manifest()).toBe(manifest);
    expect(await waiting).toBe(manifest);
    await engine.ready(new AbortController().signal);
    engine.setInput({ status: 'ready', manifest, models: { ...models }, settings: { ...settings } }); // equal
    await engine.ready(new AbortController().signal);
    expect(configure).toHaveBeenCalledTimes(1);
    engine.setInput({ status: 'ready', manifest, models, settings: { ...settings, tile: 128 } });
    await engine.ready(new AbortController().signal);
    expect(configure).toHaveBeenCalledTimes(2);
  });

  it('reports a model loading error to the waiting jobs', async () => {
    const engine = createEngine({ configure: () => Promise.resolve() });
    const waiting = engine.ready(new AbortController().signal);
    engine.setInput({ status: 'error', message: 'no models' });
    await expect(waiting).rejects.toThrow('no models');
  });

  it('stops waiting when the job is cancelled', async () => {
    const engine = createEngine({ configure: () => Promise.resolve() });
    const controller = new AbortController();
    const waiting = engine.ready(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});
