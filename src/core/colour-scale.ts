/**
 * A perceptually ordered sequential scale (viridis stops): low distance (similar) is dark purple,
 * high distance (dissimilar) is yellow. Works on light and dark backgrounds, and is readable by
 * people with the common colour-vision deficiencies. Shared by the app's heatmap and the CLI's SVG
 * heatmap, so both pictures of the similarity matrix read the same.
 */
const STOPS: readonly [number, number, number][] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
];

/** Position of `value` in [min, max], clamped to [0, 1]. */
export function normalise(value: number, min: number, max: number): number {
  if (!(max > min)) return 0.5;
  return Math.max(0, Math.min(1, (value - min) / (max - min)));
}

export function colourAt(t: number): string {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [r, g, b] = STOPS[i].map((c, k) => Math.round(c + (STOPS[i + 1][k] - c) * f));
  return `rgb(${r}, ${g}, ${b})`;
}

export function colourFor(value: number, domain: { min: number; max: number }): string {
  return colourAt(normalise(value, domain.min, domain.max));
}

/** The same scale as a CSS gradient, for the legend. */
export function legendGradient(direction = 'to right'): string {
  return `linear-gradient(${direction}, ${STOPS.map((_, i) => colourAt(i / (STOPS.length - 1))).join(', ')})`;
}
