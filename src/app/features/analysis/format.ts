import type { PhotoCueName } from '../../../core/router/tone-anomaly';

/** "G3": a group's short tag, its 1-based place in the manifest (the id itself when it is not listed). */
export function groupTag(groups: readonly { id: string }[] | undefined, id: string): string {
  const index = groups?.findIndex((g) => g.id === id) ?? -1;
  return index >= 0 ? `G${index + 1}` : id;
}

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

/** A probability as a percentage a reader takes in at a glance: "97 %", "< 1 %", "> 99 %". */
export function formatProbability(p: number): string {
  if (p < 0.01) return '< 1 %';
  if (p > 0.99) return '> 99 %';
  return `${Math.round(p * 100)} %`;
}

/** A share as "1 in n" where n is a whole number (½ → "1 in 2"), else as a percentage. */
export function formatShare(share: number): string {
  const n = Math.round(1 / share);
  return Math.abs(n * share - 1) < 1e-9 ? `1 in ${n}` : `${Math.round(share * 100)} %`;
}

/** The routing rules as the app names them. */
export const RULE_NAME = { router: 'the learned router', kl: "the paper's KL rule" } as const;

/** A router class by its manifest name; 'clean' is no damage at all. */
export function routerClassName(id: string, degradations: readonly { id: string; name: string }[]): string {
  if (id === 'clean') return 'No damage';
  return degradations.find((d) => d.id === id)?.name ?? id;
}

/** Each tone cue as a photographer would say it, for the OOD badge (core/router/photo-cues.ts). */
export const TONE_CUE_PHRASE: Readonly<Record<PhotoCueName, string>> = {
  dark_channel_p10: 'its darkest tones are lifted, as by haze, fog or fading',
  luma_p99: 'nothing in it is bright, as in an under-exposed photo',
  edge_red_over_green: 'its colours lean one way, as with a colour cast',
  edge_blue_over_green: 'its colours lean one way, as with a colour cast',
  corner_over_centre: 'its corners are darker than its centre, as with vignetting',
  brightest_corner_over_centre: 'its corners are darker than its centre, as with vignetting',
  block_contrast_p90: 'it has little contrast anywhere, as through haze or on a faded print',
  log_level_occupancy: 'it has few distinct tones, as when posterised',
  log_white_share: 'many highlights are clipped, as when over-exposed or colour-cast',
  black_point: 'even its darkest tones are grey, as through haze or on a faded print',
  black_point_cells_q25: 'it has no true black anywhere, as through haze or on a faded print',
  warm_edge_floor: 'one edge is washed with warm light, as by a light leak',
};

/** A tone cue this far out (in normal scores, about 1 training photo in 40) is worth naming. */
export const UNUSUAL_CUE_SCORE = 2;
