import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { auroc, mean, normalCdf, quantile } from '../../core/calibration-stats';
import { isOodDegradation, OOD_DEGRADATION_TABLE } from '../../core/degradations/out-of-distribution';
import type { RgbImage } from '../../core/image';
import { fitLogistic } from '../../core/jpeg-check';
import { createRng } from '../../core/random';
import { CLEAN, ROUTER_CLASSES, type RouterClass } from '../../core/router/classes';
import { PHOTO_CUE_COUNT, PHOTO_CUES_VERSION, photoCues } from '../../core/router/photo-cues';
import { oodEvidence, oodScore, routerEnergy, routerProbabilities, type OodEvidence, type OodModel } from '../../core/router/router';
import { readTone, TONE_GRID, type ToneModel } from '../../core/router/tone-anomaly';
import { atomicWrite, readImage } from '../io/images';
import type { EvalImage } from '../eval/evaluate';
import { storedCropInputs, type RouterCrop } from './calibrate';
import { damage, SAMPLES_VERSION, trainingView } from './dataset';
import { photoFiles } from './generate';

/**
 * The OOD model of the router rule, fitted on training photos only:
 * 1. the tone model (core/router/tone-anomaly.ts): each tone cue's quantiles per router class, on
 *    training views of the router's training photos, drawn and damaged as the router's own samples
 *    are. It never sees an out-of-distribution damage;
 * 2. a logistic model over the router's energy, the DDR distance and the tone anomaly under three
 *    hypotheses (the best-fitting class, the router's classes, clean), on the held-out calibration
 *    crops (in-distribution against the OOD table's damages), its threshold set to flag at most
 *    OOD_FALSE_FLAG_RATE of the degraded in-distribution crops and at most that share of the clean
 *    photos: the clean corners and the normal photos (calibrate.ts NORMAL_PHOTOS: whole photos, and
 *    photos re-saved as JPEG at the qualities cameras use), which the logistic fit also reads as
 *    in-distribution.
 * Leaving each OOD kind out of the logistic fit in turn and scoring it afterwards estimates how the
 * model does on a kind of damage it has not seen.
 */

/** The OOD threshold flags at most this share of the held-out degraded crops, and at most this share of the clean ones. */
export const OOD_FALSE_FLAG_RATE = 0.05;

/**
 * Names how the threshold is set, in the stored fit: a fit made under another rule (one rate over
 * degraded and clean crops together, which has no name; or the clean corners alone, without the
 * normal photos) is fitted again.
 */
export const OOD_THRESHOLD_RULE = 'each of degraded and clean, clean including normal photos';

export interface ToneSample {
  label: RouterClass;
  cues: number[];
}

/** Tone cues of `draws` training views per class of one photo (view, then the class's damage, as the router's samples). */
export function photoToneSamples(photo: RgbImage, draws: number, seed: number): ToneSample[] {
  const rng = createRng(seed);
  const out: ToneSample[] = [];
  for (let d = 0; d < draws; d++) {
    for (const label of ROUTER_CLASSES) out.push({ label, cues: Array.from(photoCues(damage(trainingView(photo, rng), label, rng))) });
  }
  return out;
}

/**
 * The tone samples of every training photo but the held-out ones. Resumable: the samples so far are
 * written to `cachePath` every few photos, and a rerun with the same settings continues from there.
 */
export async function toneSamples(o: { images: string; heldOut: readonly string[]; draws: number; seed: number; cachePath: string; log: (line: string) => void }): Promise<ToneSample[]> {
  const files = (await photoFiles(o.images)).map((name, index) => ({ name, index })).filter(({ name }) => !o.heldOut.includes(name));
  const settings = { cues: PHOTO_CUES_VERSION, samples: SAMPLES_VERSION, draws: o.draws, seed: o.seed, photos: files.length };
  let done: Record<string, ToneSample[]> = {};
  if (existsSync(o.cachePath)) {
    const cached = JSON.parse(await readFile(o.cachePath, 'utf8')) as { settings: typeof settings; perPhoto: Record<string, ToneSample[]> };
    if (JSON.stringify(cached.settings) === JSON.stringify(settings)) done = cached.perPhoto;
  }
  const save = () => atomicWrite(o.cachePath, JSON.stringify({ settings, perPhoto: done }));
  for (const [k, { name, index }] of files.entries()) {
    if (done[name]) continue;
    done[name] = photoToneSamples(await readImage(join(o.images, name)), o.draws, o.seed * 100003 + index);
    if ((k + 1) % 20 === 0 || k + 1 === files.length) {
      await save();
      o.log(`  tone samples: ${k + 1}/${files.length} photos`);
    }
  }
  return files.flatMap(({ name }) => done[name]);
}

/** Per class and cue, the quantiles at the probabilities Φ(TONE_GRID), to 6 significant digits (the manifest stays small; the cues' own noise is far larger). */
export function fitToneModel(samples: readonly ToneSample[]): ToneModel {
  const quantiles: Partial<Record<RouterClass, number[][]>> = {};
  for (const label of ROUTER_CLASSES) {
    const of = samples.filter((s) => s.label === label);
    if (!of.length) continue;
    quantiles[label] = Array.from({ length: PHOTO_CUE_COUNT }, (_, j) => {
      const sorted = of.map((s) => s.cues[j]).sort((a, b) => a - b);
      return TONE_GRID.map((z) => Number(quantile(sorted, normalCdf(z)).toPrecision(6)));
    });
  }
  if (!quantiles[CLEAN]) throw new Error('the tone model needs clean training views');
  return { cues: PHOTO_CUES_VERSION, quantiles };
}

/** A calibration crop's name in records: photo, corner and source (and how a clean photo was presented, for NORMAL_PHOTOS). */
export const cropKey = (c: Pick<RouterCrop, 'image' | 'crop' | 'source' | 'presented'>) =>
  `${c.image}#${c.crop}#${c.source}${c.presented ? `#${c.presented.whole ? 'whole' : 'crop'}-jpeg${c.presented.jpegQuality ?? 'none'}` : ''}`;

/** Calibration crops measured before the OOD model read tone cues get them now, from the same inputs. */
export function withPhotoCues(crops: readonly RouterCrop[], images: EvalImage[], crop: number | null, cropsPerImage: number, seed: number): RouterCrop[] {
  const inputOf = storedCropInputs(images, crop, cropsPerImage, seed);
  return crops.map((c) => (c.photoCues ? c : { ...c, photoCues: Array.from(photoCues(inputOf(c))) }));
}

export interface OodFit extends OodModel {
  /** On the calibration crops: every OOD crop against every in-distribution crop, and against the clean ones. */
  auroc: number;
  aurocVsClean: number;
  /** Per OOD kind: AUROC against the in-distribution crops, the same with the kind left out of the logistic fit, and the share flagged. */
  perKind: Record<string, { auroc: number; aurocLeftOut: number; flagged: number }>;
  /**
   * Shares of in-distribution crops flagged: the degraded ones, the clean ones (every clean photo,
   * as it is and as NORMAL_PHOTOS presents it), and of those the clean photos re-saved as JPEG and the
   * whole photos (absent in fits made without NORMAL_PHOTOS).
   */
  falseFlags: { degraded: number; clean: number; resaved?: number; whole?: number };
  /** How the threshold was set (OOD_THRESHOLD_RULE); absent in fits made under the earlier single-rate rule. */
  thresholdRule?: string;
  description: string;
}

type OodWeights = Pick<OodModel, 'energyWeight' | 'distanceWeight' | 'toneWeight' | 'routedToneWeight' | 'cleanToneWeight' | 'bias'>;

/** Logistic regression of "out of distribution" on the five inputs (weights folded back to raw units). */
function fitWeights(rows: readonly { e: OodEvidence; ood: boolean }[]): OodWeights {
  const fit = fitLogistic(rows.map((r) => [r.e.energy, r.e.nearestGroupDistance, r.e.toneAnomaly, r.e.routedToneAnomaly, r.e.cleanToneAnomaly]), rows.map((r) => r.ood));
  const [energyWeight, distanceWeight, toneWeight, routedToneWeight, cleanToneWeight] = fit.weights.map((w, i) => w / fit.scale[i]);
  const bias = fit.bias - fit.weights.reduce((s, w, i) => s + (w * fit.mean[i]) / fit.scale[i], 0);
  return { energyWeight, distanceWeight, toneWeight, routedToneWeight, cleanToneWeight, bias };
}

/** The lowest threshold that flags at most `rate` of `scores` (a score at or above it is flagged). */
export function thresholdFlagging(scores: readonly number[], rate: number): number {
  const sorted = [...scores].sort((a, b) => a - b);
  let cut = sorted.length - Math.floor(rate * sorted.length); // flags sorted[cut..]
  // A tie across the cut would flag more than allowed: move the cut above it.
  while (cut > 0 && cut < sorted.length && sorted[cut - 1] === sorted[cut]) cut++;
  return cut < sorted.length ? sorted[cut] : sorted[sorted.length - 1] + 1e-9;
}

/** Fits the OOD model on calibration crops that carry their tone cues, and reports how it separates them. */
export function fitOodModel(crops: readonly RouterCrop[], temperature: number, tone: ToneModel, falseFlagRate = OOD_FALSE_FLAG_RATE): OodFit {
  const rows = crops.map((c) => {
    if (!c.photoCues) throw new Error(`calibration crop ${c.image} #${c.crop} (${c.source}) has no tone cues`);
    const reading = readTone(tone, c.photoCues, routerProbabilities(c.logits, temperature));
    return { source: c.source, ood: c.kind === 'ood', presented: c.presented, e: oodEvidence(routerEnergy(c.logits, temperature), c.nearestGroupDistance, reading) };
  });
  const weights = fitWeights(rows);
  const scoresOf = (keep: (r: (typeof rows)[number]) => boolean, w: OodWeights = weights) => rows.filter(keep).map((r) => oodScore(w, r.e));
  const inScores = scoresOf((r) => !r.ood);
  const degradedScores = scoresOf((r) => !r.ood && r.source !== CLEAN);
  const cleanScores = scoresOf((r) => r.source === CLEAN);
  // Each population on its own: with the router trained on outliers, degraded crops score far
  // below clean ones, and one rate over both would flag many clean photos. The clean photos (corners
  // and whole photos, as they are and re-saved at the qualities cameras use) decide the threshold
  // then; that is the false flag a user sees on an undamaged photo.
  const threshold = Math.min(1 - 1e-6, Math.max(1e-6, thresholdFlagging(degradedScores, falseFlagRate), thresholdFlagging(cleanScores, falseFlagRate)));
  const flaggedShare = (scores: readonly number[]) => mean(scores.map((s) => (s >= threshold ? 1 : 0)));
  const flaggedShareIfAny = (scores: readonly number[]) => (scores.length ? flaggedShare(scores) : undefined);
  const oodScores = scoresOf((r) => r.ood);
  const kinds = [...new Set(rows.filter((r) => r.ood).map((r) => r.source))];
  const perKind = Object.fromEntries(kinds.map((kind) => {
    const leftOut = fitWeights(rows.filter((r) => r.source !== kind));
    return [kind, {
      auroc: auroc(scoresOf((r) => r.source === kind), inScores),
      aurocLeftOut: auroc(scoresOf((r) => r.source === kind, leftOut), scoresOf((r) => !r.ood, leftOut)),
      flagged: mean(scoresOf((r) => r.source === kind).map((s) => (s >= threshold ? 1 : 0))),
    }];
  }));
  const fit = {
    ...weights, threshold, tone, thresholdRule: OOD_THRESHOLD_RULE,
    auroc: auroc(oodScores, inScores),
    aurocVsClean: auroc(oodScores, cleanScores),
    perKind,
    falseFlags: {
      degraded: flaggedShare(degradedScores), clean: flaggedShare(cleanScores),
      resaved: flaggedShareIfAny(scoresOf((r) => r.presented?.jpegQuality != null)), whole: flaggedShareIfAny(scoresOf((r) => r.presented?.whole === true)),
    },
  };
  const name = (kind: string) => (isOodDegradation(kind) ? OOD_DEGRADATION_TABLE[kind].name.toLowerCase() : kind);
  const description = `logistic model over the router's energy, the distance to the nearest group and the photo's tone anomaly (tone cues against their quantiles on training views of each class) under the class the cues fit best, under the classes the router sees and under clean, fitted on ${inScores.length} in-distribution and ${oodScores.length} out-of-distribution held-out training crops (${kinds.map(name).join(', ')}); the threshold flags at most ${100 * falseFlagRate} % of the degraded in-distribution ones and at most ${100 * falseFlagRate} % of the clean photos (corners and whole photos, as they are and re-saved as JPEG q85–95). Held-out AUROC ${fit.auroc.toFixed(3)}; with each kind left out of the fit, ${kinds.map((k) => `${name(k)} ${perKind[k].aurocLeftOut.toFixed(2)}`).join(', ')}`;
  return { ...fit, description };
}

/** Why a stored fit is not this build's OOD model (another version of the tone cues, an input it lacks, another threshold rule), or null when it is. */
export function staleOodFit(fit: Partial<OodFit>): string | null {
  if (fit.tone?.cues !== PHOTO_CUES_VERSION) return `was fitted on other tone cues than ${PHOTO_CUES_VERSION}`;
  if (fit.routedToneWeight === undefined || fit.cleanToneWeight === undefined) return 'has no weights on the tone anomaly under the router\'s classes and under clean';
  if (fit.thresholdRule !== OOD_THRESHOLD_RULE) return `set its threshold by another rule than "${OOD_THRESHOLD_RULE}"`;
  return null;
}

/** The manifest's `router.ood` from a fit (the report's figures stay in the zoo's files). */
export function manifestOod(fit: OodFit): OodModel & { description: string } {
  const { energyWeight, distanceWeight, toneWeight, routedToneWeight, cleanToneWeight, bias, threshold, tone, description } = fit;
  return { energyWeight, distanceWeight, toneWeight, routedToneWeight, cleanToneWeight, bias, threshold, tone, description };
}
