/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { detectBackend } from './backend';

const api = {
  detectBackend: () => detectBackend(self),
};

export type InferenceWorkerApi = typeof api;

// onnxruntime-web's pthread workers load this same chunk; they must not answer our messages,
// or inference hangs. Only the worker we created ourselves exposes the API.
if (!self.name?.startsWith('em-pthread')) Comlink.expose(api);
