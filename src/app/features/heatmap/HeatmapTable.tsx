import { formatDistance } from '../analysis/format';
import type { HeatmapModel } from './heatmap-model';

/** The heatmap's numbers as a table, for screen readers and for copying. */
export function HeatmapTable({ model, input }: { model: HeatmapModel; input: { name: string; values: (number | null)[] } | null }) {
  return (
    <div className="table-scroll">
      <table className="heatmap-table" data-testid="heatmap-table">
        <caption>
          Distance D between degradations ({model.matrix} KL), rows and columns grouped. Smaller is more similar.
        </caption>
        <thead>
          <tr>
            <td />
            {model.ids.map((id) => (
              <th key={id} scope="col">
                {model.names[id]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {model.values.map((row, r) => (
            <tr key={model.ids[r]}>
              <th scope="row">
                <span className="group-tag">G{model.groupAt[r] + 1}</span> {model.names[model.ids[r]]}
              </th>
              {row.map((value, c) => (
                <td key={model.ids[c]} className="num" data-testid="heatmap-table-cell" data-row={model.ids[r]} data-col={model.ids[c]} data-value={value}>
                  {formatDistance(value)}
                </td>
              ))}
            </tr>
          ))}
          {input && (
            <tr className="is-input">
              <th scope="row">Your photo ({input.name})</th>
              {input.values.map((value, c) => (
                <td key={model.ids[c]} className="num" data-testid="heatmap-table-cell" data-row="input" data-col={model.ids[c]} data-value={value ?? ''}>
                  {value === null ? '—' : formatDistance(value)}
                </td>
              ))}
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
