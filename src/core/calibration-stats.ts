/**
 * Statistics for calibrating selection: the OOD threshold (Youden's J on in- vs out-of-distribution
 * distances), its AUROC, and the linear fit that predicts PSNR gain from distance.
 */
export interface LinearFit {
  slope: number;
  intercept: number;
  /** Pearson correlation of x and y (equal, up to sign, to that of the fit's predictions and y). */
  r: number;
  n: number;
}

/** The mean of a sample; 0 for an empty one (a class or kind with no crops reports 0, not NaN). */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2) throw new RangeError('pearson needs two equal-length samples of at least 2 values');
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Ordinary least squares y ≈ intercept + slope·x. */
export function linearFit(x: readonly number[], y: readonly number[]): LinearFit {
  const r = pearson(x, y);
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx, r, n: x.length };
}

/** Linear-interpolation quantile (R type 7) of ascending `sorted`, p ∈ [0, 1]. */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p, lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

/** Φ(x), the standard normal CDF, through erf (Abramowitz & Stegun 7.1.26: absolute error under 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** P(score of a positive > score of a negative), ties counting one half (Mann–Whitney U / n·m). */
export function auroc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) throw new RangeError('auroc needs positives and negatives');
  const all = [...positives.map((v) => ({ v, p: 1 })), ...negatives.map((v) => ({ v, p: 0 }))].sort((a, b) => a.v - b.v);
  // Average ranks over ties, then U = Σ ranks of positives − n(n+1)/2.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].p) rankSum += averageRank;
    i = j;
  }
  const n = positives.length, m = negatives.length;
  return (rankSum - (n * (n + 1)) / 2) / (n * m);
}

/**
 * The threshold t that maximises TPR − FPR for "score > t means positive", placed halfway between
 * neighbouring observed scores. Returns the threshold with its rates.
 */
export function youdenThreshold(positives: readonly number[], negatives: readonly number[]): { threshold: number; tpr: number; fpr: number; j: number } {
  const values = [...new Set([...positives, ...negatives])].sort((a, b) => a - b);
  const candidates = [values[0] - 1, ...values.slice(0, -1).map((v, i) => (v + values[i + 1]) / 2), values[values.length - 1] + 1];
  let best = { threshold: candidates[0], tpr: 1, fpr: 1, j: 0 };
  for (const t of candidates) {
    const tpr = positives.filter((v) => v > t).length / positives.length;
    const fpr = negatives.filter((v) => v > t).length / negatives.length;
    if (tpr - fpr > best.j) best = { threshold: t, tpr, fpr, j: tpr - fpr };
  }
  return best;
}
