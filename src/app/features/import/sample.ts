/**
 * "Try a sample": the repository's real test photo, optionally degraded in the browser with the same
 * core code (and seed) the models were trained with, then imported like any dropped file.
 */
import type { DegradationId } from '../../../core/degradations/ids';
import { encodePng } from '../batch/encode-png';
import { readPixels } from './decode';

export const SAMPLE_URL = `${import.meta.env.BASE_URL}samples/test-scene.png`;
export const SAMPLE_SEED = 7;

export async function makeSampleFile(degradation: DegradationId | 'none'): Promise<File> {
  const response = await fetch(SAMPLE_URL);
  if (!response.ok) throw new Error(`The sample image could not be loaded (HTTP ${response.status}).`);
  const blob = await response.blob();
  if (degradation === 'none') return new File([blob], 'test-scene.png', { type: 'image/png' });
  const bitmap = await createImageBitmap(blob);
  const rgba = readPixels(bitmap);
  const { width, height } = bitmap;
  bitmap.close();
  // Loaded on demand: the degradations (JPEG encoder included) are not part of the first page load.
  const [{ degrade }, { fromRgba8, toRgba8 }] = await Promise.all([import('../../../core/degradations/registry'), import('../../../core/image')]);
  const degraded = degrade(fromRgba8(rgba, width, height), degradation, SAMPLE_SEED).image;
  const png = await encodePng({ width: degraded.width, height: degraded.height, rgba: toRgba8(degraded) });
  return new File([png], `test-scene.${degradation}.png`, { type: 'image/png' });
}
