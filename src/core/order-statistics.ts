/**
 * Order statistics without a full sort: Hoare's quickselect finds the k-th smallest value in linear
 * time on average, where sorting is n·log n. The router's patch cues take medians with it and the
 * tone cues take nearest-rank quantiles; both give exactly the value a sort would put at that rank.
 */

/** k-th smallest of values[0..n) (0-based), rearranging them. */
export function kthSmallest(values: Float64Array, n: number, k: number): number {
  if (!(k >= 0 && k < n && n <= values.length)) throw new RangeError(`rank ${k} is outside 0..${n - 1} (${values.length} values)`);
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/**
 * The q-quantile (0..1) by nearest rank, the value at round(q·(n − 1)) in sorted order; 0 when
 * there are no values. Rearranges `values`.
 */
export function nearestRankQuantile(values: Float64Array, q: number): number {
  const n = values.length;
  if (!n) return 0;
  return kthSmallest(values, n, Math.min(n - 1, Math.max(0, Math.round(q * (n - 1)))));
}
