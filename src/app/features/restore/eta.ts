/** "12 / 48 tiles". */
export function formatTiles(done: number, total: number): string {
  return `${done} / ${total} ${total === 1 ? 'tile' : 'tiles'}`;
}

/** A calm estimate: "about 40 s left", "about 3 min left", "estimating…" before the first tile. */
export function formatEta(etaMs: number | null): string {
  if (etaMs === null || !Number.isFinite(etaMs) || etaMs < 0) return 'estimating time left…';
  const seconds = Math.round(etaMs / 1000);
  if (seconds < 2) return 'almost done';
  if (seconds < 60) return `about ${seconds} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  return `about ${hours} h ${minutes % 60} min left`;
}

/** "850 ms", "4.2 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** 0–100, for <progress>. */
export function percent(done: number, total: number): number {
  return total > 0 ? Math.round((100 * Math.min(done, total)) / total) : 0;
}
