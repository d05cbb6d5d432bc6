import type { DdrProtocol, FeatureExtractor } from '../../core/ddr-protocol';
import { analyseDegradation } from '../../core/ddr-protocol';
import { DEGRADATION_IDS, type DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import type { RgbImage } from '../../core/image';
import { selectGroup } from '../../core/selection';
import { evalSeed } from '../eval/evaluate';
import { ortCentredGram } from '../onnx/ort-node';
import { buildReferences, type ReferenceSet } from './references';

/** Broad families, for the coarser per-crop score (blur-like, noise, JPEG, inpainting). */
export const DEGRADATION_FAMILY: Record<DegradationId, 'blur' | 'noise' | 'jpeg' | 'inpainting'> = {
  gaussian_blur: 'blur', motion_blur: 'blur', rl: 'blur', sr: 'blur', ringing: 'blur', defocus_blur: 'blur',
  jpeg: 'jpeg', poisson_noise: 'noise', gaussian_noise: 'noise', salt_pepper: 'noise', inpainting: 'inpainting',
};

export interface ProtocolMeasurement {
  /** Held-out draws nearest their own reference, out of 11 (the similarity matrix's separation). */
  separatedCount: number;
  /** Validation crops (each degraded once, analysed alone) routed to their own degradation. */
  top1: number;
  /** ... or at least to a degradation of the same family. */
  family: number;
  crops: number;
  perDegradation: Record<string, number>;
  references: ReferenceSet;
}

/**
 * How well a DDR protocol and feature layer tell the 11 degradations apart: references from the
 * training photos, then every validation crop degraded by every degradation (evaluation seeds
 * offset by `seed`) and routed to the nearest single degradation.
 */
export async function measureProtocol(options: {
  referenceImages: RgbImage[];
  validation: RgbImage[];
  protocol: DdrProtocol;
  extract: FeatureExtractor;
  seed: number;
}): Promise<ProtocolMeasurement> {
  const tasks = [...DEGRADATION_IDS];
  const references = await buildReferences({ images: options.referenceImages, tasks, protocol: options.protocol, extract: options.extract });
  const singletons = tasks.map((id) => ({ id, members: [id] }));
  let top1 = 0, family = 0, crops = 0;
  const hits: Record<string, number> = {};
  for (let i = 0; i < options.validation.length; i++) {
    for (const d of tasks) {
      const degraded = degrade(options.validation[i], d, evalSeed(options.seed, d, i)).image;
      const { ggd } = await analyseDegradation([degraded], options.protocol, options.extract, { gram: ortCentredGram() });
      const chosen = selectGroup(ggd, references.references, singletons).chosen as DegradationId;
      crops++;
      if (chosen === d) { top1++; hits[d] = (hits[d] ?? 0) + 1; }
      if (DEGRADATION_FAMILY[chosen] === DEGRADATION_FAMILY[d]) family++;
    }
  }
  const perDegradation = Object.fromEntries(tasks.map((d) => [d, (hits[d] ?? 0) / options.validation.length]));
  return { separatedCount: references.separatedCount, top1: top1 / crops, family: family / crops, crops, perDegradation, references };
}
