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
import { oodScore, routerEnergy, type OodEvidence, type OodModel } from '../../core/router/router';
import { TONE_GRID, toneAnomaly, type ToneModel } from '../../core/router/tone-anomaly';
import { atomicWrite, readImage } from '../io/images';
import type { EvalImage } from '../eval/evaluate';
import { storedCropInputs, type RouterCrop } from './calibrate';
import { damage, trainingView } from './dataset';
import { photoFiles } from './generate';

/**
 * The OOD model of the router rule, fitted on training photos only:
 * 1. the tone model (core/router/tone-anomaly.ts): each tone cue's quantiles per router class, on
 *    training views of the router's training photos, drawn and damaged as the router's own samples
 *    are. It never sees an out-of-distribution damage;
 * 2. a logistic model over the router's energy, the DDR distance and the tone anomaly, on the
 *    held-out calibration crops (in-distribution against the OOD table's damages), its threshold set
 *    to flag OOD_FALSE_FLAG_RATE of the in-distribution crops.
 * Leaving each OOD kind out of the logistic fit in turn and scoring it afterwards estimates how the
 * model does on a kind of damage it has not seen.
 */

/** The OOD threshold flags this share of held-out in-distribution crops (degraded and clean). */
export const OOD_FALSE_FLAG_RATE = 0.05;

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
  const settings = { cues: PHOTO_CUES_VERSION, draws: o.draws, seed: o.seed, photos: files.length };
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

/** A calibration crop's name in records: photo, corner and source. */
export const cropKey = (c: Pick<RouterCrop, 'image' | 'crop' | 'source'>) => `${c.image}#${c.crop}#${c.source}`;

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
  /** Shares of in-distribution crops flagged: the degraded ones, and the clean ones. */
  falseFlags: { degraded: number; clean: number };
  description: string;
}

/** Logistic regression of "out of distribution" on the three inputs (weights folded back to raw units). */
function fitWeights(rows: readonly { e: OodEvidence; ood: boolean }[]): Pick<OodModel, 'energyWeight' | 'distanceWeight' | 'toneWeight' | 'bias'> {
  const fit = fitLogistic(rows.map((r) => [r.e.energy, r.e.nearestGroupDistance, r.e.toneAnomaly]), rows.map((r) => r.ood));
  const [energyWeight, distanceWeight, toneWeight] = fit.weights.map((w, i) => w / fit.scale[i]);
  const bias = fit.bias - fit.weights.reduce((s, w, i) => s + (w * fit.mean[i]) / fit.scale[i], 0);
  return { energyWeight, distanceWeight, toneWeight, bias };
}

/** Fits the OOD model on calibration crops that carry their tone cues, and reports how it separates them. */
export function fitOodModel(crops: readonly RouterCrop[], temperature: number, tone: ToneModel, falseFlagRate = OOD_FALSE_FLAG_RATE): OodFit {
  const rows = crops.map((c) => {
    if (!c.photoCues) throw new Error(`calibration crop ${c.image} #${c.crop} (${c.source}) has no tone cues`);
    return { source: c.source, ood: c.kind === 'ood', e: { energy: routerEnergy(c.logits, temperature), nearestGroupDistance: c.nearestGroupDistance, toneAnomaly: toneAnomaly(tone, c.photoCues) } };
  });
  const weights = fitWeights(rows);
  const inScores = rows.filter((r) => !r.ood).map((r) => oodScore(weights, r.e));
  const sorted = [...inScores].sort((a, b) => a - b);
  const threshold = Math.min(1 - 1e-6, Math.max(1e-6, sorted[Math.min(sorted.length - 1, Math.floor((1 - falseFlagRate) * sorted.length))]));
  const oodScores = rows.filter((r) => r.ood).map((r) => oodScore(weights, r.e));
  const cleanScores = rows.filter((r) => r.source === CLEAN).map((r) => oodScore(weights, r.e));
  const kinds = [...new Set(rows.filter((r) => r.ood).map((r) => r.source))];
  const perKind = Object.fromEntries(kinds.map((kind) => {
    const own = rows.filter((r) => r.source === kind);
    const leftOut = fitWeights(rows.filter((r) => r.source !== kind));
    return [kind, {
      auroc: auroc(own.map((r) => oodScore(weights, r.e)), inScores),
      aurocLeftOut: auroc(own.map((r) => oodScore(leftOut, r.e)), rows.filter((r) => !r.ood).map((r) => oodScore(leftOut, r.e))),
      flagged: mean(own.map((r) => (oodScore(weights, r.e) >= threshold ? 1 : 0))),
    }];
  }));
  const degradedScores = rows.filter((r) => !r.ood && r.source !== CLEAN).map((r) => oodScore(weights, r.e));
  const fit = {
    ...weights, threshold, tone,
    auroc: auroc(oodScores, inScores),
    aurocVsClean: auroc(oodScores, cleanScores),
    perKind,
    falseFlags: { degraded: mean(degradedScores.map((s) => (s >= threshold ? 1 : 0))), clean: mean(cleanScores.map((s) => (s >= threshold ? 1 : 0))) },
  };
  const name = (kind: string) => (isOodDegradation(kind) ? OOD_DEGRADATION_TABLE[kind].name.toLowerCase() : kind);
  const description = `logistic model over the router's energy, the distance to the nearest group and the photo's tone anomaly (tone cues against their quantiles on training views of each class), fitted on ${inScores.length} in-distribution and ${oodScores.length} out-of-distribution held-out training crops (${kinds.map(name).join(', ')}); the threshold flags ${100 * falseFlagRate} % of the in-distribution ones. Held-out AUROC ${fit.auroc.toFixed(3)}; with each kind left out of the fit, ${kinds.map((k) => `${name(k)} ${perKind[k].aurocLeftOut.toFixed(2)}`).join(', ')}`;
  return { ...fit, description };
}

/** The manifest's `router.ood` from a fit (the report's figures stay in the zoo's files). */
export function manifestOod(fit: OodFit): OodModel & { description: string } {
  const { energyWeight, distanceWeight, toneWeight, bias, threshold, tone, description } = fit;
  return { energyWeight, distanceWeight, toneWeight, bias, threshold, tone, description };
}
