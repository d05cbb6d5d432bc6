/**
 * Which descriptor layer the DDR reads, from measurements of each candidate (see `grids zoo`,
 * stage 2). Rule: the one-standard-error rule of model selection. The best top-1 share (validation
 * crops routed to their own degradation) sets the bar; every candidate within one binomial standard
 * error of it, and separating as many degradations as the best, is as good as the measurement can
 * tell; of those, the cheapest wins (candidates are listed cheapest first). Users pay for the
 * layer's depth on every photo they analyse.
 */
export interface LayerMeasurement {
  layer: string;
  separatedCount: number;
  top1: number;
  crops: number;
}

export interface LayerDecision {
  chosen: string;
  /** The best candidate's top-1 share minus one standard error: the bar the chosen layer clears. */
  bar: number;
  rule: string;
}

export function chooseDdrLayer(candidates: readonly LayerMeasurement[]): LayerDecision {
  if (!candidates.length) throw new Error('no DDR layer candidates were measured');
  const best = [...candidates].sort((a, b) => b.top1 - a.top1 || b.separatedCount - a.separatedCount)[0];
  const standardError = Math.sqrt((best.top1 * (1 - best.top1)) / best.crops);
  const bar = best.top1 - standardError;
  // Candidates are cheapest first, so the first one that clears the bar is the cheapest.
  const chosen = candidates.find((c) => c.top1 >= bar && c.separatedCount >= best.separatedCount)!;
  return {
    chosen: chosen.layer,
    bar,
    rule: `cheapest layer within one standard error (${(standardError * 100).toFixed(1)} points) of the best top-1 share (${best.layer}, ${(best.top1 * 100).toFixed(1)} % of ${best.crops} crops), separating as many degradations`,
  };
}
