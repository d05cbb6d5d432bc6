import { join } from 'node:path';
import { analyseImage, routerOnPatches, type ImageAnalysis } from '../../core/analysis';
import type { RgbImage } from '../../core/image';
import type { Manifest } from '../../core/manifest';
import type { RoutingRule } from '../../core/routing';
import { createFeatureExtractor } from './descriptor';
import { loadSession, ortCentredGram, ortRouter } from './ort-node';

/**
 * The app's analysis of a photo in Node, from a manifest and the folder its files are in: the
 * descriptor, the router where the manifest ships one, then one decision under `rule` (the
 * manifest's default when absent). `grids select`/`restore` and the zoo's measurements use it.
 */
export async function manifestAnalyser(manifest: Manifest, root: string, rule?: RoutingRule): Promise<(image: RgbImage) => Promise<ImageAnalysis>> {
  const extract = createFeatureExtractor(await loadSession(join(root, manifest.descriptor.file)), manifest.descriptor.layer);
  const router = manifest.router ? routerOnPatches(ortRouter(await loadSession(join(root, manifest.router.file)))) : undefined;
  return (image) => analyseImage(image, manifest, extract, { gram: ortCentredGram(), router, rule });
}
