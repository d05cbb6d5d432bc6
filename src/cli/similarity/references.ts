import type { RgbImage } from '../../core/image';
import type { Ggd } from '../../core/ggd-types';
import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { analyseDegradation, type DdrAnalysis, type DdrProtocol, type FeatureExtractor } from '../../core/ddr-protocol';
import { buildSimilarity, crossDistances, separationReport, type SeparationEntry, type SimilarityMatrices } from '../../core/similarity';
import { evalSeed } from '../eval/evaluate';
import { ortCentredGram } from '../onnx/ort-node';

/**
 * The reference GGD of each degradation: the shared DDR protocol run on the photos degraded by it.
 * A second, independent draw (other degradation seeds, other patch positions) measures how well the
 * statistic separates degradations: each held-out draw should be nearest its own reference.
 */
export interface ReferenceSet {
  protocol: DdrProtocol;
  order: DegradationId[];
  references: { id: DegradationId; ggd: Ggd; analysis: Omit<DdrAnalysis, 'ggd'> }[];
  heldOut: { id: DegradationId; ggd: Ggd }[];
  matrices: SimilarityMatrices;
  /** cross[i][j] = D(KL(reference_j ‖ heldOut_i)), the direction selection uses. */
  cross: number[][];
  separation: SeparationEntry[];
  separatedCount: number;
}

export function degradeAll(images: readonly RgbImage[], task: DegradationId, seed: number): RgbImage[] {
  return images.map((image, i) => degrade(image, task, evalSeed(seed, task, i)).image);
}

export async function buildReferences(options: {
  images: readonly RgbImage[];
  tasks: DegradationId[];
  protocol: DdrProtocol;
  extract: FeatureExtractor;
  onProgress?: (done: number, total: number) => void;
}): Promise<ReferenceSet> {
  const { images, tasks, protocol, extract } = options;
  const references: ReferenceSet['references'] = [];
  const heldOut: ReferenceSet['heldOut'] = [];
  let done = 0;
  for (const task of tasks) {
    const { ggd, ...analysis } = await analyseDegradation(degradeAll(images, task, protocol.seed), protocol, extract, { gram: ortCentredGram() });
    references.push({ id: task, ggd, analysis });
    options.onProgress?.(++done, tasks.length * 2);
    const second = await analyseDegradation(degradeAll(images, task, protocol.seed + 1), { ...protocol, seed: protocol.seed + 1 }, extract, { gram: ortCentredGram() });
    heldOut.push({ id: task, ggd: second.ggd });
    options.onProgress?.(++done, tasks.length * 2);
  }
  const matrices = buildSimilarity(tasks, references.map((r) => r.ggd));
  const cross = crossDistances(heldOut.map((h) => h.ggd), references.map((r) => r.ggd));
  const separation = separationReport(cross, tasks);
  return { protocol, order: tasks, references, heldOut, matrices, cross, separation, separatedCount: separation.filter((s) => s.separated).length };
}
