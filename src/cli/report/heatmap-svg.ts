import { colourAt as colour } from '../../core/colour-scale';

/**
 * A standalone SVG heatmap of a distance matrix (smaller = more similar = darker), with values
 * in the cells, optional group boundaries, and a colour legend. Used for similarity.svg and
 * docs/RESULTS.md.
 */
export interface HeatmapOptions {
  title: string;
  /** Groups of labels, drawn as boxes on the diagonal (rows/columns must already be ordered by group). */
  groups?: string[][];
  cell?: number;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function heatmapSvg(matrix: number[][], labels: string[], options: HeatmapOptions): string {
  const n = labels.length;
  const cell = options.cell ?? 44;
  const left = 120, top = 130, legend = 60;
  const values = matrix.flatMap((row, i) => row.filter((_, j) => j !== i));
  const lo = Math.min(...values), hi = Math.max(...values);
  const norm = (v: number) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  const width = left + n * cell + legend + 40, height = top + n * cell + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escape(options.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
  ];
  labels.forEach((label, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${escape(label)}</text>`);
    const x = left + i * cell + cell / 2;
    parts.push(`<text transform="translate(${x + 4},${top - 6}) rotate(-60)">${escape(label)}</text>`);
  });
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      const t = norm(v);
      parts.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${i === j ? '#eee' : colour(t)}"><title>${escape(labels[i])} → ${escape(labels[j])}: ${v.toFixed(3)}</title></rect>`,
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" fill="${i === j || t > 0.6 ? 'black' : 'white'}">${v.toFixed(2)}</text>`,
      );
    }),
  );
  let start = 0;
  for (const group of options.groups ?? []) {
    parts.push(`<rect x="${left + start * cell}" y="${top + start * cell}" width="${group.length * cell}" height="${group.length * cell}" fill="none" stroke="black" stroke-width="3"/>`);
    start += group.length;
  }
  const lx = left + n * cell + 20;
  for (let k = 0; k < 50; k++) parts.push(`<rect x="${lx}" y="${top + (k * n * cell) / 50}" width="16" height="${(n * cell) / 50 + 0.5}" fill="${colour(k / 49)}"/>`);
  parts.push(`<text x="${lx + 20}" y="${top + 10}">${lo.toFixed(2)} (similar)</text>`, `<text x="${lx + 20}" y="${top + n * cell}">${hi.toFixed(2)} (distant)</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
