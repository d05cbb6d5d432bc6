/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { InferenceWorkerApi, RestoreProgress } from './contract';
import { createEngine } from './engine';
import { webHost } from './ort-web';

/**
 * The inference worker: the engine (engine.ts) on onnxruntime-web (ort-web.ts), behind comlink.
 * Restored pixels are transferred back, not copied.
 */
const engine = createEngine(webHost);

const api: InferenceWorkerApi = {
  detectBackend: () => engine.detectBackend(),
  configure: (manifest, models, settings) => engine.configure(manifest, models, settings),
  analyse: (image, rule) => engine.analyse(image, rule),
  async restore(image, model, onProgress) {
    const report = (progress: RestoreProgress) => {
      // Fire and forget: a busy page must not slow the tiles down.
      void Promise.resolve(onProgress?.(progress)).catch(() => undefined);
    };
    const result = await engine.restore(image, model, report);
    return Comlink.transfer(result, [result.rgba.buffer]);
  },
};

export type { InferenceWorkerApi };

// onnxruntime-web's pthread workers may load this same chunk; they must not answer our messages,
// or inference hangs. Only the worker we created ourselves exposes the API.
if (!self.name?.startsWith('em-pthread')) Comlink.expose(api);
