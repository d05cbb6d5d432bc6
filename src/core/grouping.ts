/**
 * GRIDS degradation grouping search (paper §5.1 and Alg. 1).
 *
 * Problem (Eq. 5): split n degradations into the fewest groups such that every group C satisfies
 * ΔP(C) ≤ δ, where ΔP(C) is the worst PSNR drop of C's mix-trained model against the single-task
 * models (Eq. 4). ΔP is only known by training, so the search calls `verify` (one training + test per
 * call) as few times as it can, using the distance matrix S to decide what to verify.
 *
 * The paper is vague in places; this file implements the following reading.
 *
 * Ranking. Λ_L holds all C(n, L) groups of size L, ranked by mean pairwise distance, ascending.
 * Near-ties are broken by the variance of the pairwise distances (lower first). To keep this a total
 * order, near-ties are "tie buckets": walking the groups in mean order, a bucket starts at its anchor
 * (its lowest-mean group) and holds every following group whose mean is within `tieTolerance` of the
 * anchor's. The rank key is (bucket, variance, mean, members), which is transitive, unlike a
 * comparator that says "equal" whenever two means are within the tolerance.
 *
 * Verification. Singletons pass without training (a single-task model's drop against itself is 0).
 * Every other group is verified at most once (memoised by its member set); each call is logged with
 * its order and phase. Every group of the returned partition has been verified to pass, whatever the
 * verifier answers: the ranking only decides what to try first, never what is accepted.
 *
 * 1. L_max ('lmax'). Binary search over L in [1, n]. L is feasible when the top-ranked group of Λ_L
 *    passes (paper), or, if it fails, when the anchor of its tie bucket (the lowest-mean group of
 *    Λ_L) passes. The fallback costs one call and only when the two differ: the variance tie-break
 *    may put a group up to `tieTolerance` above the lowest mean first, and if only that one fails,
 *    the paper's rule would drop a feasible size.
 * 2. Prefiltering ('prefilter'). For each 2 ≤ L ≤ L_max, a binary search finds the last tie bucket of
 *    Λ_L that holds a passing group (probed as in 1), and keeps Λ_L up to that bucket's end. Searching
 *    bucket by bucket rather than group by group is what makes this exact: passing groups form a
 *    prefix of the mean order, but inside the bucket that straddles the threshold the variance
 *    order interleaves passing and failing groups, so a search over positions can stop at a failing
 *    group and drop passing ones after it. Kept groups that fail are caught later, in Solve.
 * 3. Solve(mid) ('solve'): is there a partition into AT MOST mid groups, drawn from the kept groups and
 *    singletons, whose groups all pass? "At most" keeps feasibility monotone in mid, which the binary
 *    search needs (the paper asks for exactly mid, and its loop reads "for C ∈ Λ̃" where Λ_L is meant).
 *    A depth-first search always covers the lowest-index uncovered degradation next (each partition is
 *    met once), trying larger groups first and groups in rank order, and skipping groups known to
 *    fail. As in Alg. 1, groups are verified at the leaf: the first complete partition found is
 *    verified group by group in DFS order; if one fails, the search restarts with that group excluded.
 *    This verifies exactly the groups that a DFS verifying each group as it is placed would, if it
 *    only placed a group when the rest could still be covered, and no group that cannot be part of a
 *    complete partition. Pruning: the uncovered count must fit in the remaining slots × the largest
 *    kept size, and (uncovered set, slots) states shown infeasible are remembered (valid for the whole
 *    search, since groups only ever leave the candidate set).
 * 4. Binary search over m in [1, n] with Solve, as in Alg. 1. Solve(n) always succeeds (singletons).
 *    The result is the first partition Solve found for the final m.
 *
 * Exactness. The search returns a minimum partition whenever the verifier is consistent with the
 * similarity in this sense: ΔP(C) = f(mean pairwise distance of C, |C|) with f nondecreasing in both
 * arguments (equivalently: within a size, passing is a threshold on the mean; the threshold does not
 * grow with the size). Then (a) a group of size L+1 passes only if one of its L-subsets does (their
 * means average to its mean), so feasibility of L is monotone and L_max is exact; (b) the passing
 * groups of each size are a prefix of the mean order, so the bucket search keeps all of them; (c)
 * Solve is exhaustive over the kept groups. Verifiers that are not of this form (e.g. ΔP driven by the
 * largest pairwise distance, or by the worst member's mean distance to the others) can rank a passing
 * group below a failing one, and then L_max and prefiltering may drop passing groups: the result is
 * still valid, but may use more groups than the optimum. Training noise does the same in practice.
 */

/** What a verification does; set on each log entry. */
export type VerificationPhase = 'lmax' | 'prefilter' | 'solve';

export interface Verification {
  /** Members, ascending. */
  group: number[];
  deltaP: number;
  passed: boolean;
  /** 0-based position in the search's sequence of verifier calls. */
  order: number;
  phase: VerificationPhase;
}

/** The part of AbortSignal the search reads (src/core has no DOM or Node types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

export interface GroupingOptions {
  /** n×n symmetric distance matrix (smaller = more similar). The diagonal is not read. */
  distances: readonly (readonly number[])[];
  /** δ in dB: a group passes when ΔP(group) ≤ δ. */
  delta: number;
  /** Returns ΔP(group), the largest PSNR drop against single-task models. Members ascending. */
  verify: (group: number[]) => Promise<number>;
  /** Mean distances within this of a bucket's lowest mean are near-ties, ordered by variance. */
  tieTolerance?: number;
  /** Called after each verification (the CLI logs and persists them). */
  onVerification?: (verification: Verification) => void;
  /** Checked before and after each verification. */
  signal?: AbortSignalLike;
  /**
   * At most this many verifier calls (each is a training). Once spent, groups not yet verified
   * count as failing: the result still satisfies δ, but may use more groups than the optimum.
   */
  maxVerifications?: number;
}

export interface GroupingResult {
  /** The groups, members ascending, groups ordered by their first member. */
  partition: number[][];
  groupCount: number;
  lMax: number;
  /** Every verifier call, in order. */
  verifications: Verification[];
  /** Distinct groups verified (= verifications.length; the verifier is memoised). */
  verifierCalls: number;
  /** candidateCounts[L - 1] = groups of size L kept after prefiltering (n for L = 1, 0 above L_max). */
  candidateCounts: number[];
  /** True when maxVerifications ran out, so unverified groups were treated as failing. */
  budgetExhausted: boolean;
}

export interface RankedGroup {
  /** Members, ascending. */
  members: number[];
  /** Mean of the pairwise distances (0 for a singleton). */
  mean: number;
  /** Population variance of the pairwise distances. */
  variance: number;
  /** Index of the near-tie bucket; buckets are ordered by their anchor's mean. */
  tieBucket: number;
}

export const DEFAULT_TIE_TOLERANCE = 0.02;
/** Λ_L is enumerated exhaustively and groups are bit masks; the paper has n = 11. */
export const MAX_DEGRADATIONS = 16;

export class GroupingAbortedError extends Error {
  constructor(verificationsDone: number, reason: unknown) {
    super(`grouping search aborted after ${verificationsDone} verification(s)`, { cause: reason });
    this.name = 'AbortError';
  }
}

/** Λ_size in rank order (see the header for the order). */
export function rankCandidates(
  distances: readonly (readonly number[])[],
  size: number,
  tieTolerance: number = DEFAULT_TIE_TOLERANCE,
): RankedGroup[] {
  const n = validateDistances(distances);
  validateTieTolerance(tieTolerance);
  if (!Number.isInteger(size) || size < 1 || size > n) {
    throw new RangeError(`group size must be an integer in [1, ${n}], got ${size}`);
  }
  return rankGroups(distances, n, size, tieTolerance).ranked;
}

export async function searchGroups(options: GroupingOptions): Promise<GroupingResult> {
  const { distances, delta } = options;
  const n = validateDistances(distances);
  const tieTolerance = options.tieTolerance ?? DEFAULT_TIE_TOLERANCE;
  validateTieTolerance(tieTolerance);
  if (!Number.isFinite(delta)) throw new RangeError(`delta must be a finite number of dB, got ${delta}`);

  const ledger = createLedger(options);
  const rankings = new Map<number, SizeRanking>();
  const rankingOf = (size: number): SizeRanking => {
    let ranking = rankings.get(size);
    if (!ranking) {
      ranking = rankGroups(distances, n, size, tieTolerance);
      rankings.set(size, ranking);
    }
    return ranking;
  };

  /** Does this tie bucket hold a passing group? Exact for consistent verifiers (see header). */
  const probeBucket = async (size: number, bucketIndex: number, phase: VerificationPhase): Promise<boolean> => {
    const { ranked, masks, buckets } = rankingOf(size);
    const bucket = buckets[bucketIndex];
    if (bucketHasKnownPass(ledger, masks, bucket)) return true;
    if (await ledger.passes(masks[bucket.start], ranked[bucket.start].members, phase)) return true;
    if (bucket.anchor === bucket.start) return false;
    return ledger.passes(masks[bucket.anchor], ranked[bucket.anchor].members, phase);
  };

  // 1. L_max: binary search for the largest size whose best group passes. Size 1 always does.
  let lo = 1;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (await probeBucket(mid, 0, 'lmax')) lo = mid;
    else hi = mid - 1;
  }
  const lMax = lo;

  // 2. Prefiltering: per size, keep the ranking up to the last bucket that holds a passing group.
  const candidateCounts = new Array<number>(n).fill(0);
  candidateCounts[0] = n;
  const keptBySize: Candidate[][] = [];
  for (let size = 2; size <= lMax; size++) {
    const { ranked, masks, buckets } = rankingOf(size);
    let lastPassing = bucketHasKnownPass(ledger, masks, buckets[0]) ? 0 : -1;
    let firstFailing = buckets.length;
    while (firstFailing - lastPassing > 1) {
      const mid = (lastPassing + firstFailing) >> 1;
      if (await probeBucket(size, mid, 'prefilter')) lastPassing = mid;
      else firstFailing = mid;
    }
    const kept = lastPassing < 0 ? 0 : buckets[lastPassing].end;
    candidateCounts[size - 1] = kept;
    keptBySize.push(ranked.slice(0, kept).map((group, i) => ({ mask: masks[i], members: group.members })));
  }
  // Larger groups first (fewer groups sooner), rank order within a size, singletons last.
  const singletons = Array.from({ length: n }, (_, i) => ({ mask: 1 << i, members: [i] }));
  const candidates = [...keptBySize.reverse().flat(), ...singletons];

  // 3. Solve(mid): find a structurally complete partition, then verify its groups.
  const cover = createCoverSearch(n, candidates, (mask) => ledger.known(mask) === false);
  const solve = async (maxGroups: number): Promise<Candidate[] | null> => {
    for (;;) {
      const partition = cover(maxGroups);
      if (!partition) return null;
      let allPass = true;
      for (const group of partition) {
        if (!(await ledger.passes(group.mask, group.members, 'solve'))) {
          allPass = false; // now known to fail: the next cover() skips it
          break;
        }
      }
      if (allPass) return partition;
    }
  };

  // 4. Binary search over the group count (Alg. 1).
  let left = 1;
  let right = n;
  let best: Candidate[] | null = null;
  while (left < right) {
    const mid = Math.floor((left + right) / 2);
    const found = await solve(mid);
    if (found) {
      right = mid;
      best = found;
    } else {
      left = mid + 1;
    }
  }
  best ??= await solve(n);
  if (!best) throw new Error('internal error: singletons must always form a partition');

  const partition = best.map((group) => [...group.members]);
  return {
    partition,
    groupCount: partition.length,
    lMax,
    verifications: ledger.log,
    verifierCalls: ledger.log.length,
    candidateCounts,
    budgetExhausted: ledger.budgetExhausted(),
  };
}

// ---------------------------------------------------------------------------------------------

interface Candidate {
  mask: number;
  members: number[];
}

/** A contiguous run [start, end) of the ranking; `anchor` is its lowest-mean group's index. */
interface TieBucket {
  start: number;
  end: number;
  anchor: number;
}

interface SizeRanking {
  ranked: RankedGroup[];
  masks: number[];
  buckets: TieBucket[];
}

interface Ledger {
  /** true / false once verified (singletons: true), undefined before. */
  known(mask: number): boolean | undefined;
  /** Memoised verification: calls the verifier only for a non-singleton group not seen before. */
  passes(mask: number, members: number[], phase: VerificationPhase): Promise<boolean>;
  log: Verification[];
  budgetExhausted(): boolean;
}

function createLedger(options: GroupingOptions): Ledger {
  const { verify, delta, onVerification, signal } = options;
  const budget = options.maxVerifications ?? Infinity;
  if (!(budget >= 0)) throw new RangeError(`maxVerifications must be ≥ 0, got ${budget}`);
  const outcomes = new Map<number, boolean>();
  const log: Verification[] = [];
  let exhausted = false;
  const throwIfAborted = () => {
    if (signal?.aborted) throw new GroupingAbortedError(log.length, signal.reason);
  };
  const known = (mask: number) => (isSingleton(mask) ? true : outcomes.get(mask));
  return {
    known,
    log,
    budgetExhausted: () => exhausted,
    async passes(mask, members, phase) {
      const cached = known(mask);
      if (cached !== undefined) return cached;
      if (log.length >= budget) {
        // Out of budget: an unverified group may not be used, so it counts as failing (not logged).
        exhausted = true;
        outcomes.set(mask, false);
        return false;
      }
      throwIfAborted();
      const deltaP = await verify([...members]);
      if (typeof deltaP !== 'number' || Number.isNaN(deltaP)) {
        throw new TypeError(`verify([${members.join(', ')}]) returned ${String(deltaP)}, expected a ΔP in dB`);
      }
      const passed = deltaP <= delta;
      outcomes.set(mask, passed);
      const entry: Verification = { group: [...members], deltaP, passed, order: log.length, phase };
      log.push(entry);
      onVerification?.(entry); // a verification that finished is reported even if an abort follows
      throwIfAborted();
      return passed;
    },
  };
}

function bucketHasKnownPass(ledger: Ledger, masks: number[], bucket: TieBucket): boolean {
  for (let i = bucket.start; i < bucket.end; i++) if (ledger.known(masks[i]) === true) return true;
  return false;
}

/**
 * Returns cover(maxGroups): the first partition, in DFS order, into at most maxGroups groups drawn
 * from `candidates` (which must include every singleton) that avoids groups `isFailed` reports.
 * Groups not yet verified count as usable; the caller verifies them.
 */
function createCoverSearch(
  n: number,
  candidates: Candidate[],
  isFailed: (mask: number) => boolean,
): (maxGroups: number) => Candidate[] | null {
  const byFirstItem: Candidate[][] = Array.from({ length: n }, () => []);
  for (const candidate of candidates) byFirstItem[lowestBit(candidate.mask)].push(candidate);
  const largest = Math.max(...candidates.map((c) => c.members.length));
  // uncovered set → most slots it was shown NOT to be coverable with. Stays true as groups fail.
  const deadEnds = new Map<number, number>();

  return (maxGroups) => {
    const chosen: Candidate[] = [];
    const extend = (uncovered: number, slots: number): boolean => {
      if (uncovered === 0) return true;
      if (popCount(uncovered) > slots * largest) return false;
      if ((deadEnds.get(uncovered) ?? -1) >= slots) return false;
      // Canonical order: the lowest uncovered item is placed now, so each partition is met once.
      for (const candidate of byFirstItem[lowestBit(uncovered)]) {
        if ((candidate.mask & ~uncovered) !== 0 || isFailed(candidate.mask)) continue;
        chosen.push(candidate);
        if (extend(uncovered & ~candidate.mask, slots - 1)) return true;
        chosen.pop();
      }
      deadEnds.set(uncovered, Math.max(deadEnds.get(uncovered) ?? -1, slots));
      return false;
    };
    return extend((1 << n) - 1, maxGroups) ? chosen : null;
  };
}

function rankGroups(
  distances: readonly (readonly number[])[],
  n: number,
  size: number,
  tieTolerance: number,
): SizeRanking {
  const groups: RankedGroup[] = combinations(n, size).map((members) => ({
    members,
    ...pairwiseStats(distances, members),
    tieBucket: 0,
  }));

  // Mean order, then leader clustering: a bucket is its anchor plus every later group whose mean is
  // within tieTolerance of the anchor's.
  groups.sort((a, b) => a.mean - b.mean || compareMembers(a.members, b.members));
  const anchors: RankedGroup[] = [];
  for (const group of groups) {
    const anchor = anchors[anchors.length - 1];
    if (!anchor || group.mean - anchor.mean > tieTolerance) anchors.push(group);
    group.tieBucket = anchors.length - 1;
  }

  const ranked = groups.sort(
    (a, b) =>
      a.tieBucket - b.tieBucket ||
      a.variance - b.variance ||
      a.mean - b.mean ||
      compareMembers(a.members, b.members),
  );
  const buckets: TieBucket[] = anchors.map(() => ({ start: ranked.length, end: 0, anchor: -1 }));
  ranked.forEach((group, i) => {
    const bucket = buckets[group.tieBucket];
    bucket.start = Math.min(bucket.start, i);
    bucket.end = i + 1;
    if (group === anchors[group.tieBucket]) bucket.anchor = i;
  });
  return { ranked, masks: ranked.map((g) => maskOf(g.members)), buckets };
}

function pairwiseStats(distances: readonly (readonly number[])[], members: number[]): { mean: number; variance: number } {
  const values: number[] = [];
  for (let a = 0; a < members.length; a++) {
    for (let b = a + 1; b < members.length; b++) values.push(distances[members[a]][members[b]]);
  }
  if (values.length === 0) return { mean: 0, variance: 0 };
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, variance };
}

/** All size-k subsets of {0..n-1}, each ascending, in lexicographic order. */
function combinations(n: number, k: number): number[][] {
  const result: number[][] = [];
  const current: number[] = [];
  const extend = (next: number) => {
    if (current.length === k) {
      result.push([...current]);
      return;
    }
    for (let i = next; i <= n - (k - current.length); i++) {
      current.push(i);
      extend(i + 1);
      current.pop();
    }
  };
  extend(0);
  return result;
}

function compareMembers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function maskOf(members: number[]): number {
  return members.reduce((mask, i) => mask | (1 << i), 0);
}

function isSingleton(mask: number): boolean {
  return mask !== 0 && (mask & (mask - 1)) === 0;
}

function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}

function popCount(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count++;
  return count;
}

function validateDistances(distances: readonly (readonly number[])[]): number {
  const n = distances.length;
  if (n < 1 || n > MAX_DEGRADATIONS) {
    throw new RangeError(`need 1 to ${MAX_DEGRADATIONS} degradations, got a ${n}×${n} distance matrix`);
  }
  for (let i = 0; i < n; i++) {
    if (distances[i]?.length !== n) throw new RangeError(`distance matrix row ${i} has ${distances[i]?.length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      if (i !== j && !Number.isFinite(distances[i][j])) throw new RangeError(`distance [${i}][${j}] is ${distances[i][j]}`);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const [a, b] = [distances[i][j], distances[j][i]];
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) {
        throw new RangeError(`distance matrix is not symmetric at [${i}][${j}] (${a} vs ${b}); symmetrise the KL distances first`);
      }
    }
  }
  return n;
}

function validateTieTolerance(tieTolerance: number): void {
  if (!(tieTolerance >= 0) || !Number.isFinite(tieTolerance)) {
    throw new RangeError(`tieTolerance must be a finite number ≥ 0, got ${tieTolerance}`);
  }
}
