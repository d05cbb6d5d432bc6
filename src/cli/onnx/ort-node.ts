import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { CENTRED_GRAM_INPUT, CENTRED_GRAM_ONNX, CENTRED_GRAM_OUTPUT } from '../../core/centred-gram-onnx';
import type { GramComputer } from '../../core/ddr-protocol';
import { clipInPlace, fromPlanar, quantize8, toPlanar, type RgbImage } from '../../core/image';
import { PATCH_FEATURE_COUNT } from '../../core/router/patch-features';
import { ROUTER_INPUT, ROUTER_OUTPUT } from '../../core/router/router';
import { runTiled, type TiledOptions } from '../../core/tiled-inference';
import { INPUT_NAME, OUTPUT_NAME } from './writer';

/** onnxruntime-node helpers: sessions cached per file, tiled restoration, batched feature extraction. */
const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** Threads per session: 0 lets onnxruntime use every core; `grids jobs` sets GRIDS_ORT_THREADS=1 per worker. */
const defaultThreads = Number(process.env.GRIDS_ORT_THREADS ?? 0) || 0;

function cachedSession(key: string, bytes: () => Promise<Uint8Array>, threads: number): Promise<ort.InferenceSession> {
  let session = sessions.get(`${key}#${threads}`);
  if (!session) {
    session = bytes().then((b) => ort.InferenceSession.create(b, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' }));
    sessions.set(`${key}#${threads}`, session);
  }
  return session;
}

export function loadSession(path: string, threads = defaultThreads): Promise<ort.InferenceSession> {
  const bytes = () =>
    readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read model ${path}: ${error.code ?? error.message}`);
    });
  return cachedSession(path, bytes, threads);
}

/** The DDR statistic's centred Gram matrix on onnxruntime-node (the graph the browser worker runs too). */
export function ortCentredGram(threads = defaultThreads): GramComputer {
  return async (stack, rows, cols) => {
    const session = await cachedSession('<centred-gram>', async () => CENTRED_GRAM_ONNX, threads);
    const results = await session.run({ [CENTRED_GRAM_INPUT]: new ort.Tensor('float32', stack, [rows, cols]) }, [CENTRED_GRAM_OUTPUT]);
    return results[CENTRED_GRAM_OUTPUT].data as Float32Array;
  };
}

export async function releaseSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  for (const s of all) await (await s).release();
}

/** Runs the model on one image (batch 1) and returns the named outputs as NCHW tensors. */
export async function runOnImage(session: ort.InferenceSession, image: RgbImage, outputs: string[] = [OUTPUT_NAME]) {
  const input = new ort.Tensor('float32', toPlanar(image), [1, 3, image.height, image.width]);
  const results = await session.run({ [INPUT_NAME]: input }, outputs);
  return outputs.map((name) => results[name]);
}

/** Restores an image tile by tile with the shared core tiling (same as the browser worker). */
export async function restoreImage(session: ort.InferenceSession, image: RgbImage, options: Partial<TiledOptions> = {}): Promise<RgbImage> {
  return runTiled(
    image,
    async (tile) => {
      const [out] = await runOnImage(session, tile);
      const [, , h, w] = out.dims;
      return fromPlanar(out.data as Float32Array, w, h);
    },
    { tile: 256, overlap: 16, ...options },
  );
}

/** restoreImage as a user receives it: clipped to [0, 1] and quantised to 8 bits (the PNG the app and `grids restore` write). */
export async function restoreImageTo8Bit(session: ort.InferenceSession, image: RgbImage, options: Partial<TiledOptions> = {}): Promise<RgbImage> {
  return quantize8(clipInPlace(await restoreImage(session, image, options)));
}

/** The router network on onnxruntime-node: one photo's patch features in, its logits out (as the browser worker runs it). */
export function ortRouter(session: ort.InferenceSession) {
  return async (features: Float32Array): Promise<Float32Array> => {
    const patches = features.length / PATCH_FEATURE_COUNT;
    const results = await session.run({ [ROUTER_INPUT]: new ort.Tensor('float32', features, [1, patches, PATCH_FEATURE_COUNT]) }, [ROUTER_OUTPUT]);
    return results[ROUTER_OUTPUT].data as Float32Array;
  };
}
