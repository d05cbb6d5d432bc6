import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { degradeWithRng, resize, type DegradationId } from '../../core/degradations/index';
import { applyOodDegradation, type OodDegradationId } from '../../core/degradations/out-of-distribution';
import { cropImage, quantize8, type RgbImage } from '../../core/image';
import { createRng, type Rng } from '../../core/random';
import { syntheticBokeh } from '../../core/router/bokeh';
import { cameraHistory } from '../../core/router/camera-history';
import { CLEAN, ROUTER_CLASSES, type RouterClass } from '../../core/router/classes';
import { PATCH_COUNT, PATCH_FEATURE_COUNT, patchFeatures } from '../../core/router/patch-features';
import { atomicWrite } from '../io/images';
import { dihedral } from '../train/data';

/**
 * Training samples for the router, drawn on the fly from clean training photos: a random view of the
 * photo (scale, crop, flip, sometimes a synthetic shallow depth of field), a random camera history
 * (camera-history.ts: softness, noise, sharpening, JPEG), then one of the 11 degradations with
 * parameters over its full range, or none. Each sample is the photo's patch features
 * (patch-features.ts), exactly what the app computes.
 */
export const SAMPLE_VALUES = PATCH_COUNT * PATCH_FEATURE_COUNT;

/** Names the way samples are drawn, in the cache's file names: bump it when photoSamples changes what it draws. */
export const SAMPLES_VERSION = 3;

/** How a training view is drawn from a photo; one table so the README can quote it. */
export const VIEW_RANGES = {
  /** Chance of shrinking the photo first (area filter), and by how much: content at other scales. */
  shrinkChance: 0.5,
  shrink: [0.5, 1],
  /** Side of the crop, px (each side drawn apart; clamped to the photo). */
  crop: [128, 320],
  /** Chance of a synthetic shallow depth of field (bokeh.ts) before the degradation. */
  bokehChance: 0.3,
  /** Chance of a monochrome print (luminance, with a sepia tint of random strength): old photos are what people restore. */
  monochromeChance: 0.15,
} as const;

export type SampleLabel = RouterClass | `ood:${OodDegradationId}`;

export function trainingView(photo: RgbImage, rng: Rng): RgbImage {
  let image = photo;
  if (rng.next() < VIEW_RANGES.shrinkChance) {
    const s = rng.uniform(...VIEW_RANGES.shrink);
    // Never below a patch's side (or the photo's own size, when it is smaller than that).
    const side = (n: number) => Math.max(Math.min(n, 64), Math.round(n * s));
    image = resize(image, side(image.width), side(image.height), 'area');
  }
  const w = Math.min(image.width, rng.int(...VIEW_RANGES.crop));
  const h = Math.min(image.height, rng.int(...VIEW_RANGES.crop));
  image = cropImage(image, rng.int(0, image.width - w), rng.int(0, image.height - h), w, h);
  if (rng.next() < 0.5) image = dihedral(image, 1); // a horizontal flip
  if (rng.next() < VIEW_RANGES.bokehChance) image = syntheticBokeh(image, rng);
  if (rng.next() < VIEW_RANGES.monochromeChance) image = monochrome(image, rng.next());
  return image;
}

/** Luminance with a sepia tint of strength `tint` ∈ [0, 1] (0: neutral grey), quantised to 8 bits. */
export function monochrome(image: RgbImage, tint: number): RgbImage {
  const data = new Float32Array(image.data.length);
  const gains = [1 + 0.15 * tint, 1, 1 - 0.25 * tint];
  for (let i = 0; i < data.length; i += 3) {
    const y = 0.299 * image.data[i] + 0.587 * image.data[i + 1] + 0.114 * image.data[i + 2];
    for (let c = 0; c < 3; c++) data[i + c] = Math.min(1, y * gains[c]);
  }
  return quantize8({ width: image.width, height: image.height, data });
}

/** Applies a label's damage (none for clean) to a view. */
export function damage(view: RgbImage, label: SampleLabel, rng: Rng): RgbImage {
  if (label === CLEAN) return view;
  if (label.startsWith('ood:')) return applyOodDegradation(view, label.slice(4) as OodDegradationId, rng.int(0, 2 ** 31)).image;
  return degradeWithRng(view, label as DegradationId, rng).image;
}

/** One photo's samples: `draws` views per label, features row-major, labels in the same order. */
export function photoSamples(photo: RgbImage, labels: readonly SampleLabel[], draws: number, seed: number): { features: Float32Array; labels: SampleLabel[] } {
  const rng = createRng(seed);
  const features = new Float32Array(labels.length * draws * SAMPLE_VALUES);
  const out: SampleLabel[] = [];
  let k = 0;
  for (let d = 0; d < draws; d++) {
    for (const label of labels) {
      const view = cameraHistory(trainingView(photo, rng), rng);
      features.set(patchFeatures(damage(view, label, rng)), k * SAMPLE_VALUES);
      out.push(label);
      k++;
    }
  }
  return { features, labels: out };
}

export interface SampleSet {
  features: Float32Array;
  labels: SampleLabel[];
  /** Index of the photo each sample came from (to split by photo). */
  photos: number[];
}

/**
 * Writes (or reuses) one file per photo under `dir`, so an interrupted generation resumes where it
 * stopped. The file holds the features; the labels follow from `labels` × `draws`.
 */
export async function cachedPhotoSamples(dir: string, index: number, load: () => Promise<RgbImage>, labels: readonly SampleLabel[], draws: number, seed: number): Promise<Float32Array> {
  const path = join(dir, `${String(index).padStart(4, '0')}-${draws}x${labels.length}-${seed}-v${SAMPLES_VERSION}.f32`);
  if (existsSync(path)) {
    const bytes = await readFile(path);
    if (bytes.byteLength === labels.length * draws * SAMPLE_VALUES * 4) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
  }
  const { features } = photoSamples(await load(), labels, draws, seed);
  await atomicWrite(path, new Uint8Array(features.buffer));
  return features;
}

export const IN_DISTRIBUTION_LABELS: readonly SampleLabel[] = ROUTER_CLASSES;

/**
 * Outlier exposure (Hendrycks et al. 2019, "Deep anomaly detection with outlier exposure"): views
 * damaged by kinds of out-of-distribution damage are trained towards no class (the uniform target,
 * train.ts), so the router's energy rises on damage that none of its classes is. Haze and light
 * leaks are kept out, so the OOD model's figures on them measure damage the router never saw.
 * Their own seed (`seed + seedOffset`) and cache files (their draws × labels name them) keep the
 * in-distribution samples as they are.
 */
export const OUTLIER_EXPOSURE = {
  kinds: ['colour_cast', 'low_light', 'overexposure', 'vignette', 'posterize', 'fade'] as const satisfies readonly OodDegradationId[],
  /** Views per photo and kind. */
  draws: 2,
  seedOffset: 500,
};

export const OUTLIER_LABELS: readonly SampleLabel[] = OUTLIER_EXPOSURE.kinds.map((kind) => `ood:${kind}` as const);

/** How the outlier-exposure samples are drawn for a router trained with `seed` (the zoo's stage and `router data --outliers` alike). */
export const outlierSampling = (seed: number) => ({ labels: OUTLIER_LABELS, draws: OUTLIER_EXPOSURE.draws, seed: seed + OUTLIER_EXPOSURE.seedOffset });
