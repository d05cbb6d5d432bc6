import { useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { Manifest } from '../../../core/manifest';
import { formatDistance } from '../analysis/format';
import { colourFor, legendGradient } from '../../../core/colour-scale';
import { buildHeatmap, inputRow, moveFocus, startsGroup, type CellPosition, type HeatmapModel } from './heatmap-model';
import { HeatmapTable } from './HeatmapTable';

export interface InputDistances {
  name: string;
  distances: readonly { id: string; distance: number }[];
}

const MATRIX_LABEL = { symmetric: 'symmetric KL', forward: 'forward KL' } as const;

/**
 * The manifest's degradation similarity matrix as a heatmap, grouped; after an analysis, the user's
 * photo is an extra row. Every cell is keyboard-focusable (one tab stop, arrow keys move: the
 * WAI-ARIA grid pattern), and "Show as table" gives the same numbers as a plain table.
 */
export function Heatmap({ manifest, input }: { manifest: Manifest; input: InputDistances | null }) {
  const model = useMemo(() => buildHeatmap(manifest), [manifest]);
  const extra = input ? inputRow(model, input.distances) : null;
  const [asTable, setAsTable] = useState(false);
  const [hovered, setHovered] = useState<CellPosition | null>(null);
  const [active, setActive] = useState<CellPosition>({ row: 0, col: 1 });
  const [focused, setFocused] = useState(false);
  const shown = hovered ?? (focused ? active : null);

  return (
    <div className="heatmap" data-testid="heatmap" data-matrix={model.matrix}>
      <div className="heatmap-toolbar">
        <Legend model={model} />
        <button
          type="button"
          className="button button-small"
          aria-pressed={asTable}
          onClick={() => setAsTable((v) => !v)}
          data-testid="heatmap-table-toggle"
        >
          {asTable ? 'Show as heatmap' : 'Show as table'}
        </button>
      </div>
      {asTable ? (
        <HeatmapTable model={model} input={input && extra ? { name: input.name, values: extra } : null} />
      ) : (
        <>
          <HeatmapGrid
            model={model}
            extra={extra}
            inputName={input?.name ?? null}
            active={active}
            onActive={setActive}
            onHover={setHovered}
            onFocusChange={setFocused}
          />
          <Readout model={model} extra={extra} inputName={input?.name ?? null} cell={shown} />
        </>
      )}
      <GroupKey model={model} />
    </div>
  );
}

function HeatmapGrid({
  model,
  extra,
  inputName,
  active,
  onActive,
  onHover,
  onFocusChange,
}: {
  model: HeatmapModel;
  extra: (number | null)[] | null;
  inputName: string | null;
  active: CellPosition;
  onActive: (cell: CellPosition) => void;
  onHover: (cell: CellPosition | null) => void;
  onFocusChange: (focused: boolean) => void;
}) {
  const n = model.ids.length;
  const rows = extra ? n + 1 : n;
  const gridRef = useRef<HTMLDivElement>(null);
  const current = { row: Math.min(active.row, rows - 1), col: Math.min(active.col, n - 1) };

  const focusCell = (cell: CellPosition) => {
    onActive(cell);
    gridRef.current?.querySelector<HTMLElement>(`[data-pos="${cell.row}-${cell.col}"]`)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const next = moveFocus(current, event.key, rows, n, event.ctrlKey || event.metaKey);
    if (!next) return;
    event.preventDefault();
    focusCell(next);
  };

  const cell = (row: number, col: number, value: number | null, rowId: string) => {
    const colId = model.ids[col];
    const classes = ['heatmap-cell'];
    if (startsGroup(model, col)) classes.push('edge-left');
    if (row < n && startsGroup(model, row)) classes.push('edge-top');
    if (row === n) classes.push('is-input');
    if (row === col) classes.push('is-diagonal');
    const label =
      value === null ? 'no value' : `${row === n ? 'Your photo' : model.names[rowId]} to ${model.names[colId]}: ${formatDistance(value)}`;
    return (
      <div
        key={colId}
        role="gridcell"
        className={classes.join(' ')}
        tabIndex={row === current.row && col === current.col ? 0 : -1}
        style={value === null ? undefined : { backgroundColor: colourFor(value, model.domain) }}
        aria-label={label}
        title={label}
        data-testid="heatmap-cell"
        data-row={rowId}
        data-col={colId}
        data-value={value === null ? '' : String(value)}
        data-pos={`${row}-${col}`}
        onFocus={() => onActive({ row, col })}
        onPointerEnter={() => onHover({ row, col })}
      />
    );
  };

  return (
    <div
      ref={gridRef}
      className="heatmap-grid"
      role="grid"
      aria-label={`Degradation similarity (${MATRIX_LABEL[model.matrix]} distance), grouped. Smaller is more similar.`}
      aria-rowcount={rows + 1}
      aria-colcount={n + 1}
      style={{ '--n': n } as CSSProperties}
      onKeyDown={onKeyDown}
      onPointerLeave={() => onHover(null)}
      onFocus={() => onFocusChange(true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) onFocusChange(false);
      }}
    >
      <div role="row" className="heatmap-row">
        <span role="columnheader" className="heatmap-corner" />
        {model.ids.map((id, col) => (
          <span key={id} role="columnheader" className={`heatmap-colhead ${startsGroup(model, col) ? 'edge-left' : ''}`} title={model.names[id]}>
            <span>{model.names[id]}</span>
          </span>
        ))}
      </div>
      {model.values.map((values, row) => (
        <div role="row" className="heatmap-row" key={model.ids[row]}>
          <span role="rowheader" className={`heatmap-rowhead ${startsGroup(model, row) ? 'edge-top' : ''}`}>
            <span className="group-tag">G{model.groupAt[row] + 1}</span> {model.names[model.ids[row]]}
          </span>
          {values.map((value, col) => cell(row, col, value, model.ids[row]))}
        </div>
      ))}
      {extra && (
        <div role="row" className="heatmap-row heatmap-input-row" data-testid="heatmap-input-row">
          <span role="rowheader" className="heatmap-rowhead is-input" title={inputName ?? undefined}>
            Your photo
          </span>
          {extra.map((value, col) => cell(n, col, value, 'input'))}
        </div>
      )}
    </div>
  );
}

/** One line, always the same height (no layout jump): the value under the pointer or the focus. */
function Readout({ model, extra, inputName, cell }: { model: HeatmapModel; extra: (number | null)[] | null; inputName: string | null; cell: CellPosition | null }) {
  const n = model.ids.length;
  let text = 'Hover over or focus a cell to read its value.';
  if (cell) {
    const colName = model.names[model.ids[cell.col]];
    if (cell.row === n && extra) {
      text = `Your photo${inputName ? ` (${inputName})` : ''} → ${colName}: D = ${formatDistance(extra[cell.col] ?? NaN)}`;
    } else if (cell.row < n) {
      const same = model.groupAt[cell.row] === model.groupAt[cell.col];
      text = `${model.names[model.ids[cell.row]]} ↔ ${colName}: D = ${formatDistance(model.values[cell.row][cell.col])}${
        cell.row !== cell.col ? (same ? ' · same group' : ' · different groups') : ''
      }`;
    }
  }
  return (
    <p className="heatmap-readout" data-testid="heatmap-readout" aria-live="polite">
      {text}
    </p>
  );
}

function Legend({ model }: { model: HeatmapModel }) {
  return (
    <div className="heatmap-legend" data-testid="heatmap-legend">
      <span className="small">more similar</span>
      <span className="legend-bar" style={{ backgroundImage: legendGradient() }} aria-hidden="true" />
      <span className="small">less similar</span>
      <span className="muted small">
        D from {formatDistance(model.domain.min)} to {formatDistance(model.domain.max)} ({MATRIX_LABEL[model.matrix]})
      </span>
    </div>
  );
}

function GroupKey({ model }: { model: HeatmapModel }) {
  return (
    <ol className="group-key" aria-label="Groups">
      {model.groups.map((g, i) => (
        <li key={g.id}>
          <span className="group-tag">G{i + 1}</span> {model.ids.slice(g.start, g.end).map((id) => model.names[id]).join(', ')}
        </li>
      ))}
    </ol>
  );
}
