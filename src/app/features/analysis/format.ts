/** Distances are SRGA indices D = log10(KL + 1e-5) + 5: two decimals are all they carry. */
export function formatDistance(distance: number): string {
  return Number.isFinite(distance) ? distance.toFixed(2) : '—';
}

/** "+1.84 dB", "−0.30 dB" (a real minus sign). */
export function formatGain(gainDb: number): string {
  const sign = gainDb > 0 ? '+' : gainDb < 0 ? '−' : '±';
  return `${sign}${Math.abs(gainDb).toFixed(2)} dB`;
}

/** Bar length for a distance in the why panel: 0 at the smallest, 1 at the largest shown. */
export function barFraction(distance: number, min: number, max: number): number {
  if (!(max > min) || !Number.isFinite(distance)) return 1;
  return 0.08 + (0.92 * (distance - min)) / (max - min);
}
