/**
 * The similarity heatmap's data: the manifest's `used` matrix (the one the grouping search ranked
 * with) with rows and columns ordered group by group, so each group is a block on the diagonal.
 */
import type { Manifest } from '../../../core/manifest';

export interface HeatmapGroup {
  id: string;
  name: string;
  /** First position (inclusive) and last position (exclusive) in `ids`. */
  start: number;
  end: number;
}

export interface HeatmapModel {
  /** Degradation ids, group by group (groups in manifest order, members in listed order). */
  ids: string[];
  names: Record<string, string>;
  groups: HeatmapGroup[];
  /** Group index of each position. */
  groupAt: number[];
  /** values[r][c] = used[order.indexOf(ids[r])][order.indexOf(ids[c])]. */
  values: number[][];
  matrix: 'symmetric' | 'forward';
  /** Range of the off-diagonal values (the diagonal, a degradation against itself, would flatten the scale). */
  domain: { min: number; max: number };
}

export function buildHeatmap(manifest: Manifest): HeatmapModel {
  const { similarity } = manifest;
  const names = Object.fromEntries(manifest.degradations.map((d) => [d.id, d.name]));
  const ids: string[] = [];
  const groupAt: number[] = [];
  const groups: HeatmapGroup[] = manifest.groups.map((group, g) => {
    const start = ids.length;
    for (const member of group.members) {
      ids.push(member);
      groupAt.push(g);
    }
    return { id: group.id, name: group.name, start, end: ids.length };
  });
  // The schema guarantees a partition, but never drop a degradation from the picture if one slips through.
  for (const id of similarity.order) if (!ids.includes(id)) (ids.push(id), groupAt.push(-1));
  const index = new Map(similarity.order.map((id, i) => [id as string, i]));
  const used = similarity[similarity.used];
  const values = ids.map((row) => ids.map((col) => used[index.get(row)!][index.get(col)!]));
  let min = Infinity;
  let max = -Infinity;
  values.forEach((row, r) =>
    row.forEach((v, c) => {
      if (r === c || !Number.isFinite(v)) return;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }),
  );
  if (!Number.isFinite(min)) (min = 0), (max = 1);
  return { ids, names, groups, groupAt, values, matrix: similarity.used, domain: { min, max } };
}

/** The user's image as an extra row: its distance to each degradation, in the heatmap's column order. */
export function inputRow(model: HeatmapModel, distances: readonly { id: string; distance: number }[]): (number | null)[] {
  const byId = new Map(distances.map((d) => [d.id, d.distance]));
  return model.ids.map((id) => byId.get(id) ?? null);
}

/** Does a group block start at this position (a boundary line is drawn before it)? */
export function startsGroup(model: HeatmapModel, position: number): boolean {
  return position > 0 && model.groupAt[position] !== model.groupAt[position - 1];
}

export interface CellPosition {
  row: number;
  col: number;
}

/**
 * Roving-tabindex navigation of a rows × cols grid (WAI-ARIA grid pattern): arrows move one cell,
 * Home/End go to the row's ends, Ctrl+Home/End to the grid's corners, PageUp/PageDown to the
 * first/last row. Returns null for keys the grid does not handle.
 */
export function moveFocus(at: CellPosition, key: string, rows: number, cols: number, ctrl = false): CellPosition | null {
  const clamp = (row: number, col: number) => ({ row: Math.max(0, Math.min(rows - 1, row)), col: Math.max(0, Math.min(cols - 1, col)) });
  switch (key) {
    case 'ArrowRight':
      return clamp(at.row, at.col + 1);
    case 'ArrowLeft':
      return clamp(at.row, at.col - 1);
    case 'ArrowDown':
      return clamp(at.row + 1, at.col);
    case 'ArrowUp':
      return clamp(at.row - 1, at.col);
    case 'Home':
      return ctrl ? clamp(0, 0) : clamp(at.row, 0);
    case 'End':
      return ctrl ? clamp(rows - 1, cols - 1) : clamp(at.row, cols - 1);
    case 'PageUp':
      return clamp(0, at.col);
    case 'PageDown':
      return clamp(rows - 1, at.col);
    default:
      return null;
  }
}
