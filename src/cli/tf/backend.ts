import * as tf from '@tensorflow/tfjs-core';
// Gradients are registered separately from the ops; training needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerDepthToSpaceGradient } from './depth-to-space-gradient';
import { registerWasmConvGradients } from './wasm-conv-gradients';

/**
 * Picks the tfjs backend for training. `auto` tries, in order: tensorflow (native libtensorflow via
 * @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, when the user has installed one), webgpu
 * (@tensorflow/tfjs-backend-webgpu with the `webgpu` Dawn package, when an adapter exists), wasm
 * (SIMD, always installed), cpu (pure JS, ~500× slower than wasm; a last resort).
 */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendSelection {
  backend: Exclude<BackendChoice, 'auto'>;
  /** tfjs's own backend name (tensorflow, webgpu, wasm, cpu). */
  tfName: string;
  /** One line per backend tried, saying why it was or was not used. */
  log: string[];
}

/** Dynamic import that does not make bundlers or tsc require the optional package. */
const optionalImport = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

async function tryTensorflow(): Promise<string> {
  const errors: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await optionalImport(pkg);
      if (await tf.setBackend('tensorflow')) return `${pkg} loaded`;
      errors.push(`${pkg} loaded but the tensorflow backend did not start`);
    } catch (error) {
      errors.push(`${pkg} not installed (${firstLine(error)})`);
    }
  }
  throw new Error(errors.join('; '));
}

async function tryWebgpu(): Promise<string> {
  let dawn: { create?: (options: string[]) => unknown; globals?: Record<string, unknown> };
  try {
    dawn = (await optionalImport('webgpu')) as typeof dawn;
  } catch (error) {
    throw new Error(`the "webgpu" (Dawn) package is not installed (${firstLine(error)})`);
  }
  const g = globalThis as unknown as Record<string, unknown> & { navigator?: Record<string, unknown> };
  if (dawn.globals) Object.assign(g, dawn.globals);
  const gpu = dawn.create?.([]) as { requestAdapter(): Promise<unknown> } | undefined;
  if (!gpu) throw new Error('the "webgpu" package did not create a GPU object');
  if (!(await gpu.requestAdapter())) throw new Error('Dawn found no GPU adapter');
  Object.defineProperty(g, 'navigator', { value: { ...(g.navigator ?? {}), gpu }, configurable: true });
  try {
    await optionalImport('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    throw new Error(`@tensorflow/tfjs-backend-webgpu is not installed (${firstLine(error)})`);
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not start');
  return 'Dawn adapter found';
}

async function tryWasm(): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  registerWasmConvGradients();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `SIMD ${simd ? 'on' : 'off'}, one thread per process; conv gradients supplied by conv-based kernels`;
}

async function tryCpu(): Promise<string> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
  return 'pure JavaScript; very slow';
}

const ATTEMPTS: Record<Exclude<BackendChoice, 'auto'>, () => Promise<string>> = {
  tensorflow: tryTensorflow,
  webgpu: tryWebgpu,
  wasm: tryWasm,
  cpu: tryCpu,
};

export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendSelection> {
  const order: Exclude<BackendChoice, 'auto'>[] = choice === 'auto' ? ['tensorflow', 'webgpu', 'wasm', 'cpu'] : [choice];
  const log: string[] = [];
  registerDepthToSpaceGradient();
  for (const backend of order) {
    try {
      const why = await ATTEMPTS[backend]();
      await tf.ready();
      log.push(`${backend}: using it (${why})`);
      return { backend, tfName: tf.getBackend(), log };
    } catch (error) {
      log.push(`${backend}: skipped, ${firstLine(error)}`);
    }
  }
  throw new Error(`no tfjs backend could start:\n  ${log.join('\n  ')}`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}
