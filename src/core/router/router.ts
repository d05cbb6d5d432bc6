/**
 * Reading the learned router's output: calibrated class probabilities, a probability per group (the
 * sum over its members), the expected gain of every model under those probabilities, and an
 * out-of-distribution score that combines the router's energy, the DDR distance and the photo's
 * tone anomaly.
 *
 * The network itself (router.onnx) runs in the worker (onnxruntime-web) and the CLI
 * (onnxruntime-node); everything here is shared, so both reach the same decision.
 */
import { CLEAN, ROUTER_CLASSES, type RouterClass } from './classes';
import type { ToneEvidence, ToneModel } from './tone-anomaly';

export const ROUTER_INPUT = 'patches';
export const ROUTER_OUTPUT = 'logits';

/** Softmax of logits / temperature, as a record over ROUTER_CLASSES. */
export function routerProbabilities(logits: ArrayLike<number>, temperature: number): Record<RouterClass, number> {
  if (logits.length !== ROUTER_CLASSES.length) throw new RangeError(`the router gave ${logits.length} logits, expected ${ROUTER_CLASSES.length} (${ROUTER_CLASSES.join(', ')})`);
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
  const scaled = Array.from(logits, (l) => l / temperature);
  const top = Math.max(...scaled);
  const exps = scaled.map((s) => Math.exp(s - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return Object.fromEntries(ROUTER_CLASSES.map((c, i) => [c, exps[i] / total])) as Record<RouterClass, number>;
}

/**
 * The share of undamaged views the router was trained and calibrated on: src/cli/router/dataset.ts
 * draws every class equally often, and the held-out calibration crops hold each class once.
 */
export const TRAINED_CLEAN_SHARE = 1 / ROUTER_CLASSES.length;

/** The prior share of undamaged photos a manifest's router (or a calibration record) is read under; absent in ones made before it existed: the trained share, so nothing moves. */
export const cleanPriorOf = (readout: { readonly cleanPrior?: number }): number => readout.cleanPrior ?? TRAINED_CLEAN_SHARE;

/**
 * The class probabilities under another prior (Bayes' rule; Saerens et al. 2002, "Adjusting the
 * outputs of a classifier to new a priori probabilities"): the router's probabilities hold for
 * classes seen equally often; a photo brought to the app is undamaged with probability
 * `cleanPrior`, and each damage is otherwise equally likely. Each class's probability is scaled by
 * its new prior over its trained one, then all are renormalised; at TRAINED_CLEAN_SHARE nothing
 * moves, and the order of the damages among themselves never does.
 */
export function withCleanPrior(probabilities: Readonly<Record<RouterClass, number>>, cleanPrior: number): Record<RouterClass, number> {
  if (!(cleanPrior > 0 && cleanPrior < 1)) throw new RangeError(`the prior share of undamaged photos must be between 0 and 1 (exclusive), got ${cleanPrior}`);
  const damages = ROUTER_CLASSES.length - 1;
  const ratio = (c: RouterClass) => (c === CLEAN ? cleanPrior / TRAINED_CLEAN_SHARE : (1 - cleanPrior) / damages / TRAINED_CLEAN_SHARE);
  const scaled = ROUTER_CLASSES.map((c) => probabilities[c] * ratio(c));
  const total = scaled.reduce((a, b) => a + b, 0);
  return Object.fromEntries(ROUTER_CLASSES.map((c, i) => [c, scaled[i] / total])) as Record<RouterClass, number>;
}

/**
 * Free energy −T·log Σ exp(logit / T) (Liu et al. 2020, "Energy-based out-of-distribution
 * detection"): low for inputs like the training data, higher for unfamiliar ones.
 */
export function routerEnergy(logits: ArrayLike<number>, temperature: number): number {
  const scaled = Array.from(logits, (l) => l / temperature);
  const top = Math.max(...scaled);
  return -temperature * (top + Math.log(scaled.reduce((s, x) => s + Math.exp(x - top), 0)));
}

/** The key of the largest value (the first listed wins a tie): the most likely class, or group. */
export function mostLikely<K extends string>(probabilities: Readonly<Record<K, number>>, among: readonly K[] = Object.keys(probabilities) as K[]): K {
  return among.reduce((best, k) => (probabilities[k] > probabilities[best] ? k : best), among[0]);
}

/** A group's probability is the sum of its members'. */
export function groupProbabilities(probabilities: Readonly<Record<RouterClass, number>>, groups: readonly { id: string; members: readonly string[] }[]): Record<string, number> {
  return Object.fromEntries(groups.map((g) => [g.id, g.members.reduce((s, m) => s + (probabilities[m as RouterClass] ?? 0), 0)]));
}

/** Mean PSNR gain (dB) of each model (group id or 'baseline') on each class, measured on held-out crops. */
export type GainTable = Readonly<Record<string, Readonly<Partial<Record<RouterClass, number>>>>>;

/**
 * Σ_c P(c) · gain[model][c]: the gain a model should bring to this photo, averaged over what the
 * router thinks the damage is. A class missing from a model's row counts as no gain.
 */
export function expectedGain(probabilities: Readonly<Record<RouterClass, number>>, row: Readonly<Partial<Record<RouterClass, number>>>): number {
  return ROUTER_CLASSES.reduce((s, c) => s + probabilities[c] * (row[c] ?? 0), 0);
}

/** Every model's expected gain under the probabilities (expectedGain per row of the table). */
export function expectedGains(probabilities: Readonly<Record<RouterClass, number>>, table: GainTable): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([model, row]) => [model, expectedGain(probabilities, row)]));
}

/**
 * The router's proposal, before the safe policy: 'none' when P(clean) reaches the no-damage
 * threshold ('no-damage') or no model is expected to gain anything ('no-gain'); otherwise the model
 * ('baseline' or a group id) of highest expected gain (`gains`, from expectedGains). The routing contract (routing.ts) and the
 * zoo's measurement of the policy (src/cli/router/calibrate.ts) both decide through this.
 */
export function routerProposal(
  probabilities: Readonly<Record<RouterClass, number>>,
  gains: Readonly<Record<string, number>>,
  noDamageThreshold: number,
  hasBaseline = true,
): { model: string; expectedGain: number; reason: 'no-damage' | 'no-gain' | 'expected-gain' } {
  if (probabilities[CLEAN] >= noDamageThreshold) return { model: 'none', expectedGain: 0, reason: 'no-damage' };
  let best = 'none';
  let bestGain = 0; // leaving the photo alone gains exactly 0
  for (const [model, g] of Object.entries(gains)) {
    if (model === 'baseline' && !hasBaseline) continue;
    if (g > bestGain) [best, bestGain] = [model, g];
  }
  return best === 'none' ? { model: 'none', expectedGain: 0, reason: 'no-gain' } : { model: best, expectedGain: bestGain, reason: 'expected-gain' };
}

/**
 * The OOD score: a logistic model over what the router knows (its energy), the DDR distance to the
 * nearest group (the paper's cue), and how unusual the photo's tones and colours are
 * (tone-anomaly.ts: under the class they fit best, under the classes the router sees, and under
 * clean), which the other two hardly see.
 */
export interface OodModel {
  readonly energyWeight: number;
  readonly distanceWeight: number;
  /** On the tone anomaly under the best-fitting class. */
  readonly toneWeight: number;
  /** On the tone anomaly under the router's classes (0 in a model fitted without it). */
  readonly routedToneWeight: number;
  /** On the tone anomaly under clean (0 in a model fitted without it). */
  readonly cleanToneWeight: number;
  readonly bias: number;
  /** Flag when the score (a probability of being out of distribution) reaches this. */
  readonly threshold: number;
  readonly tone: ToneModel;
}

/** The OOD score's inputs for one photo. */
export interface OodEvidence {
  readonly energy: number;
  readonly nearestGroupDistance: number;
  readonly toneAnomaly: number;
  readonly routedToneAnomaly: number;
  readonly cleanToneAnomaly: number;
}

/** The OOD score's inputs from the router's energy, the DDR distance and the photo's tone evidence. */
export const oodEvidence = (energy: number, nearestGroupDistance: number, tone: ToneEvidence): OodEvidence => ({
  energy, nearestGroupDistance, toneAnomaly: tone.anomaly, routedToneAnomaly: tone.routedAnomaly, cleanToneAnomaly: tone.cleanAnomaly,
});

export function oodScore(model: Omit<OodModel, 'tone' | 'threshold'>, e: OodEvidence): number {
  const z = model.bias + model.energyWeight * e.energy + model.distanceWeight * e.nearestGroupDistance
    + model.toneWeight * e.toneAnomaly + model.routedToneWeight * e.routedToneAnomaly + model.cleanToneWeight * e.cleanToneAnomaly;
  return 1 / (1 + Math.exp(-z));
}
