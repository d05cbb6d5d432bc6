/**
 * The degradation similarity matrix S of the paper (§4.2): the SRGA distance
 * D = log10(KL + 1e-5) + 5 between the GGDs of every pair of degradations.
 *
 * KL is asymmetric, so all three readings are kept:
 * - forward[i][j]   = D(KL(p_i ‖ p_j))
 * - reverse[i][j]   = D(KL(p_j ‖ p_i)) = forward[j][i]
 * - symmetric[i][j] = D((KL(p_i ‖ p_j) + KL(p_j ‖ p_i)) / 2)
 *
 * The grouping search uses `symmetric`. A group's cost is about how mutually similar its members
 * are, which has no direction; with a symmetric matrix the mean and variance of a group's pairwise
 * distances do not depend on the order in which its members are listed, so the ranking of
 * candidate groups is well defined. (Model selection, in selection.ts, does have a direction,
 * KL(group ‖ input), and uses klGGD directly.)
 */
import { distanceGGD, ggdDistance, klGGD } from './ggd.ts';
import type { Ggd } from './ggd-types.ts';

export interface SimilarityMatrices {
  /** Row/column order of the matrices (the ids as given). */
  readonly order: string[];
  readonly forward: number[][];
  readonly reverse: number[][];
  readonly symmetric: number[][];
}

function assertUniqueIds(ids: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new Error(`${what}: id "${id}" appears more than once`);
    seen.add(id);
  }
}

export function buildSimilarity(ids: readonly string[], ggds: readonly Ggd[]): SimilarityMatrices {
  if (ids.length !== ggds.length) throw new RangeError(`buildSimilarity: ${ids.length} ids but ${ggds.length} GGDs`);
  assertUniqueIds(ids, 'buildSimilarity');
  const n = ids.length;
  const kl: number[][] = ggds.map((p, i) => ggds.map((q, j) => (i === j ? 0 : klGGD(p, q))));
  const forward: number[][] = [];
  const reverse: number[][] = [];
  const symmetric: number[][] = [];
  for (let i = 0; i < n; i++) {
    forward.push([]);
    reverse.push([]);
    symmetric.push([]);
    for (let j = 0; j < n; j++) {
      // The diagonal is exactly 0: ggdDistance(0) = 0, and kl[i][i] is set to 0 above.
      forward[i].push(ggdDistance(kl[i][j]));
      reverse[i].push(ggdDistance(kl[j][i]));
      symmetric[i].push(ggdDistance((kl[i][j] + kl[j][i]) / 2));
    }
  }
  return { order: [...ids], forward, reverse, symmetric };
}

/**
 * Distances from probe GGDs (rows, e.g. a held-out re-estimate of each degradation, or input
 * images) to reference GGDs (columns), in the direction model selection uses:
 * result[i][j] = D(KL(reference_j ‖ probe_i)).
 */
export function crossDistances(probes: readonly Ggd[], references: readonly Ggd[]): number[][] {
  return probes.map((probe) => references.map((reference) => distanceGGD(reference, probe)));
}

export interface SeparationEntry {
  readonly id: string;
  /** matrix[i][i]: 0 for a matrix built from one set of GGDs, informative for a cross matrix. */
  readonly selfDistance: number;
  readonly nearestId: string;
  readonly nearestDistance: number;
  /** nearestDistance − selfDistance; positive when the degradation is told apart from all others. */
  readonly margin: number;
  readonly separated: boolean;
}

/**
 * For each row i of a square distance matrix whose rows and columns both follow `ids`: the
 * distance to itself against the smallest distance to any other column. With a cross matrix
 * (crossDistances of held-out estimates against references) this says whether each degradation
 * is recognised as itself; with `symmetric` it lists each degradation's nearest neighbour.
 */
export function separationReport(matrix: readonly (readonly number[])[], ids: readonly string[]): SeparationEntry[] {
  const n = ids.length;
  if (n < 2) throw new RangeError('separationReport needs at least two ids');
  if (matrix.length !== n || matrix.some((row) => row.length !== n)) {
    throw new RangeError(`separationReport: matrix must be ${n}×${n} to match the ids`);
  }
  assertUniqueIds(ids, 'separationReport');
  return ids.map((id, i) => {
    let nearest = -1;
    for (let j = 0; j < n; j++) {
      if (j !== i && (nearest < 0 || matrix[i][j] < matrix[i][nearest])) nearest = j;
    }
    const selfDistance = matrix[i][i];
    const nearestDistance = matrix[i][nearest];
    return {
      id,
      selfDistance,
      nearestId: ids[nearest],
      nearestDistance,
      margin: nearestDistance - selfDistance,
      separated: selfDistance < nearestDistance,
    };
  });
}
