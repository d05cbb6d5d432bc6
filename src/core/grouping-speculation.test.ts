import { describe, expect, it } from 'vitest';
import { createRng } from './random.ts';
import { searchGroups } from './grouping.ts';
import { groupId, predictPass, searchGroupsSpeculatively } from './grouping-speculation.ts';

type Matrix = number[][];

function randomDistances(seed: number, n: number): Matrix {
  const rng = createRng(seed);
  const d: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i][j] = d[j][i] = rng.uniform(2.2, 4.4);
  return d;
}

const meanDistance = (d: Matrix, g: number[]) => {
  let sum = 0, count = 0;
  for (let a = 0; a < g.length; a++) for (let b = a + 1; b < g.length; b++) { sum += d[g[a]][g[b]]; count++; }
  return sum / count;
};

/** ΔP rising with the mean distance and the size, plus a deterministic per-group wobble (training noise). */
function noisyDeltaP(d: Matrix, seed: number) {
  return (g: number[]) => {
    let h = seed >>> 0;
    for (const i of g) h = Math.imul(h ^ (i + 1), 0x9e3779b1) >>> 0;
    const wobble = ((h >>> 8) / 2 ** 24 - 0.5) * 0.6;
    return 0.7 + (meanDistance(d, g) - 3.1) + 0.1 * (g.length - 2) + wobble;
  };
}

describe('searchGroupsSpeculatively', () => {
  it('returns exactly the sequential search: same partition, same verification log', async () => {
    let totalCalls = 0, totalRounds = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const n = 5 + (seed % 5);
      const d = randomDistances(seed, n);
      const deltaP = noisyDeltaP(d, seed);
      const maxVerifications = seed % 3 === 0 ? 6 : undefined;
      const sequential = await searchGroups({ distances: d, delta: 0.7, maxVerifications, verify: async (g) => deltaP(g) });
      for (const workers of [1, 2, 3]) {
        const answered: string[] = [];
        const batchSizes: number[] = [];
        const { result, rounds, speculated } = await searchGroupsSpeculatively({
          distances: d, delta: 0.7, maxVerifications, workers, known: new Map(),
          answer: async (batch) => {
            expect(batch.length).toBeLessThanOrEqual(workers);
            batchSizes.push(batch.length);
            for (const g of batch) answered.push(groupId(g));
            return batch.map(deltaP);
          },
        });
        // With two workers no core idles before the last round: if the guess would end the search,
        // the other answer's question is trained (the real answer is one of the two).
        if (workers === 2) expect(batchSizes.slice(0, -1).every((size) => size === 2), `seed ${seed}: ${batchSizes.join(',')}`).toBe(true);
        expect(result.partition).toEqual(sequential.partition);
        expect(result.verifications).toEqual(sequential.verifications);
        expect(result.budgetExhausted).toBe(sequential.budgetExhausted);
        // Nothing is trained twice, and every question the search asked was answered.
        expect(new Set(answered).size).toBe(answered.length);
        for (const v of sequential.verifications) expect(answered).toContain(groupId(v.group));
        if (workers === 1) {
          expect(speculated).toEqual([]);
          expect(rounds).toBe(sequential.verifierCalls);
        }
        if (workers === 2) { totalCalls += sequential.verifierCalls; totalRounds += rounds; }
      }
    }
    // Two workers need fewer rounds (wall-clock trainings) than one, over these instances.
    expect(totalRounds).toBeLessThan(totalCalls);
    console.log(`[speculation] 2 workers: ${totalRounds} rounds for ${totalCalls} sequential verifications`);
  });

  it('keeps the second worker busy when the guessed answer would end the search (as in the full zoo)', async () => {
    // The full zoo's symmetrised matrix (campaign/zoo-full, block_3; order: Gaussian blur, motion blur,
    // R-L, SR, ringing, defocus, JPEG, Poisson, inpainting, Gaussian noise, S&P) and its first ΔPs.
    // There, guessing "fail" for {motion blur, defocus} ended the search, and one core idled.
    const zoo = [
      [0.000, 2.759, 3.490, 4.253, 3.950, 2.323, 4.471, 4.710, 4.668, 4.919, 5.000],
      [2.759, 0.000, 3.020, 4.091, 3.705, 2.018, 4.350, 4.622, 4.578, 4.855, 4.943],
      [3.490, 3.020, 0.000, 3.791, 3.179, 3.228, 4.138, 4.474, 4.422, 4.746, 4.847],
      [4.253, 4.091, 3.791, 0.000, 3.203, 4.154, 3.184, 3.956, 3.881, 4.414, 4.562],
      [3.950, 3.705, 3.179, 3.203, 0.000, 3.805, 3.794, 4.258, 4.199, 4.600, 4.720],
      [2.323, 2.018, 3.228, 4.154, 3.805, 0.000, 4.395, 4.654, 4.609, 4.876, 4.962],
      [4.471, 4.350, 4.138, 3.184, 3.794, 4.395, 0.000, 3.498, 3.395, 4.179, 4.370],
      [4.710, 4.622, 4.474, 3.956, 4.258, 4.654, 3.498, 0.000, 2.676, 3.671, 3.989],
      [4.668, 4.578, 4.422, 3.881, 4.199, 4.609, 3.395, 2.676, 0.000, 3.757, 4.057],
      [4.919, 4.855, 4.746, 4.414, 4.600, 4.876, 4.179, 3.671, 3.757, 0.000, 3.002],
      [5.000, 4.943, 4.847, 4.562, 4.720, 4.962, 4.370, 3.989, 4.057, 3.002, 0.000],
    ];
    const measured = new Map([
      ['0,1,2,3,4,5', 3.37], ['0,1,5', 0.934], ['1,5', 0.213], ['2,6', 3.397], ['0,2', 2.605], ['9,10', 1.227], ['7,8', 4.39],
    ]);
    const deltaP = (g: number[]) => measured.get(groupId(g)) ?? 2; // unmeasured groups fail
    const sequential = await searchGroups({ distances: zoo, delta: 0.7, maxVerifications: 30, verify: async (g) => deltaP(g) });
    const sizes: number[] = [];
    const { result } = await searchGroupsSpeculatively({
      distances: zoo, delta: 0.7, maxVerifications: 30, workers: 2, known: new Map(),
      answer: async (batch) => {
        sizes.push(batch.length);
        return batch.map(deltaP);
      },
    });
    expect(result.partition).toEqual(sequential.partition);
    expect(sizes.slice(0, -1).every((size) => size === 2), sizes.join(',')).toBe(true);
  });

  it('never asks again for answers it already has (a resumed search replays them)', async () => {
    const d = randomDistances(7, 8);
    const deltaP = noisyDeltaP(d, 7);
    const first = await searchGroupsSpeculatively({ distances: d, delta: 0.7, workers: 2, known: new Map(), answer: async (b) => b.map(deltaP) });
    const known = new Map(first.result.verifications.map((v) => [groupId(v.group), v.deltaP]));
    const again = await searchGroupsSpeculatively({
      distances: d, delta: 0.7, workers: 2, known,
      answer: async () => { throw new Error('asked for a known answer'); },
    });
    expect(again.result.partition).toEqual(first.result.partition);
    expect(again.rounds).toBe(0);
  });
});

describe('predictPass', () => {
  const d = randomDistances(3, 6);
  it('follows monotonicity: supersets of failures fail, subsets of passes pass', () => {
    const answers = new Map([[groupId([0, 1]), 2.0], [groupId([2, 3, 4]), 0.1]]);
    expect(predictPass([0, 1, 5], answers, d, 0.7)).toBe(false);
    expect(predictPass([2, 4], answers, d, 0.7)).toBe(true);
  });
  it('otherwise follows the answered group nearest in mean distance', () => {
    const near = [0, 2], far = [1, 3];
    const answers = new Map([[groupId(near), 0.2]]);
    expect(predictPass([4, 5], answers, d, 0.7)).toBe(true);
    answers.set(groupId(near), 1.5);
    expect(predictPass([4, 5], answers, d, 0.7)).toBe(false);
    expect(predictPass(far, new Map(), d, 0.7)).toBe(true);
    expect(predictPass([1, 3, 5], new Map(), d, 0.7)).toBe(false);
  });
});
