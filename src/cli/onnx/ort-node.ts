import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { fromPlanar, toPlanar, type RgbImage } from '../../core/image';
import { runTiled, type TiledOptions } from '../../core/tiled-inference';
import { INPUT_NAME, OUTPUT_NAME } from './writer';

/** onnxruntime-node helpers: sessions cached per file, tiled restoration, batched feature extraction. */
const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** Threads per session: 0 lets onnxruntime use every core; `grids jobs` sets GRIDS_ORT_THREADS=1 per worker. */
const defaultThreads = Number(process.env.GRIDS_ORT_THREADS ?? 0) || 0;

export function loadSession(path: string, threads = defaultThreads): Promise<ort.InferenceSession> {
  const key = `${path}#${threads}`;
  let session = sessions.get(key);
  if (!session) {
    session = readFile(path)
      .catch((error: NodeJS.ErrnoException) => {
        throw new Error(`cannot read model ${path}: ${error.code ?? error.message}`);
      })
      .then((bytes) => ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' }));
    sessions.set(key, session);
  }
  return session;
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
