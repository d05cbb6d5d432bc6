import type { FeatureExtractor } from '../../core/ddr-protocol';
import { fitGGD, ggdDistance, klGGD } from '../../core/ggd';
import type { Ggd } from '../../core/ggd-types';
import { groupGgd } from '../../core/selection';

/**
 * Pieces of the selection study (scripts/selection-study.ts): how much a single photo's DDR
 * statistic says about its degradation, whichever rule reads it. The app's rule (KL to each
 * group's mean GGD) is one reader; a nearest-neighbour vote over photos of known degradation is a
 * rule-free estimate of what the same numbers can tell apart at all.
 */

/** What scripts/selection-study.ts writes (campaign/descriptor-study/*.json); RESULTS §8 reads it. */
export interface SelectionStudy {
  /** What the descriptor is, in words (e.g. "clean bicubic SR, as shipped"). */
  label: string;
  descriptor: string;
  layer: string;
  /** Training photos per degradation behind the per-photo references. */
  photos: number;
  channels: number;
  /** In-distribution calibration crops scored. */
  crops: number;
  /** Rule name → share of crops routed to a group holding their degradation, per degradation, AUROC (KL rules). */
  results: Record<string, { accuracy: number; perDegradation: Record<string, number>; auroc: number | null }>;
  seconds: number;
}

/** Wraps an extractor so that the features it returns can be read back after an analysis. */
export function recordingExtractor(extract: FeatureExtractor): { extract: FeatureExtractor; take: () => { rows: Float32Array; cols: number }[] } {
  let recorded: { rows: Float32Array; cols: number }[] = [];
  return {
    extract: async (patches) => {
      const out = await extract(patches);
      recorded.push(out);
      return out;
    },
    take: () => {
      const out = recorded;
      recorded = [];
      return out;
    },
  };
}

/**
 * One GGD per feature channel, each over every patch and position of that channel (centred first,
 * since the GGD is zero-mean), from NCHW rows of `channels` × `spatial` values per patch.
 */
export function channelGgds(batches: readonly { rows: Float32Array; cols: number }[], channels: number): Ggd[] {
  const cols = batches[0].cols;
  if (cols % channels !== 0) throw new RangeError(`${cols} features per patch do not split into ${channels} channels`);
  const spatial = cols / channels;
  const patches = batches.reduce((n, b) => n + b.rows.length / cols, 0);
  const values = new Float64Array(patches * spatial);
  return Array.from({ length: channels }, (_, c) => {
    let k = 0, sum = 0;
    for (const { rows } of batches) {
      for (let p = 0; p < rows.length / cols; p++) {
        const base = p * cols + c * spatial;
        for (let j = 0; j < spatial; j++) sum += values[k++] = rows[base + j];
      }
    }
    const mean = sum / values.length;
    for (let i = 0; i < values.length; i++) values[i] -= mean;
    return fitGGD(values);
  });
}

/** Each group's channel GGDs: per channel, the mean of its members' (as groupGgd does for one GGD). */
export function channelGroupReferences(references: Record<string, readonly Ggd[]>, groups: readonly { id: string; members: readonly string[] }[]): { id: string; channels: Ggd[] }[] {
  return groups.map((group) => ({
    id: group.id,
    channels: references[group.members[0]].map((_, c) => groupGgd(group.members.map((m) => references[m][c]))),
  }));
}

/** Chooses the group with the least mean over channels of KL(group's channel GGD ‖ input's channel GGD). */
export function channelSelection(input: readonly Ggd[], groups: readonly { id: string; channels: readonly Ggd[] }[]): { chosen: string; distance: number } {
  let best = { chosen: '', distance: Infinity };
  for (const group of groups) {
    const kl = input.reduce((sum, ggd, c) => sum + klGGD(group.channels[c], ggd), 0) / input.length;
    const distance = ggdDistance(kl);
    if (distance < best.distance) best = { chosen: group.id, distance };
  }
  return best;
}

export interface LabelledVector {
  label: string;
  vector: readonly number[];
}

/**
 * k-nearest-neighbour vote in Euclidean distance after scaling each coordinate to unit standard
 * deviation over the training set; ties go to the label whose nearest member is closest.
 */
export function createKnn(train: readonly LabelledVector[], k: number): (query: readonly number[]) => string {
  if (train.length < k) throw new RangeError(`k = ${k} needs at least ${k} training vectors, got ${train.length}`);
  const dims = train[0].vector.length;
  const scale = Array.from({ length: dims }, (_, d) => {
    const xs = train.map((t) => t.vector[d]);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    return sd > 0 ? 1 / sd : 0;
  });
  return (query) => {
    const nearest = train
      .map((t) => ({ label: t.label, d: t.vector.reduce((s, x, i) => s + ((x - query[i]) * scale[i]) ** 2, 0) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, k);
    const votes = new Map<string, number>();
    for (const n of nearest) votes.set(n.label, (votes.get(n.label) ?? 0) + 1);
    // Sorted by distance, so the first label reaching the top count has the closest member.
    const top = Math.max(...votes.values());
    return nearest.find((n) => votes.get(n.label) === top)!.label;
  };
}

/** The SRGA statistic as a point for the vote: log σ and log β (both are scales). */
export const ggdVector = (ggd: Ggd): number[] => [Math.log(ggd.sigma), Math.log(ggd.beta)];
