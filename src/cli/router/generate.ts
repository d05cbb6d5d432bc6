import { join } from 'node:path';
import { imageFileNames, readImage } from '../io/images';
import { cachedPhotoSamples, type SampleLabel } from './dataset';

export interface GenerateOptions {
  images: string;
  /** Folder of the per-photo sample files (resumable cache). */
  dir: string;
  labels: readonly SampleLabel[];
  draws: number;
  seed: number;
  /** This process generates the photos whose index ≡ shard (mod shards). */
  shard?: number;
  shards?: number;
  onPhoto?: (done: number, total: number, name: string) => void;
}

/** The photo files of a folder, sorted, so indices (and seeds) are stable across runs and machines. */
export async function photoFiles(dir: string): Promise<string[]> {
  const files = await imageFileNames(dir);
  if (!files.length) throw new Error(`no PNG, JPEG or WebP photo in ${dir}`);
  return files;
}

/** Generates (or reuses) the samples of every photo in this shard; returns them per photo index. */
export async function generateSamples(options: GenerateOptions): Promise<Map<number, Float32Array>> {
  const files = await photoFiles(options.images);
  const shards = options.shards ?? 1;
  const shard = options.shard ?? 0;
  const mine = files.map((name, index) => ({ name, index })).filter(({ index }) => index % shards === shard);
  const out = new Map<number, Float32Array>();
  for (const [done, { name, index }] of mine.entries()) {
    // Each photo's seed depends on its index only, so any sharding yields the same samples.
    out.set(index, await cachedPhotoSamples(options.dir, index, () => readImage(join(options.images, name)), options.labels, options.draws, options.seed * 100003 + index));
    options.onPhoto?.(done + 1, mine.length, name);
  }
  return out;
}
