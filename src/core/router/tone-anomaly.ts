/**
 * How unusual a photo's tones and colours are (photo-cues.ts) next to the training photos, in one
 * number, without having seen the damage: the third input of the OOD score (router.ts).
 *
 * For each router class (clean and each of the 11), the manifest stores each cue's quantiles on
 * training views of that class at the normal scores TONE_GRID, so a cue maps to a normal score by
 * interpolation (the probit of its rank among the training views). Only the side a damage pushes
 * a cue to counts (PHOTO_CUES' directions). The cues' scores are pooled by a soft maximum, so one
 * clearly unusual cue is enough. The OOD model reads the pooled score under three hypotheses: the
 * class the cues fit best (salt and pepper clips pixels to white, so clipped pixels are ordinary
 * for that class), the classes the router sees, weighted by its probabilities, and clean (an
 * undamaged photo). The fitted model (src/cli/router/ood.ts) weighs the first two up and clean
 * down: tones unusual for the damage the router sees are the sign of other damage, tones merely
 * unlike a clean photo are what the 11 damages do too.
 */
import { CLEAN, ROUTER_CLASSES, type RouterClass } from './classes';
import { PHOTO_CUE_COUNT, PHOTO_CUES, PHOTO_CUES_VERSION } from './photo-cues';

/** Normal scores at which the quantiles are stored: −3 to 3 in steps of 1/4. Beyond them a cue scores ±3. */
export const TONE_GRID: readonly number[] = Array.from({ length: 25 }, (_, i) => -3 + i / 4);
/** Sharpness of the soft maximum over cues: log Σ exp(k·s) / k. */
export const TONE_POOLING_SHARPNESS = 2;

export interface ToneModel {
  /** PHOTO_CUES_VERSION of the cues the quantiles were measured on. */
  readonly cues: string;
  /** Per class, per cue (PHOTO_CUES order), the cue's quantiles at TONE_GRID (non-decreasing). */
  readonly quantiles: Readonly<Partial<Record<RouterClass, readonly (readonly number[])[]>>>;
}

/** The normal score of `x` among a class's training views: piecewise linear between stored quantiles, the middle of a run of equal ones. */
export function normalScore(quantiles: readonly number[], x: number): number {
  const g = quantiles.length;
  if (x < quantiles[0]) return TONE_GRID[0];
  if (x > quantiles[g - 1]) return TONE_GRID[g - 1];
  let lo = 0;
  while (lo < g && quantiles[lo] < x) lo++;
  let hi = lo;
  while (hi < g && quantiles[hi] <= x) hi++;
  if (hi > lo) return (TONE_GRID[lo] + TONE_GRID[hi - 1]) / 2;
  const t = (x - quantiles[lo - 1]) / (quantiles[lo] - quantiles[lo - 1]);
  return TONE_GRID[lo - 1] + t * (TONE_GRID[lo] - TONE_GRID[lo - 1]);
}

export type PhotoCueName = (typeof PHOTO_CUES)[number]['name'];

/** How unusual a photo's tones are for one class, and the cue that stands out most there. */
export interface ToneReading {
  /** The soft maximum of the cues' one-sided normal scores. */
  readonly anomaly: number;
  /** The cue with the highest one-sided normal score, and that score. */
  readonly mostUnusual: { readonly cue: PhotoCueName; readonly score: number };
}

/** How unusual the cues are for one class: the soft maximum of their one-sided normal scores. */
export function toneReadingFor(quantiles: readonly (readonly number[])[], cues: ArrayLike<number>): ToneReading {
  const k = TONE_POOLING_SHARPNESS;
  let sum = 0;
  let mostUnusual: ToneReading['mostUnusual'] = { cue: PHOTO_CUES[0].name, score: -Infinity };
  PHOTO_CUES.forEach((cue, j) => {
    const z = normalScore(quantiles[j], cues[j]);
    const score = cue.direction === 0 ? Math.abs(z) : cue.direction * z;
    sum += Math.exp(k * score);
    if (score > mostUnusual.score) mostUnusual = { cue: cue.name, score };
  });
  return { anomaly: Math.log(sum) / k, mostUnusual };
}

/**
 * The tone evidence the OOD model reads, the pooled score under three hypotheses about the photo:
 * `anomaly` (with `mostUnusual`, which the badge names) under the class the cues fit best, and the
 * two below.
 */
export interface ToneEvidence extends ToneReading {
  /**
   * Under the classes the router sees: −log Σ_c P(c)·exp(−anomaly_c), a soft minimum that a class
   * counts in as much as the router believes it (classes without quantiles left out, the rest
   * renormalised).
   */
  readonly routedAnomaly: number;
  /** Under clean: how unlike an undamaged photo the tones are. */
  readonly cleanAnomaly: number;
}

/** The photo's tone evidence for the OOD model, given the router's class probabilities. */
export function readTone(model: ToneModel, cues: ArrayLike<number>, probabilities: Readonly<Record<RouterClass, number>>): ToneEvidence {
  if (model.cues !== PHOTO_CUES_VERSION) throw new RangeError(`the OOD model was fitted on tone cues '${model.cues}', this build computes '${PHOTO_CUES_VERSION}'`);
  if (cues.length !== PHOTO_CUE_COUNT) throw new RangeError(`expected ${PHOTO_CUE_COUNT} tone cues, got ${cues.length}`);
  if (!model.quantiles[CLEAN]) throw new RangeError(`the OOD model has no tone quantiles for '${CLEAN}'`);
  const readings = ROUTER_CLASSES.flatMap((c) => {
    const q = model.quantiles[c];
    return q ? [{ c, reading: toneReadingFor(q, cues) }] : [];
  });
  const best = readings.reduce((a, b) => (b.reading.anomaly < a.reading.anomaly ? b : a)).reading;
  const cleanAnomaly = readings.find((r) => r.c === CLEAN)!.reading.anomaly;
  const weight = readings.reduce((s, r) => s + probabilities[r.c], 0);
  const weighted = readings.reduce((s, r) => s + probabilities[r.c] * Math.exp(-r.reading.anomaly), 0);
  // No weight on any class with quantiles: the router's belief says nothing here, so clean stands in.
  const routedAnomaly = weight > 0 && weighted > 0 ? -Math.log(weighted / weight) : cleanAnomaly;
  return { ...best, routedAnomaly, cleanAnomaly };
}
