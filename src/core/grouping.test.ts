import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from './random.ts';
import {
  GroupingAbortedError,
  rankCandidates,
  searchGroups,
  type GroupingResult,
  type Verification,
} from './grouping.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

type Matrix = number[][];
type DeltaPFn = (group: number[]) => number;

/** Symmetric matrix with the paper's range of distances (about 2.2 to 4.4). */
function randomDistances(rng: Rng, n: number): Matrix {
  const d: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) d[i][j] = d[j][i] = rng.uniform(2.2, 4.4);
  }
  return d;
}

/** Small distances inside each cluster, large ones between clusters, with jitter. */
function plantedDistances(rng: Rng, clusters: number[][], within = [2.2, 2.6], between = [3.6, 4.4]): Matrix {
  const n = clusters.flat().length;
  const clusterOf = new Map(clusters.flatMap((c, k) => c.map((i) => [i, k] as const)));
  const d: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const [lo, hi] = clusterOf.get(i) === clusterOf.get(j) ? within : between;
      d[i][j] = d[j][i] = rng.uniform(lo, hi);
    }
  }
  return d;
}

/** Pairwise distances of a group, in the same order as the search sums them (so means agree bit for bit). */
function pairDistances(d: Matrix, group: number[]): number[] {
  const values: number[] = [];
  for (let a = 0; a < group.length; a++) for (let b = a + 1; b < group.length; b++) values.push(d[group[a]][group[b]]);
  return values;
}
const meanDistance = (d: Matrix, group: number[]) => {
  const values = pairDistances(d, group);
  return values.reduce((sum, v) => sum + v, 0) / values.length;
};
const maxDistance = (d: Matrix, group: number[]) => Math.max(...pairDistances(d, group));

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const DELTA = 0.7;

/**
 * Verifiers CONSISTENT with the similarity ranking: ΔP = f(mean pairwise distance, size) with f
 * nondecreasing in both. Each is scaled so that a pair at distance `threshold` sits exactly at δ.
 */
const consistentKinds = {
  linearMean: (d: Matrix, threshold: number): DeltaPFn => (g) => DELTA + (meanDistance(d, g) - threshold),
  // Bigger groups share capacity among more tasks, so they lose more at the same similarity.
  sizePenalised: (d: Matrix, threshold: number): DeltaPFn => (g) =>
    DELTA + (meanDistance(d, g) - threshold) + 0.08 * (g.length - 2),
  convex: (d: Matrix, threshold: number): DeltaPFn => (g) =>
    DELTA * Math.exp(3 * (meanDistance(d, g) - threshold)) * Math.sqrt(g.length / 2),
};

/**
 * Plausible but NOT consistent with a mean ranking: a group with a low mean can hide one distant
 * pair (max) or one outlying member (worst member), so it can fail while a higher-mean group passes.
 */
const inconsistentKinds = {
  maxPair: (d: Matrix, threshold: number): DeltaPFn => (g) => DELTA + (maxDistance(d, g) - threshold),
  worstMember: (d: Matrix, threshold: number): DeltaPFn => (g) =>
    DELTA +
    Math.max(...g.map((i) => g.reduce((s, j) => s + (j === i ? 0 : d[i][j]), 0) / (g.length - 1))) -
    threshold,
};

/** Wraps a ΔP function as the async verifier the search takes, recording what it was asked. */
function spyVerifier(deltaP: DeltaPFn) {
  const calls: number[][] = [];
  const answers = new Map<string, number>();
  const verify = async (group: number[]) => {
    calls.push([...group]);
    const value = deltaP(group);
    answers.set(group.join(','), value);
    return value;
  };
  return { verify, calls, answers };
}

// ---------------------------------------------------------------------------------------------
// Brute-force oracle: every set partition, via restricted growth strings.

function forEachSetPartition(n: number, visit: (groups: number[][]) => void): void {
  const labels = new Array<number>(n).fill(0);
  const walk = (i: number, used: number) => {
    if (i === n) {
      const groups: number[][] = Array.from({ length: used }, () => []);
      labels.forEach((label, item) => groups[label].push(item));
      visit(groups);
      return;
    }
    for (let label = 0; label <= used; label++) {
      labels[i] = label;
      walk(i + 1, Math.max(used, label + 1));
    }
  };
  walk(0, 0);
}

function bruteForceMinimum(n: number, passes: (group: number[]) => boolean): number {
  const memo = new Map<string, boolean>();
  const ok = (g: number[]) => {
    if (g.length === 1) return true;
    const key = g.join(',');
    if (!memo.has(key)) memo.set(key, passes(g));
    return memo.get(key)!;
  };
  let best = n;
  forEachSetPartition(n, (groups) => {
    if (groups.length < best && groups.every(ok)) best = groups.length;
  });
  return best;
}

/** Checks the invariants every result must hold, whatever the verifier. */
function expectValidResult(n: number, result: GroupingResult, answers: Map<string, number>): void {
  const seen = result.partition.flat().sort((a, b) => a - b);
  expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(result.groupCount).toBe(result.partition.length);
  for (const group of result.partition) {
    expect([...group].sort((a, b) => a - b)).toEqual(group);
    if (group.length === 1) continue;
    // Verified by the verifier itself, and logged as passing.
    const answer = answers.get(group.join(','));
    expect(answer, `group [${group}] was never verified`).toBeDefined();
    expect(answer!).toBeLessThanOrEqual(DELTA);
    expect(result.verifications.some((v) => v.passed && v.group.join(',') === group.join(','))).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------

describe('rankCandidates', () => {
  it('ranks all C(n, L) groups by mean, near-ties by variance, as a total order', () => {
    const rng = createRng(11);
    for (const tolerance of [0, 0.02, 0.15, 1]) {
      const d = randomDistances(rng, 9);
      const ranked = rankCandidates(d, 4, tolerance);
      expect(ranked).toHaveLength(126);
      expect(new Set(ranked.map((g) => g.members.join(','))).size).toBe(126);
      for (let i = 1; i < ranked.length; i++) {
        const [prev, cur] = [ranked[i - 1], ranked[i]];
        expect(cur.tieBucket - prev.tieBucket).toBeGreaterThanOrEqual(0);
        expect(cur.tieBucket - prev.tieBucket).toBeLessThanOrEqual(1);
        if (cur.tieBucket === prev.tieBucket) expect(cur.variance).toBeGreaterThanOrEqual(prev.variance);
      }
      // Every group is within the tolerance of its bucket's lowest mean, and buckets go up in mean.
      const bucketMin = new Map<number, number>();
      for (const g of ranked) bucketMin.set(g.tieBucket, Math.min(bucketMin.get(g.tieBucket) ?? Infinity, g.mean));
      for (const g of ranked) expect(g.mean - bucketMin.get(g.tieBucket)!).toBeLessThanOrEqual(tolerance);
      for (let b = 1; b < bucketMin.size; b++) {
        expect(bucketMin.get(b)! - bucketMin.get(b - 1)!).toBeGreaterThan(tolerance);
      }
      if (tolerance === 0) for (let i = 1; i < ranked.length; i++) expect(ranked[i].mean).toBeGreaterThanOrEqual(ranked[i - 1].mean);
    }
  });

  it('puts the lower-variance group first when means nearly tie', () => {
    // {0,1,2}: distances 2, 2, 2.03 (mean 2.01, tiny variance); {0,3,4}: 1, 1, 4 (mean 2, large variance).
    const d = [
      [0, 2, 2, 1, 1],
      [2, 0, 2.03, 9, 9],
      [2, 2.03, 0, 9, 9],
      [1, 9, 9, 0, 4],
      [1, 9, 9, 4, 0],
    ];
    expect(rankCandidates(d, 3, 0.02).slice(0, 2).map((g) => g.members)).toEqual([[0, 1, 2], [0, 3, 4]]);
    expect(rankCandidates(d, 3, 0).slice(0, 2).map((g) => g.members)).toEqual([[0, 3, 4], [0, 1, 2]]);
  });

  it('rejects bad input', () => {
    expect(() => rankCandidates([[0, 1], [2, 0]], 2)).toThrow(/not symmetric/);
    expect(() => rankCandidates([[0, 1], [1, 0]], 3)).toThrow(RangeError);
    expect(() => rankCandidates([[0, 1], [1, 0]], 2, -1)).toThrow(/tieTolerance/);
  });
});

describe('searchGroups against brute force (consistent verifiers)', () => {
  it('oracle sanity: set partitions are counted by the Bell numbers', () => {
    const bell = [1, 2, 5, 15, 52, 203, 877, 4140];
    bell.forEach((expected, k) => {
      let count = 0;
      forEachSetPartition(k + 1, () => count++);
      expect(count).toBe(expected);
    });
  });

  it('finds the minimum number of groups on 200 random and 40 planted instances', async () => {
    const rng = createRng(2024);
    const kinds = Object.entries(consistentKinds);
    const tolerances = [0, 0.02, 0.1, 0.3];
    const ratiosAtEight: number[] = [];
    const callsBySize = new Map<number, number[]>();
    const optimaSeen = new Set<string>();

    const runInstance = async (label: string, d: Matrix) => {
      const n = d.length;
      const pairs = pairDistances(d, Array.from({ length: n }, (_, i) => i));
      const threshold = quantile(pairs, rng.uniform(0.05, 0.7));
      const [kindName, kind] = rng.pick(kinds);
      const tieTolerance = rng.pick(tolerances);
      const deltaP = kind(d, threshold);
      const { verify, calls, answers } = spyVerifier(deltaP);

      const result = await searchGroups({ distances: d, delta: DELTA, verify, tieTolerance });
      const optimum = bruteForceMinimum(n, (g) => deltaP(g) <= DELTA);
      const context = `${label} n=${n} kind=${kindName} tol=${tieTolerance}`;

      expect(result.groupCount, context).toBe(optimum);
      expectValidResult(n, result, answers);

      const bruteForceCalls = 2 ** n - n - 1; // every non-singleton subset
      expect(result.verifierCalls).toBe(calls.length);
      expect(result.verifierCalls, context).toBeLessThanOrEqual(bruteForceCalls);
      if (n >= 5) expect(result.verifierCalls, context).toBeLessThan(bruteForceCalls);
      if (n === 8) ratiosAtEight.push(result.verifierCalls / bruteForceCalls);
      callsBySize.set(n, [...(callsBySize.get(n) ?? []), result.verifierCalls]);
      optimaSeen.add(`${n}:${optimum}`);
    };

    for (let k = 0; k < 200; k++) await runInstance(`random#${k}`, randomDistances(rng, 3 + (k % 6)));
    for (let k = 0; k < 40; k++) {
      const n = 5 + (k % 4);
      const labels = Array.from({ length: n }, () => rng.int(0, 2));
      const clusters = [0, 1, 2].map((c) => labels.flatMap((l, i) => (l === c ? [i] : []))).filter((c) => c.length > 0);
      await runInstance(`planted#${k}`, plantedDistances(rng, clusters));
    }

    const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const summary = [...callsBySize.entries()]
      .sort(([a], [b]) => a - b)
      .map(([n, calls]) => `n=${n}: ${average(calls).toFixed(1)} calls (brute force ${2 ** n - n - 1})`);
    console.log(`[grouping] verifier calls per instance — ${summary.join('; ')}`);
    console.log(`[grouping] n=8 mean ratio to brute force: ${average(ratiosAtEight).toFixed(3)} over ${ratiosAtEight.length} instances`);
    expect(average(ratiosAtEight)).toBeLessThan(0.15);
    // The instances are not trivial: optima vary within a size.
    expect(optimaSeen.size).toBeGreaterThan(12);
  });

  it('stays exact with wide near-tie buckets, where the variance order interleaves passes and fails', async () => {
    // A tolerance of 0.3 dB-distance puts many groups in the bucket that straddles the threshold. A
    // binary search over ranked positions (instead of buckets) loses optimality on about 3% of these.
    const rng = createRng(4242);
    for (let k = 0; k < 300; k++) {
      const d = randomDistances(rng, 5 + (k % 4));
      const threshold = quantile(pairDistances(d, d.map((_, i) => i)), rng.uniform(0.05, 0.7));
      const deltaP = (k % 2 === 0 ? consistentKinds.linearMean : consistentKinds.sizePenalised)(d, threshold);
      const { verify, answers } = spyVerifier(deltaP);
      const result = await searchGroups({ distances: d, delta: DELTA, verify, tieTolerance: 0.3 });
      expect(result.groupCount, `instance ${k}`).toBe(bruteForceMinimum(d.length, (g) => deltaP(g) <= DELTA));
      expectValidResult(d.length, result, answers);
    }
  });

  it('is exact when only the lowest-mean group of a near-tie passes (the paper\'s literal L_max rule is not)', async () => {
    // Size-3 groups {0,1,2} (mean 2.01, variance ≈ 0) and {0,3,4} (mean 2.00, large variance) nearly
    // tie; the ranking puts {0,1,2} first. With a mean threshold of 2.005 only {0,3,4} passes.
    const d = [
      [0, 2, 2, 1, 1],
      [2, 0, 2.03, 9, 9],
      [2, 2.03, 0, 9, 9],
      [1, 9, 9, 0, 4],
      [1, 9, 9, 4, 0],
    ];
    const deltaP = consistentKinds.linearMean(d, 2.005);
    const { verify, answers } = spyVerifier(deltaP);
    const result = await searchGroups({ distances: d, delta: DELTA, verify, tieTolerance: 0.02 });
    expectValidResult(5, result, answers);
    expect(result.lMax).toBe(3);
    // {1,2} (2.03) fails, so 1 and 2 stay apart: 3 groups. Stopping at L = 2 would need 4.
    expect(result.partition).toEqual([[0, 3, 4], [1], [2]]);
    expect(bruteForceMinimum(5, (g) => deltaP(g) <= DELTA)).toBe(3);
    expect(result.verifications.find((v) => v.group.join(',') === '0,1,2')?.passed).toBe(false);
  });
});

describe('searchGroups with verifiers that contradict the ranking', () => {
  it('still returns a valid partition of verified groups, and terminates', async () => {
    const rng = createRng(77);
    const adversaries: [string, (d: Matrix) => DeltaPFn][] = [
      ['coin flip p=0.5', () => hashedCoin(rng.int(0, 2 ** 31), 0.5)],
      ['coin flip p=0.15', () => hashedCoin(rng.int(0, 2 ** 31), 0.15)],
      ['coin flip p=0.9', () => hashedCoin(rng.int(0, 2 ** 31), 0.9)],
      // Anti-consistent: only the least similar groups pass.
      ['far groups only', (d) => (g) => (meanDistance(d, g) >= 3.4 ? 0 : 2)],
      ['large groups only', (d) => (g) => (g.length >= d.length - 1 ? 0 : 2)],
      ['every group fails', () => () => 5],
      ['every group passes', () => () => 0],
      ...Object.entries(inconsistentKinds).map(
        ([name, kind]) => [name, (d: Matrix) => kind(d, quantile(pairDistances(d, d.map((_, i) => i)), 0.3))] as [string, (d: Matrix) => DeltaPFn],
      ),
    ];
    for (let k = 0; k < 60; k++) {
      const n = 4 + (k % 7); // up to 10
      const d = randomDistances(rng, n);
      const [name, make] = adversaries[k % adversaries.length];
      const { verify, calls, answers } = spyVerifier(make(d));
      const result = await searchGroups({ distances: d, delta: DELTA, verify, tieTolerance: rng.pick([0, 0.02, 0.2]) });
      expectValidResult(n, result, answers);
      expect(new Set(calls.map((c) => c.join(','))).size, name).toBe(calls.length);
      if (name === 'every group passes') expect(result.partition).toEqual([d.map((_, i) => i)]);
      if (name === 'every group fails') expect(result.groupCount).toBe(n);
    }
  });

  it('a verification budget caps the calls and still yields a valid partition', async () => {
    const rng = createRng(91);
    for (let k = 0; k < 30; k++) {
      const n = 6 + (k % 5);
      const d = randomDistances(rng, n);
      const budget = k % 6;
      const { verify, calls, answers } = spyVerifier(hashedCoin(rng.int(0, 2 ** 31), 0.5));
      const result = await searchGroups({ distances: d, delta: DELTA, verify, maxVerifications: budget });
      expect(calls.length).toBeLessThanOrEqual(budget);
      expectValidResult(n, result, answers);
      const unlimited = await searchGroups({ distances: d, delta: DELTA, verify: spyVerifier(hashedCoin(1, 0.5)).verify });
      expect(unlimited.budgetExhausted).toBe(false);
    }
    // A budget larger than what the search needs changes nothing.
    const d = randomDistances(rng, 7);
    const make = () => spyVerifier((g) => meanDistance(d, g) - 2.6).verify;
    const free = await searchGroups({ distances: d, delta: DELTA, verify: make() });
    const capped = await searchGroups({ distances: d, delta: DELTA, verify: make(), maxVerifications: free.verifierCalls });
    expect(capped.partition).toEqual(free.partition);
    expect(capped.budgetExhausted).toBe(false);
  });

  it('reports how often it stays optimal under plausible inconsistent verifiers', async () => {
    const rng = createRng(5);
    for (const [name, kind] of Object.entries(inconsistentKinds)) {
      let optimal = 0;
      let extraGroups = 0;
      const instances = 60;
      for (let k = 0; k < instances; k++) {
        const d = randomDistances(rng, 5 + (k % 4));
        const deltaP = kind(d, quantile(pairDistances(d, d.map((_, i) => i)), rng.uniform(0.1, 0.7)));
        const { verify, answers } = spyVerifier(deltaP);
        const result = await searchGroups({ distances: d, delta: DELTA, verify });
        expectValidResult(d.length, result, answers);
        const optimum = bruteForceMinimum(d.length, (g) => deltaP(g) <= DELTA);
        expect(result.groupCount).toBeGreaterThanOrEqual(optimum);
        if (result.groupCount === optimum) optimal++;
        extraGroups += result.groupCount - optimum;
      }
      console.log(`[grouping] ${name}: optimal on ${optimal}/${instances}, ${extraGroups} extra group(s) in total`);
    }
  });
});

describe('searchGroups bookkeeping', () => {
  it('verifies each group at most once and logs every call in order with its phase', async () => {
    const rng = createRng(31);
    for (let k = 0; k < 20; k++) {
      const d = randomDistances(rng, 6 + (k % 3));
      const seenByHook: Verification[] = [];
      const { verify, calls } = spyVerifier(consistentKinds.sizePenalised(d, 3));
      const result = await searchGroups({
        distances: d,
        delta: DELTA,
        verify,
        onVerification: (v) => seenByHook.push(v),
      });
      const keys = calls.map((c) => c.join(','));
      expect(new Set(keys).size).toBe(keys.length);
      expect(calls.every((c) => c.length >= 2)).toBe(true); // singletons are never trained
      expect(result.verifications.map((v) => v.group.join(','))).toEqual(keys);
      expect(result.verifications.map((v) => v.order)).toEqual(keys.map((_, i) => i));
      expect(seenByHook).toEqual(result.verifications);
      for (const v of result.verifications) {
        expect(['lmax', 'prefilter', 'solve']).toContain(v.phase);
        expect(v.passed).toBe(v.deltaP <= DELTA);
        expect([...v.group].sort((a, b) => a - b)).toEqual(v.group);
      }
      // Phases come in the algorithm's order.
      const phaseRank = { lmax: 0, prefilter: 1, solve: 2 } as const;
      const ranks = result.verifications.map((v) => phaseRank[v.phase]);
      expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
      expect(result.candidateCounts).toHaveLength(d.length);
      expect(result.candidateCounts[0]).toBe(d.length);
      expect(result.candidateCounts.slice(result.lMax).every((c) => c === 0)).toBe(true);
    }
  });

  it('is not confused by a verifier that mutates the group it is given', async () => {
    const d = plantedDistances(createRng(3), [[0, 1, 2], [3, 4, 5]]);
    const honest = consistentKinds.linearMean(d, 3);
    const reference = await searchGroups({ distances: d, delta: DELTA, verify: async (g) => honest(g) });
    const mutated = await searchGroups({
      distances: d,
      delta: DELTA,
      verify: async (g) => {
        const value = honest(g);
        g.reverse().push(99);
        return value;
      },
    });
    expect(mutated.partition).toEqual(reference.partition);
    expect(mutated.verifications).toEqual(reference.verifications);
  });

  it('handles a single degradation without calling the verifier', async () => {
    const result = await searchGroups({ distances: [[0]], delta: DELTA, verify: async () => { throw new Error('no'); } });
    expect(result).toMatchObject({ partition: [[0]], groupCount: 1, lMax: 1, verifierCalls: 0 });
  });

  it('rejects a verifier that returns no number', async () => {
    const d = randomDistances(createRng(1), 4);
    await expect(searchGroups({ distances: d, delta: DELTA, verify: async () => NaN })).rejects.toThrow(/expected a ΔP/);
  });
});

describe('searchGroups aborting', () => {
  it('stops between verifications with an AbortError', async () => {
    const d = randomDistances(createRng(9), 8);
    const controller = new AbortController();
    const { verify, calls } = spyVerifier(consistentKinds.linearMean(d, 3.2));
    const run = searchGroups({
      distances: d,
      delta: DELTA,
      verify,
      signal: controller.signal,
      onVerification: (v) => {
        if (v.order === 2) controller.abort(new Error('user cancelled'));
      },
    });
    await expect(run).rejects.toThrow(GroupingAbortedError);
    await expect(run).rejects.toThrow('grouping search aborted after 3 verification(s)');
    await expect(run).rejects.toMatchObject({ name: 'AbortError', cause: new Error('user cancelled') });
    expect(calls).toHaveLength(3);
  });

  it('does not start when the signal is already aborted', async () => {
    const d = randomDistances(createRng(9), 6);
    const { verify, calls } = spyVerifier(() => 0);
    await expect(searchGroups({ distances: d, delta: DELTA, verify, signal: AbortSignal.abort() })).rejects.toThrow(
      /aborted after 0 verification/,
    );
    expect(calls).toHaveLength(0);
  });
});

describe("the paper's example", () => {
  it('recovers 4 planted clusters on 11 degradations', async () => {
    const clusters = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10]];
    for (const seed of [1, 2, 3, 4, 5]) {
      const d = plantedDistances(createRng(seed), clusters);
      const { verify, answers } = spyVerifier(consistentKinds.linearMean(d, 3.0));
      const result = await searchGroups({ distances: d, delta: DELTA, verify });
      expectValidResult(11, result, answers);
      expect(result.partition).toEqual(clusters);
      expect(result.lMax).toBe(3);
      if (seed === 1) {
        console.log(`[grouping] paper example: ${result.verifierCalls} verifier calls (brute force ${2 ** 11 - 12})`);
      }
      expect(result.verifierCalls).toBeLessThan(40);
    }
  });
});

/** A deterministic pass/fail per group: passes with probability p. */
function hashedCoin(seed: number, p: number): DeltaPFn {
  return (group) => {
    let h = seed >>> 0;
    for (const i of group) h = Math.imul(h ^ (i + 1), 0x9e3779b1) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
    return (h ^ (h >>> 13)) / 2 ** 32 < p ? 0 : 2;
  };
}
