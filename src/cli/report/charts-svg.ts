import { colourAt } from '../../core/colour-scale';

/**
 * Small standalone SVG charts for docs/RESULTS.md, in the style of heatmap-svg.ts: a scatter plot
 * (optionally with the line y = x and a fitted line) and a strip plot of value distributions per
 * category (optionally with a vertical threshold line).
 *
 * Coordinates. A value v on an axis with domain [lo, hi] is drawn at
 *   x = margin.left + (v − lo) / (hi − lo) · plotWidth          (plotWidth = width − margin.left − margin.right)
 *   y = margin.top + (1 − (v − lo) / (hi − lo)) · plotHeight    (plotHeight = height − margin.top − margin.bottom)
 * Without an explicit domain, an axis spans the data padded by 5 % of its range on each side
 * (±0.5 when the data has no spread). Coordinates are written with 2 decimals.
 */
export interface Margin {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface ScatterPoint {
  x: number;
  y: number;
  /** Shown as the point's tooltip. */
  label?: string;
  /** Points of one series share a colour; series get a legend. */
  series?: string;
}

export interface ScatterOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Draws y = x (dashed); without explicit domains, both axes then share one domain. */
  identityLine?: boolean;
  /** Draws y = intercept + slope · x across the plot. */
  fitLine?: { slope: number; intercept: number; label?: string };
  /** One line of text under the title (e.g. "r = 0.72, n = 33"). */
  note?: string;
  xDomain?: [number, number];
  yDomain?: [number, number];
  width?: number;
  height?: number;
  margin?: Margin;
}

export interface StripCategory {
  label: string;
  values: number[];
}

export interface StripOptions {
  title: string;
  xLabel: string;
  /** A vertical line at `value` (e.g. the OOD threshold). */
  threshold?: { value: number; label?: string };
  note?: string;
  xDomain?: [number, number];
  width?: number;
  /** Height of one category's row. */
  rowHeight?: number;
  margin?: Margin;
}

export const SCATTER_DEFAULTS = { width: 560, height: 440, margin: { left: 70, right: 24, top: 56, bottom: 56 } } as const;
/** Without an explicit margin, margin.left grows to fit the row labels (and the width with it). */
export const STRIP_DEFAULTS = { width: 680, rowHeight: 44, margin: { left: 120, right: 24, top: 56, bottom: 56 } } as const;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => String(Math.round(v * 100) / 100 + 0);

/** The data's extent padded by 5 % of its range (±0.5 without spread); [0, 1] without data. */
export function paddedDomain(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  const lo = Math.min(...finite), hi = Math.max(...finite);
  if (hi - lo < 1e-12) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** Round-numbered ticks (steps of 1, 2 or 5 × 10^k) inside [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): { values: number[]; decimals: number } {
  if (!(hi > lo)) return { values: [lo], decimals: 2 };
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) values.push(+v.toFixed(decimals + 2));
  return { values, decimals };
}

function scale(domain: [number, number], from: number, length: number, invert: boolean) {
  const [lo, hi] = domain;
  return (v: number) => {
    const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return from + (invert ? 1 - t : t) * length;
  };
}

function seriesColour(index: number, count: number): string {
  // Stay clear of the scale's pale yellow end: the charts have a white background.
  return colourAt(count <= 1 ? 0.25 : (index / (count - 1)) * 0.8);
}

function header(width: number, height: number, title: string, note: string | undefined, left: number): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escape(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...(note ? [`<text x="${left}" y="38" fill="#444">${escape(note)}</text>`] : []),
  ];
}

function xAxis(parts: string[], domain: [number, number], x: (v: number) => number, top: number, bottom: number, label: string, centre: number): void {
  const ticks = niceTicks(domain[0], domain[1]);
  parts.push(`<line class="axis" x1="${num(x(domain[0]))}" y1="${num(bottom)}" x2="${num(x(domain[1]))}" y2="${num(bottom)}" stroke="black"/>`);
  for (const t of ticks.values) {
    parts.push(
      `<line x1="${num(x(t))}" y1="${num(top)}" x2="${num(x(t))}" y2="${num(bottom)}" stroke="#eee"/>`,
      `<line x1="${num(x(t))}" y1="${num(bottom)}" x2="${num(x(t))}" y2="${num(bottom + 4)}" stroke="black"/>`,
      `<text x="${num(x(t))}" y="${num(bottom + 16)}" text-anchor="middle">${t.toFixed(ticks.decimals)}</text>`,
    );
  }
  parts.push(`<text x="${num(centre)}" y="${num(bottom + 36)}" text-anchor="middle">${escape(label)}</text>`);
}

export function scatterSvg(points: readonly ScatterPoint[], options: ScatterOptions): string {
  const width = options.width ?? SCATTER_DEFAULTS.width, height = options.height ?? SCATTER_DEFAULTS.height;
  const m = options.margin ?? SCATTER_DEFAULTS.margin;
  const plotW = width - m.left - m.right, plotH = height - m.top - m.bottom;
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const shared = options.identityLine ? paddedDomain([...xs, ...ys]) : null;
  const xDomain = options.xDomain ?? shared ?? paddedDomain(xs);
  const yDomain = options.yDomain ?? shared ?? paddedDomain(ys);
  const x = scale(xDomain, m.left, plotW, false), y = scale(yDomain, m.top, plotH, true);
  const seriesCount = new Set(points.map((p) => p.series ?? '')).size;
  const legendWidth = seriesCount > 1 ? 120 : 0;
  const parts = header(width + legendWidth, height, options.title, options.note, m.left);
  parts.push(`<clipPath id="plot-area"><rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}"/></clipPath>`);
  xAxis(parts, xDomain, x, m.top, m.top + plotH, options.xLabel, m.left + plotW / 2);
  const yTicks = niceTicks(yDomain[0], yDomain[1]);
  parts.push(`<line class="axis" x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}" stroke="black"/>`);
  for (const t of yTicks.values) {
    parts.push(
      `<line x1="${m.left}" y1="${num(y(t))}" x2="${m.left + plotW}" y2="${num(y(t))}" stroke="#eee"/>`,
      `<line x1="${m.left - 4}" y1="${num(y(t))}" x2="${m.left}" y2="${num(y(t))}" stroke="black"/>`,
      `<text x="${m.left - 7}" y="${num(y(t) + 4)}" text-anchor="end">${t.toFixed(yTicks.decimals)}</text>`,
    );
  }
  parts.push(`<text transform="translate(${m.left - 50},${num(m.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`);
  if (options.identityLine) {
    const lo = Math.max(xDomain[0], yDomain[0]), hi = Math.min(xDomain[1], yDomain[1]);
    if (hi > lo) {
      parts.push(
        `<line class="identity" x1="${num(x(lo))}" y1="${num(y(lo))}" x2="${num(x(hi))}" y2="${num(y(hi))}" stroke="#888" stroke-dasharray="6 4"/>`,
        `<text x="${num(x(hi) - 4)}" y="${num(y(hi) + 14)}" text-anchor="end" fill="#666">y = x</text>`,
      );
    }
  }
  if (options.fitLine) {
    const f = options.fitLine, at = (v: number) => f.intercept + f.slope * v;
    parts.push(`<line class="fit" x1="${num(x(xDomain[0]))}" y1="${num(y(at(xDomain[0])))}" x2="${num(x(xDomain[1]))}" y2="${num(y(at(xDomain[1])))}" stroke="#c0392b" stroke-width="1.5" clip-path="url(#plot-area)"/>`);
    if (f.label) parts.push(`<text x="${m.left + plotW}" y="${m.top - 8}" text-anchor="end" fill="#c0392b">${escape(f.label)}</text>`);
  }
  const series = [...new Set(points.map((p) => p.series ?? ''))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  points.forEach((p) => {
    const fill = seriesColour(series.indexOf(p.series ?? ''), series.length);
    const tip = `${p.label ? `${p.label}: ` : ''}(${p.x.toFixed(3)}, ${p.y.toFixed(3)})`;
    parts.push(`<circle class="point" cx="${num(x(p.x))}" cy="${num(y(p.y))}" r="3.5" fill="${fill}" fill-opacity="0.75"><title>${escape(tip)}</title></circle>`);
  });
  if (series.length > 1) {
    // The legend sits right of the plot, in extra width (the plot's coordinates do not move).
    series.forEach((s, i) => {
      const ly = m.top + 8 + i * 16;
      parts.push(
        `<circle cx="${width + 10}" cy="${ly}" r="4" fill="${seriesColour(i, series.length)}"/>`,
        `<text x="${width + 18}" y="${ly + 4}">${escape(s)}</text>`,
      );
    });
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Vertical offset of the k-th dot of a row, in (−0.3, 0.3) row heights: deterministic jitter. */
export function stripJitter(k: number, rowHeight: number): number {
  return (((k * 0.6180339887) % 1) - 0.5) * 0.6 * rowHeight;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b), h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export function stripPlotSvg(categories: readonly StripCategory[], options: StripOptions): string {
  const rowHeight = options.rowHeight ?? STRIP_DEFAULTS.rowHeight;
  // Without an explicit margin, the left one fits the longest row label.
  const longest = Math.max(0, ...categories.map((c) => `${c.label} (n = ${c.values.length})`.length));
  const m = options.margin ?? { ...STRIP_DEFAULTS.margin, left: Math.max(STRIP_DEFAULTS.margin.left, Math.ceil(longest * 6) + 16) };
  const width = options.width ?? STRIP_DEFAULTS.width + (m.left - STRIP_DEFAULTS.margin.left);
  const plotW = width - m.left - m.right, plotH = Math.max(1, categories.length) * rowHeight;
  const height = m.top + plotH + m.bottom;
  const all = categories.flatMap((c) => c.values);
  const xDomain = options.xDomain ?? paddedDomain(options.threshold ? [...all, options.threshold.value] : all);
  const x = scale(xDomain, m.left, plotW, false);
  const parts = header(width, height, options.title, options.note, m.left);
  xAxis(parts, xDomain, x, m.top, m.top + plotH, options.xLabel, m.left + plotW / 2);
  categories.forEach((c, i) => {
    const centre = m.top + (i + 0.5) * rowHeight;
    const fill = seriesColour(i, categories.length);
    if (i > 0) parts.push(`<line x1="${m.left}" y1="${num(m.top + i * rowHeight)}" x2="${m.left + plotW}" y2="${num(m.top + i * rowHeight)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 8}" y="${num(centre + 4)}" text-anchor="end">${escape(`${c.label} (n = ${c.values.length})`)}</text>`);
    c.values.forEach((v, k) => {
      parts.push(`<circle class="point" cx="${num(x(v))}" cy="${num(centre + stripJitter(k, rowHeight))}" r="3" fill="${fill}" fill-opacity="0.7"><title>${escape(`${c.label}: ${v.toFixed(3)}`)}</title></circle>`);
    });
    if (c.values.length) {
      const md = x(median(c.values));
      parts.push(`<line class="median" x1="${num(md)}" y1="${num(centre - rowHeight * 0.4)}" x2="${num(md)}" y2="${num(centre + rowHeight * 0.4)}" stroke="black" stroke-width="2"/>`);
    }
  });
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  if (options.threshold) {
    const tx = x(options.threshold.value);
    parts.push(
      `<line class="threshold" x1="${num(tx)}" y1="${m.top}" x2="${num(tx)}" y2="${num(m.top + plotH)}" stroke="#c0392b" stroke-width="2" stroke-dasharray="6 3"/>`,
      `<text x="${num(tx + 4)}" y="${m.top - 4}" fill="#c0392b">${escape(options.threshold.label ?? `threshold ${options.threshold.value.toFixed(2)}`)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
