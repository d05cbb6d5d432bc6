import { describe, expect, it } from 'vitest';
import { fitGGD, sampleGGD } from '../../core/ggd';
import { createRng } from '../../core/random';
import { channelGgds, channelGroupReferences, channelSelection, createKnn, recordingExtractor } from './selection-study';

describe('selection study pieces', () => {
  it('k-NN: perfect on well separated clusters, near chance on one shared distribution', () => {
    const rng = createRng(3);
    const cluster = (label: string, cx: number, spread: number, n: number) =>
      Array.from({ length: n }, () => ({ label, vector: [cx + spread * rng.normal(), 100 * rng.normal()] }));
    // The second coordinate is pure noise with a large scale: without per-coordinate scaling it would swamp the first.
    const separated = createKnn([...cluster('a', 0, 0.1, 40), ...cluster('b', 5, 0.1, 40)], 5);
    const queries = [...cluster('a', 0, 0.1, 50), ...cluster('b', 5, 0.1, 50)];
    expect(queries.filter((q) => separated(q.vector) === q.label).length).toBeGreaterThanOrEqual(95);
    const mixed = createKnn([...cluster('a', 0, 1, 200), ...cluster('b', 0, 1, 200)], 15);
    const hits = [...cluster('a', 0, 1, 200), ...cluster('b', 0, 1, 200)].filter((q) => mixed(q.vector) === q.label).length;
    expect(hits / 400).toBeGreaterThan(0.4);
    expect(hits / 400).toBeLessThan(0.6);
  });

  it('per-channel GGDs equal fits of each channel’s centred values, across batches', async () => {
    const rng = createRng(8);
    const channels = 3, spatial = 50;
    const shapes = [0.7, 1.5, 2.5];
    const batch = (n: number) => {
      const rows = new Float32Array(n * channels * spatial);
      for (let p = 0; p < n; p++) for (let c = 0; c < channels; c++) {
        const draw = sampleGGD({ sigma: c + 1, beta: shapes[c] }, spatial, rng);
        for (let j = 0; j < spatial; j++) rows[p * channels * spatial + c * spatial + j] = draw[j] + 10 * c; // offset: must be centred away
      }
      return { rows, cols: channels * spatial };
    };
    const recorder = recordingExtractor(async () => batch(30));
    await recorder.extract([]);
    await recorder.extract([]);
    const batches = recorder.take();
    expect(recorder.take()).toEqual([]);
    const fits = channelGgds(batches, channels);
    for (let c = 0; c < channels; c++) {
      const values = batches.flatMap(({ rows }) => Array.from({ length: 30 }, (_, p) => Array.from(rows.subarray(p * 150 + c * 50, p * 150 + c * 50 + 50))).flat());
      const mean = values.reduce((s, x) => s + x, 0) / values.length;
      expect(fits[c]).toEqual(fitGGD(values.map((x) => x - mean)));
      expect(fits[c].beta).toBeCloseTo(shapes[c], 0);
    }
    expect(() => channelGgds(batches, 7)).toThrow(/do not split into 7 channels/);
  });

  it('per-channel selection picks the group whose channel GGDs match the input', () => {
    const refs = { x: [{ sigma: 1, beta: 2 }, { sigma: 0.2, beta: 0.8 }], y: [{ sigma: 0.3, beta: 1 }, { sigma: 1, beta: 2 }] };
    const groups = channelGroupReferences(refs, [{ id: 'gx', members: ['x'] }, { id: 'gy', members: ['y'] }, { id: 'gxy', members: ['x', 'y'] }]);
    expect(groups[2].channels).toEqual([{ sigma: 0.65, beta: 1.5 }, { sigma: 0.6, beta: 1.4 }]);
    expect(channelSelection(refs.y, groups).chosen).toBe('gy');
    expect(channelSelection(refs.x, groups)).toEqual({ chosen: 'gx', distance: 0 + Math.log10(1e-5) + 5 });
  });
});
