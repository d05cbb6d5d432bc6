import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { analyseImage, routerOnPatches, type ImageAnalysis } from '../../core/analysis';
import type { RgbImage } from '../../core/image';
import type { Manifest } from '../../core/manifest';
import { integrityProblem, modelFileOf } from '../../core/model-files';
import type { RoutingRule } from '../../core/routing';
import { createFeatureExtractor } from './descriptor';
import { loadSession, ortCentredGram, ortRouter } from './ort-node';

/** Files already checked in this process (the check reads the whole file). */
const verified = new Set<string>();

/**
 * Checks one of the manifest's model files (its path relative to the manifest, in `root`) against
 * the manifest's size and SHA-256: a missing, truncated or damaged file is an error naming it,
 * before onnxruntime sees it. Each file is read once per process.
 */
export async function verifyModelFile(manifest: Manifest, root: string, file: string): Promise<void> {
  const path = join(root, file);
  if (verified.has(path)) return;
  const model = modelFileOf(manifest, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`The ${model.role} model (${file}) is missing from ${root}: the manifest names it. Rebuild the models (\`grids zoo\`) or download them again.`);
    throw new Error(`The ${model.role} model (${file}) cannot be read from ${root}: ${code ?? String(error)}. Reinstall or rebuild the models.`);
  }
  const problem = integrityProblem(model, bytes.byteLength, createHash('sha256').update(bytes).digest('hex'));
  if (problem) throw new Error(problem);
  verified.add(path);
}

/** A session for one of the manifest's model files, once {@link verifyModelFile} has passed it. */
export async function manifestSession(manifest: Manifest, root: string, file: string): Promise<ort.InferenceSession> {
  await verifyModelFile(manifest, root, file);
  return loadSession(join(root, file));
}

/**
 * The app's analysis of a photo in Node, from a manifest and the folder its files are in: the
 * descriptor, the router where the manifest ships one, then one decision under `rule` (the
 * manifest's default when absent). `grids select`/`restore` and the zoo's measurements use it.
 */
export async function manifestAnalyser(manifest: Manifest, root: string, rule?: RoutingRule): Promise<(image: RgbImage) => Promise<ImageAnalysis>> {
  const extract = createFeatureExtractor(await manifestSession(manifest, root, manifest.descriptor.file), manifest.descriptor.layer);
  const router = manifest.router ? routerOnPatches(ortRouter(await manifestSession(manifest, root, manifest.router.file))) : undefined;
  return (image) => analyseImage(image, manifest, extract, { gram: ortCentredGram(), router, rule });
}
