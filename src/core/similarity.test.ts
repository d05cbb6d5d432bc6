import { describe, expect, it } from 'vitest';
import { distanceGGD, ggdDistance, klGGD } from './ggd.ts';
import type { Ggd } from './ggd-types.ts';
import { createRng } from './random.ts';
import { buildSimilarity, crossDistances, separationReport } from './similarity.ts';

function randomGgds(n: number, seed: number): Ggd[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => ({ sigma: rng.uniform(0.2, 5), beta: rng.uniform(0.3, 3) }));
}

describe('buildSimilarity', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const ggds = randomGgds(ids.length, 4);
  const s = buildSimilarity(ids, ggds);

  it('keeps the id order and has exact zeros on every diagonal', () => {
    expect(s.order).toEqual(ids);
    for (let i = 0; i < ids.length; i++) {
      expect(s.forward[i][i]).toBe(0);
      expect(s.reverse[i][i]).toBe(0);
      expect(s.symmetric[i][i]).toBe(0);
    }
  });

  it('equals direct klGGD calls in each direction', () => {
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < ids.length; j++) {
        if (i === j) continue;
        const ij = klGGD(ggds[i], ggds[j]);
        const ji = klGGD(ggds[j], ggds[i]);
        expect(s.forward[i][j]).toBe(Math.log10(ij + 1e-5) + 5);
        expect(s.reverse[i][j]).toBe(Math.log10(ji + 1e-5) + 5);
        expect(s.symmetric[i][j]).toBeCloseTo(Math.log10((ij + ji) / 2 + 1e-5) + 5, 14);
      }
    }
  });

  it('reverse is the transpose of forward, symmetric is symmetric and lies between them', () => {
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < ids.length; j++) {
        expect(s.reverse[i][j]).toBe(s.forward[j][i]);
        expect(s.symmetric[i][j]).toBe(s.symmetric[j][i]);
        expect(s.symmetric[i][j]).toBeGreaterThanOrEqual(Math.min(s.forward[i][j], s.reverse[i][j]) - 1e-12);
        expect(s.symmetric[i][j]).toBeLessThanOrEqual(Math.max(s.forward[i][j], s.reverse[i][j]) + 1e-12);
      }
    }
    // The random GGDs are asymmetric somewhere, so forward really differs from its transpose.
    expect(s.forward.some((row, i) => row.some((v, j) => Math.abs(v - s.forward[j][i]) > 0.01))).toBe(true);
  });

  it('ranks closer shapes and closer scales as closer', () => {
    const m = buildSimilarity(
      ['laplace', 'near-laplace', 'gauss', 'wide-laplace', 'very-wide-laplace'],
      [
        { sigma: 1, beta: 1 },
        { sigma: 1, beta: 1.1 },
        { sigma: 1, beta: 2 },
        { sigma: 1.2, beta: 1 },
        { sigma: 3, beta: 1 },
      ],
    ).symmetric;
    expect(m[0][1]).toBeLessThan(m[0][2]);
    expect(m[0][3]).toBeLessThan(m[0][4]);
    expect(m[0][1]).toBeGreaterThan(0);
  });

  it('validates its input', () => {
    expect(() => buildSimilarity(['a', 'b'], [{ sigma: 1, beta: 1 }])).toThrow(/2 ids but 1/);
    expect(() => buildSimilarity(['a', 'a'], randomGgds(2, 1))).toThrow(/"a" appears more than once/);
    expect(buildSimilarity([], []).symmetric).toEqual([]);
  });
});

describe('crossDistances', () => {
  it('uses the selection direction D(KL(reference ‖ probe))', () => {
    const probes = randomGgds(3, 8);
    const references = randomGgds(4, 9);
    const m = crossDistances(probes, references);
    expect(m.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) expect(m[i][j]).toBe(distanceGGD(references[j], probes[i]));
    }
  });
});

describe('separationReport', () => {
  it('compares each self-distance with the nearest other entry', () => {
    const ids = ['x', 'y', 'z'];
    const matrix = [
      [0.5, 2.0, 1.5],
      [3.0, 2.5, 2.2], // y is closer to z than to itself
      [4.0, 1.0, 0.2],
    ];
    const report = separationReport(matrix, ids);
    expect(report.map((r) => r.nearestId)).toEqual(['z', 'z', 'y']);
    expect(report.map((r) => r.separated)).toEqual([true, false, true]);
    expect(report[0].margin).toBeCloseTo(1.0, 14);
    expect(report[1].margin).toBeCloseTo(-0.3, 14);
    expect(report[2]).toMatchObject({ id: 'z', selfDistance: 0.2, nearestDistance: 1.0 });
  });

  it('on a symmetric similarity matrix lists nearest neighbours at zero self-distance', () => {
    const ids = ['p', 'q', 'r'];
    const s = buildSimilarity(ids, [
      { sigma: 1, beta: 1 },
      { sigma: 1, beta: 1.05 },
      { sigma: 2, beta: 2 },
    ]);
    const report = separationReport(s.symmetric, ids);
    expect(report.map((r) => r.nearestId)).toEqual(['q', 'p', 'q']);
    expect(report.every((r) => r.selfDistance === 0 && r.separated)).toBe(true);
    expect(report[0].nearestDistance).toBe(ggdDistance((klGGD({ sigma: 1, beta: 1 }, { sigma: 1, beta: 1.05 }) + klGGD({ sigma: 1, beta: 1.05 }, { sigma: 1, beta: 1 })) / 2));
  });

  it('validates the matrix shape', () => {
    expect(() => separationReport([[0]], ['a'])).toThrow(/at least two/);
    expect(() => separationReport([[0, 1]], ['a', 'b'])).toThrow(/2×2/);
  });
});
