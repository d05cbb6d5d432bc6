import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { analyseDegradation, type DdrProtocol, type FeatureExtractor } from '../../core/ddr-protocol';
import type { RgbImage } from '../../core/image';
import { fitLogistic, jpegProbability, SUMMARY_FEATURES, type JpegCheck } from '../../core/jpeg-check';
import { evalSeed } from '../eval/evaluate';
import { ortCentredGram } from '../onnx/ort-node';

/** The check fires at P(JPEG) ≥ 0.5: with 10 other degradations to 1, a false call needs strong evidence. */
const THRESHOLD = 0.5;

/** Whether the check fired on a stored sample: its P(JPEG) reached the threshold (never without a P(JPEG)). */
export function checkFired(sample: { jpegProbability?: number }, threshold: number): boolean {
  return sample.jpegProbability !== undefined && sample.jpegProbability >= threshold;
}

export interface JpegCheckTraining {
  check: JpegCheck & { description: string };
  /** Per training image and degradation: P(JPEG) under the fitted check. */
  samples: { image: number; source: DegradationId; probability: number }[];
  /** On its own training data: JPEG images caught, other images called JPEG. */
  training: { jpegCaught: number; jpeg: number; falseCalls: number; others: number };
}

/**
 * Trains the JPEG check (core/jpeg-check.ts) on training photos: each photo, degraded by each of
 * the degradations, is analysed alone with the app's protocol, as a user's photo is; a logistic
 * model then separates JPEG from the rest on the descriptor's per-channel summary.
 */
export async function trainJpegCheck(options: {
  images: readonly RgbImage[];
  tasks: DegradationId[];
  protocol: DdrProtocol;
  extract: FeatureExtractor;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<JpegCheckTraining> {
  if (!options.tasks.includes('jpeg')) throw new Error('the JPEG check needs JPEG among the degradations');
  const rows: { image: number; source: DegradationId; summary: number[] }[] = [];
  const total = options.images.length * options.tasks.length;
  for (let i = 0; i < options.images.length; i++) {
    for (const source of options.tasks) {
      const degraded = degrade(options.images[i], source, evalSeed(options.seed, source, i)).image;
      const { summary } = await analyseDegradation([degraded], options.protocol, options.extract, { gram: ortCentredGram() });
      if (!summary) throw new Error('the descriptor\'s feature maps are not at the patch size, so the JPEG check cannot read them');
      rows.push({ image: i, source, summary });
      options.onProgress?.(rows.length, total);
    }
  }
  const fitted = fitLogistic(rows.map((r) => r.summary), rows.map((r) => r.source === 'jpeg'));
  const check = {
    features: SUMMARY_FEATURES,
    ...fitted,
    threshold: THRESHOLD,
    description: `logistic model (L2 1e-3) over the descriptor's per-channel summary of ${options.images.length} training photos (the references' photos), each degraded by each of the ${options.tasks.length} degradations and analysed alone; JPEG against the rest`,
  };
  const samples = rows.map((r) => ({ image: r.image, source: r.source, probability: jpegProbability(check, r.summary) }));
  const jpeg = samples.filter((s) => s.source === 'jpeg');
  const others = samples.filter((s) => s.source !== 'jpeg');
  return {
    check,
    samples,
    training: {
      jpegCaught: jpeg.filter((s) => s.probability >= THRESHOLD).length, jpeg: jpeg.length,
      falseCalls: others.filter((s) => s.probability >= THRESHOLD).length, others: others.length,
    },
  };
}
