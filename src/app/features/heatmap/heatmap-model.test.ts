import { describe, expect, it } from 'vitest';
import { fixtureManifest } from '../../testing/fixture-manifest';
import { colourAt, colourFor, normalise } from '../../../core/colour-scale';
import { buildHeatmap, inputRow, moveFocus, startsGroup } from './heatmap-model';

describe('heatmap model', () => {
  it('orders rows and columns group by group and keeps every value', () => {
    const manifest = fixtureManifest();
    const model = buildHeatmap(manifest);
    expect(model.ids).toEqual(manifest.groups.flatMap((g) => g.members));
    expect(model.groups.map((g) => [g.start, g.end])).toEqual([[0, 3], [3, 6], [6, 8], [8, 10], [10, 11]]);
    const { order, symmetric } = manifest.similarity;
    model.ids.forEach((row, r) =>
      model.ids.forEach((col, c) => expect(model.values[r][c]).toBe(symmetric[order.indexOf(row as never)][order.indexOf(col as never)])),
    );
    expect(startsGroup(model, 3)).toBe(true);
    expect(startsGroup(model, 4)).toBe(false);
    expect(startsGroup(model, 0)).toBe(false);
  });

  it('uses the matrix the manifest says the search used', () => {
    const manifest = fixtureManifest();
    manifest.similarity.used = 'forward';
    const model = buildHeatmap(manifest);
    const { order, forward } = manifest.similarity;
    expect(model.matrix).toBe('forward');
    expect(model.values[0][1]).toBe(forward[order.indexOf(model.ids[0] as never)][order.indexOf(model.ids[1] as never)]);
  });

  it('scales colours over the off-diagonal range', () => {
    const model = buildHeatmap(fixtureManifest());
    const offDiagonal = model.values.flatMap((row, r) => row.filter((_, c) => c !== r));
    expect(model.domain).toEqual({ min: Math.min(...offDiagonal), max: Math.max(...offDiagonal) });
    expect(colourFor(model.domain.min, model.domain)).toBe(colourAt(0));
    expect(colourFor(-100, model.domain)).toBe('rgb(68, 1, 84)'); // clamped
    expect(colourAt(1)).toBe('rgb(253, 231, 37)');
    expect(normalise(5, 5, 5)).toBe(0.5);
  });

  it('places the input image distances in column order', () => {
    const model = buildHeatmap(fixtureManifest());
    const row = inputRow(model, [{ id: 'jpeg', distance: 1.5 }, { id: 'gaussian_blur', distance: 3 }]);
    expect(row[model.ids.indexOf('jpeg')]).toBe(1.5);
    expect(row[0]).toBe(3);
    expect(row.filter((v) => v === null)).toHaveLength(9);
  });

  it('moves focus like a grid', () => {
    expect(moveFocus({ row: 0, col: 0 }, 'ArrowLeft', 3, 3)).toEqual({ row: 0, col: 0 });
    expect(moveFocus({ row: 0, col: 0 }, 'ArrowRight', 3, 3)).toEqual({ row: 0, col: 1 });
    expect(moveFocus({ row: 1, col: 1 }, 'End', 3, 3)).toEqual({ row: 1, col: 2 });
    expect(moveFocus({ row: 1, col: 1 }, 'End', 3, 3, true)).toEqual({ row: 2, col: 2 });
    expect(moveFocus({ row: 2, col: 1 }, 'PageUp', 3, 3)).toEqual({ row: 0, col: 1 });
    expect(moveFocus({ row: 2, col: 1 }, 'x', 3, 3)).toBeNull();
  });
});
