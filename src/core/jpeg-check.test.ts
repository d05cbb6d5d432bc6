import { describe, expect, it } from 'vitest';
import { DescriptorSummary, fitLogistic, jpegProbability, JPEG_BLOCK, SUMMARY_PER_CHANNEL } from './jpeg-check';
import { createRng } from './random';

/** Feature rows C×S×S for patches at `corners`, each value computed from its image position. */
function rowsFrom(corners: { x: number; y: number }[], channels: number, side: number, value: (c: number, x: number, y: number, patch: number) => number): Float32Array {
  const plane = side * side;
  const rows = new Float32Array(corners.length * channels * plane);
  corners.forEach(({ x: x0, y: y0 }, r) => {
    for (let c = 0; c < channels; c++) for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
      rows[r * channels * plane + c * plane + y * side + x] = value(c, x0 + x, y0 + y, r);
    }
  });
  return rows;
}

describe('DescriptorSummary', () => {
  it('matches the definitions computed directly from every feature value and its image position', () => {
    const rng = createRng(3);
    const corners = [{ x: 0, y: 0 }, { x: 3, y: 11 }, { x: 13, y: 5 }];
    const side = 16, channels = 2;
    const noise = Array.from({ length: 3 * channels * side * side }, () => rng.normal());
    const rows = rowsFrom(corners, channels, side, (c, x, y, r) => noise[((r * channels + c) * side + (y - corners[r].y)) * side + (x - corners[r].x)] + c);
    const summary = new DescriptorSummary(channels, side);
    summary.add(rows.subarray(0, channels * side * side), corners.slice(0, 1));
    summary.add(rows.subarray(channels * side * side), corners.slice(1));
    const got = summary.finish();
    expect(got).toHaveLength(channels * SUMMARY_PER_CHANNEL);

    // The same numbers from plain lists of (value, phase) pairs.
    for (let c = 0; c < channels; c++) {
      const all: number[] = [], boundary: number[] = [], core: number[] = [], across: number[] = [], within: number[] = [];
      corners.forEach(({ x: x0, y: y0 }, r) => {
        const at = (x: number, y: number) => rows[r * channels * side * side + c * side * side + y * side + x];
        for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
          const v = at(x, y), px = (x0 + x) % 8, py = (y0 + y) % 8;
          all.push(v);
          if ([0, 7].includes(px) || [0, 7].includes(py)) boundary.push(v);
          if ([2, 3, 4, 5].includes(px) && [2, 3, 4, 5].includes(py)) core.push(v);
          if (x < side - 1) (px === 7 ? across : within).push(at(x + 1, y) - v);
        }
      });
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      const sq = (a: number[]) => mean(a.map((v) => v * v));
      const m = mean(all);
      const expected = [
        m,
        Math.log(mean(all.map((v) => (v - m) ** 2))),
        Math.log(sq(all) / mean(all.map(Math.abs)) ** 2),
        Math.log(mean(all.map((v) => v ** 4)) / sq(all) ** 2),
        Math.log(sq(boundary) / sq(core)),
        Math.log(sq(across) / sq(within)),
      ];
      got.slice(c * SUMMARY_PER_CHANNEL, (c + 1) * SUMMARY_PER_CHANNEL).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    }
  });

  it('reads the block grid from image positions, not patch positions', () => {
    // A feature that is 3 on JPEG's block boundaries and 1 elsewhere, seen through patches at odd offsets.
    const corners = [{ x: 5, y: 2 }, { x: 17, y: 9 }];
    const onGrid = (p: number) => p % JPEG_BLOCK === 0 || p % JPEG_BLOCK === JPEG_BLOCK - 1;
    const rows = rowsFrom(corners, 1, 16, (_c, x, y) => (onGrid(x) || onGrid(y) ? 3 : 1));
    const summary = new DescriptorSummary(1, 16);
    summary.add(rows, corners);
    expect(summary.finish()[4]).toBeCloseTo(Math.log(9), 6);
    // The same values placed as if every patch sat at the origin put the boundaries elsewhere.
    const shifted = new DescriptorSummary(1, 16);
    shifted.add(rows, [{ x: 0, y: 0 }, { x: 0, y: 0 }]);
    expect(shifted.finish()[4]).toBeLessThan(Math.log(9) - 0.5);
  });

  it('is unavailable when feature maps are not at the patch size, and checks row lengths', () => {
    expect(DescriptorSummary.forRows(32 * 16 * 16, 16)?.channels).toBe(32);
    expect(DescriptorSummary.forRows(32 * 64 * 64 + 1, 16)).toBeNull();
    expect(DescriptorSummary.forRows(4 * 4 * 3, 4)).toBeNull();
    expect(() => new DescriptorSummary(2, 16).add(new Float32Array(10), [{ x: 0, y: 0 }])).toThrow(/expected 1 feature rows of 512 values/);
    expect(() => new DescriptorSummary(2, 16).finish()).toThrow(/no features/);
  });
});

describe('fitLogistic', () => {
  // Two Gaussian clouds, 2-D, overlapping a little; the third input is constant.
  const rng = createRng(11);
  const samples: number[][] = [];
  const labels: boolean[] = [];
  for (let i = 0; i < 200; i++) {
    const positive = i % 4 === 0;
    samples.push([rng.normal() + (positive ? 3 : 0), 3 * rng.normal() - (positive ? 4 : 0), 7]);
    labels.push(positive);
  }
  const lambda = 1e-2;
  const fit = fitLogistic(samples, labels, { lambda, iterations: 3000 });
  const check = { ...fit, features: 'test', threshold: 0.5 };

  it('reaches the optimum: the gradient of the penalised log-loss vanishes there', () => {
    const n = samples.length;
    const grad = [0, 0, 0, 0];
    samples.forEach((s, k) => {
      const x = s.map((v, i) => (v - fit.mean[i]) / fit.scale[i]);
      const error = jpegProbability(check, s) - (labels[k] ? 1 : 0);
      x.forEach((v, i) => (grad[i] += (error * v) / n));
      grad[3] += error / n;
    });
    fit.weights.forEach((w, i) => (grad[i] += lambda * w));
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-4);
    expect(fit.weights[2]).toBeCloseTo(0, 10); // a constant input carries no weight
  });

  it('separates the classes it was trained on', () => {
    const right = samples.filter((s, k) => (jpegProbability(check, s) >= 0.5) === labels[k]).length;
    expect(right / samples.length).toBeGreaterThan(0.9);
    expect(fit.weights[0]).toBeGreaterThan(0);
    expect(fit.weights[1]).toBeLessThan(0);
  });

  it('refuses data it cannot fit, and a summary of the wrong length, with clear messages', () => {
    expect(() => fitLogistic([[1], [2]], [true, true])).toThrow(/both classes/);
    expect(() => fitLogistic([[1], [2, 3]], [true, false])).toThrow(/same number of values/);
    expect(() => jpegProbability(check, [1, 2])).toThrow(/reads 3 summary values, but the analysis gave 2/);
  });
});
