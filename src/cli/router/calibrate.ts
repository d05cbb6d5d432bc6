import { decideAutoChoice, type GroupTrust } from '../../core/auto-choice';
import { auroc, mean } from '../../core/calibration-stats';
import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { applyOodDegradation, OOD_DEGRADATION_IDS, type OodDegradationId } from '../../core/degradations/out-of-distribution';
import { analyseDegradation, type DdrProtocol, type FeatureExtractor } from '../../core/ddr-protocol';
import type { Ggd } from '../../core/ggd-types';
import type { RgbImage } from '../../core/image';
import type { JpegCheck } from '../../core/jpeg-check';
import { psnr } from '../../core/metrics';
import { jpegCheckVerdict } from '../../core/analysis';
import { CLEAN, ROUTER_CLASSES, type RouterClass } from '../../core/router/classes';
import { patchFeatures } from '../../core/router/patch-features';
import { expectedGains, mostLikely, routerEnergy, routerProbabilities, routerProposal, type OodModel } from '../../core/router/router';
import { selectGroup } from '../../core/selection';
import type { EvalImage } from '../eval/evaluate';
import { loadSession, ortCentredGram, ortRouter, restoreImageTo8Bit } from '../onnx/ort-node';
import { calibrationCrops } from '../zoo/calibrate';

/**
 * The PSNR of a clean 8-bit photo against the scene it records: uniform rounding error of ±½ level,
 * 10·log10(12·255²) ≈ 58.9 dB. A clean crop's "input PSNR" is this (against itself it would be
 * infinite), so restoring a clean photo to 40 dB counts as a loss of about 19 dB.
 */
export const CLEAN_INPUT_PSNR = 10 * Math.log10(12 * 255 * 255);

/** One held-out crop as the router and the KL rule see it, with every model's gain on it. */
export interface RouterCrop {
  image: string;
  crop: number;
  source: RouterClass | OodDegradationId;
  kind: 'in' | 'ood';
  logits: number[];
  /** The KL rule's distance to the nearest group and its choice (with the JPEG check). */
  nearestGroupDistance: number;
  klChosen: string;
  /** PSNR gain (dB) of each model ('baseline' and group ids) over the input; absent on OOD crops. */
  gains?: Record<string, number>;
}

export async function measureRouterCrops(options: {
  images: EvalImage[];
  crop: number | null;
  cropsPerImage: number;
  seed: number;
  routerFile: string;
  protocol: DdrProtocol;
  extract: FeatureExtractor;
  references: { id: DegradationId; ggd: Ggd }[];
  groups: { id: string; members: DegradationId[]; file: string }[];
  baselineFile: string;
  jpegCheck?: JpegCheck;
  onProgress?: (done: number, total: number) => void;
  /** Told about each crop the analysis refuses (a flat image has no degradation to measure); it is left out. */
  onSkip?: (crop: string, reason: string) => void;
}): Promise<RouterCrop[]> {
  const crops = calibrationCrops(options.images, options.crop, options.cropsPerImage, options.seed);
  const router = ortRouter(await loadSession(options.routerFile));
  const models = [{ id: 'baseline', file: options.baselineFile }, ...options.groups.map((g) => ({ id: g.id, file: g.file }))];
  const sources: (RouterClass | OodDegradationId)[] = [...ROUTER_CLASSES, ...OOD_DEGRADATION_IDS];
  const total = crops.length * sources.length;
  const out: RouterCrop[] = [];
  let done = 0;
  for (const [c, { image, crop, clean, seedOf }] of crops.entries()) {
    for (const [s, source] of sources.entries()) {
      const ood = (OOD_DEGRADATION_IDS as readonly string[]).includes(source);
      const input: RgbImage = source === CLEAN ? clean
        : ood ? applyOodDegradation(clean, source as OodDegradationId, 9000 + 31 * c + s).image
        : degrade(clean, source as DegradationId, seedOf(source as DegradationId)).image;
      let statistic;
      try {
        statistic = await analyseDegradation([input], options.protocol, options.extract, { gram: ortCentredGram() });
      } catch (error) {
        // E.g. over-exposure that clips a bright crop to white: the app refuses such a photo too.
        options.onSkip?.(`${image} crop ${crop} ${source}`, (error as Error).message.split('\n')[0]);
        options.onProgress?.(++done, total);
        continue;
      }
      const selection = selectGroup(statistic.ggd, options.references, options.groups, { jpegCheck: jpegCheckVerdict(statistic, options.jpegCheck) });
      const sample: RouterCrop = {
        image, crop, source, kind: ood ? 'ood' : 'in',
        logits: Array.from(await router(patchFeatures(input))),
        nearestGroupDistance: selection.nearestGroupDistance, klChosen: selection.chosen,
      };
      if (!ood) {
        const inputPsnr = source === CLEAN ? CLEAN_INPUT_PSNR : psnr(input, clean);
        sample.gains = {};
        for (const m of models) sample.gains[m.id] = Math.min(CLEAN_INPUT_PSNR, psnr(await restoreImageTo8Bit(await loadSession(m.file), input), clean)) - inputPsnr;
      }
      out.push(sample);
      options.onProgress?.(++done, total);
    }
  }
  return out;
}

/** The temperature that minimises the negative log-likelihood of the true classes (grid search; T = 1 is the network as trained). */
export function fitTemperature(crops: readonly RouterCrop[]): number {
  const labelled = crops.filter((c) => c.kind === 'in');
  let best = { t: 1, nll: Infinity };
  for (let t = 0.5; t <= 3.0001; t += 0.05) {
    const nll = mean(labelled.map((c) => -Math.log(Math.max(1e-12, routerProbabilities(c.logits, t)[c.source as RouterClass]))));
    if (nll < best.nll) best = { t: Math.round(t * 100) / 100, nll };
  }
  return best.t;
}

/** Mean gain of each model on each class, over the in-distribution crops. */
export function gainTable(crops: readonly RouterCrop[], models: readonly string[]): Record<string, Record<RouterClass, number>> {
  return Object.fromEntries(models.map((m) => [m, Object.fromEntries(ROUTER_CLASSES.map((c) => [c, mean(crops.filter((x) => x.source === c && x.gains).map((x) => x.gains![m]))]))])) as Record<string, Record<RouterClass, number>>;
}

/**
 * The OOD model: logistic regression (Newton's method, a little L2) of "out of distribution" on the
 * router's energy and the distance to the nearest group, over held-out crops: every in-distribution
 * crop (degraded or clean) against every OOD crop. The threshold flags `falseFlagRate` of the
 * in-distribution crops, so it is set by the in-distribution side alone.
 */
export function fitOodModel(crops: readonly RouterCrop[], temperature: number, falseFlagRate: number): OodModel & { auroc: number } {
  const rows = crops.map((c) => ({ x: [1, routerEnergy(c.logits, temperature), c.nearestGroupDistance], y: c.kind === 'ood' ? 1 : 0 }));
  // Standardise for the fit, then fold the scaling back into the weights.
  const mu = [0, mean(rows.map((r) => r.x[1])), mean(rows.map((r) => r.x[2]))];
  const sd = [1, ...[1, 2].map((j) => Math.sqrt(mean(rows.map((r) => (r.x[j] - mu[j]) ** 2))) || 1)];
  const z = rows.map((r) => ({ x: r.x.map((v, j) => (j === 0 ? 1 : (v - mu[j]) / sd[j])), y: r.y }));
  // Class weights so that both sides count equally, however many crops each has.
  const positives = z.filter((r) => r.y === 1).length, negatives = z.length - positives;
  const weightOf = (y: number) => (y === 1 ? z.length / (2 * positives) : z.length / (2 * negatives));
  let w = [0, 0, 0];
  for (let iter = 0; iter < 50; iter++) {
    const g = [0, 0, 0];
    const h = [[1e-3, 0, 0], [0, 1e-3, 0], [0, 0, 1e-3]];
    for (const r of z) {
      const p = 1 / (1 + Math.exp(-(w[0] * r.x[0] + w[1] * r.x[1] + w[2] * r.x[2])));
      const k = weightOf(r.y);
      for (let i = 0; i < 3; i++) {
        g[i] += k * (p - r.y) * r.x[i];
        for (let j = 0; j < 3; j++) h[i][j] += k * p * (1 - p) * r.x[i] * r.x[j];
      }
    }
    for (let i = 0; i < 3; i++) g[i] += 1e-3 * w[i];
    w = w.map((wi, i) => wi - solve3(h, g)[i]);
  }
  const energyWeight = w[1] / sd[1], distanceWeight = w[2] / sd[2];
  const bias = w[0] - energyWeight * mu[1] - distanceWeight * mu[2];
  const score = (x: number[]) => 1 / (1 + Math.exp(-(bias + energyWeight * x[1] + distanceWeight * x[2])));
  const inScores = rows.filter((r) => r.y === 0).map((r) => score(r.x)).sort((a, b) => a - b);
  const oodScores = rows.filter((r) => r.y === 1).map((r) => score(r.x));
  const threshold = Math.min(1 - 1e-6, Math.max(1e-6, inScores[Math.min(inScores.length - 1, Math.floor((1 - falseFlagRate) * inScores.length))]));
  return { energyWeight, distanceWeight, bias, threshold, auroc: auroc(oodScores, inScores) };
}

function solve3(a: number[][], b: number[]): number[] {
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let k = col; k < 4; k++) m[r][k] -= f * m[col][k];
    }
  }
  return [0, 1, 2].map((i) => m[i][3] / m[i][i]);
}

/** The router's route, as the routing contract takes it before the safe policy (core routerProposal). */
export function routerCandidate(probabilities: Record<RouterClass, number>, gain: Record<string, Record<RouterClass, number>>, noDamageThreshold: number): string {
  return routerProposal(probabilities, expectedGains(probabilities, gain), noDamageThreshold).model;
}

/** The safe policy for the router's routes: per group, the held-out crops the router sent to it. */
export function routerPolicy(crops: readonly RouterCrop[], groupIds: readonly string[], temperature: number, gain: Record<string, Record<RouterClass, number>>, noDamageThreshold: number): Record<string, GroupTrust> {
  const routed = crops.filter((c) => c.gains).flatMap((c) => {
    const chosen = routerCandidate(routerProbabilities(c.logits, temperature), gain, noDamageThreshold);
    return groupIds.includes(chosen) ? [{ chosen, groupGain: c.gains![chosen], baselineGain: c.gains!.baseline }] : [];
  });
  return decideAutoChoice(groupIds, routed);
}

/** P(clean) at or above this is "no damage": more likely clean than all the damages together. Fixed, not tuned. */
export const NO_DAMAGE_THRESHOLD = 0.5;
/** The OOD threshold flags this share of held-out in-distribution crops (degraded and clean). */
export const OOD_FALSE_FLAG_RATE = 0.05;

export interface RouterCalibration {
  images: string[];
  crops: RouterCrop[];
  temperature: number;
  noDamageThreshold: number;
  gain: Record<string, Record<RouterClass, number>>;
  ood: { energyWeight: number; distanceWeight: number; bias: number; threshold: number; auroc: number };
  oodDescription: string;
  policy: Record<string, GroupTrust>;
  policyDescription: string;
  /** On the held-out crops: the most probable group holds the degradation; clean crops called clean. */
  heldOut: { routing: number; perClass: Record<string, number>; noDamageOnClean: number };
}

/** Everything the manifest's router block needs, from the measured held-out crops (pure, so a stored measurement can be decided again). */
export function calibrateRouter(crops: RouterCrop[], groupIds: string[], images: string[]): RouterCalibration {
  const temperature = fitTemperature(crops);
  const gain = gainTable(crops, ['baseline', ...groupIds]);
  const ood = fitOodModel(crops, temperature, OOD_FALSE_FLAG_RATE);
  const policy = routerPolicy(crops, groupIds, temperature, gain, NO_DAMAGE_THRESHOLD);
  const perClass: Record<string, number> = {};
  for (const c of ROUTER_CLASSES) {
    const of = crops.filter((x) => x.source === c);
    perClass[c] = of.filter((x) => {
      const p = routerProbabilities(x.logits, temperature);
      return mostLikely(p, ROUTER_CLASSES) === c;
    }).length / Math.max(1, of.length);
  }
  const clean = crops.filter((x) => x.source === CLEAN);
  return {
    images, crops, temperature, noDamageThreshold: NO_DAMAGE_THRESHOLD, gain, ood, policy,
    oodDescription: `logistic model over the router's energy and the distance to the nearest group, fitted on ${crops.filter((c) => c.kind === 'in').length} in-distribution and ${crops.filter((c) => c.kind === 'ood').length} out-of-distribution held-out training crops (${[...new Set(crops.filter((c) => c.kind === 'ood').map((c) => c.source))].join(', ')}); the threshold flags ${100 * OOD_FALSE_FLAG_RATE} % of the in-distribution ones (held-out AUROC ${ood.auroc.toFixed(3)})`,
    policyDescription: `${crops.filter((c) => c.gains).length} crops (4 corners) of ${images.length} held-out training photos, each degraded by each of the 11 or left clean; a group restores only where its model beat the mix baseline on average over the crops the router sent to it`,
    heldOut: {
      routing: mean(crops.filter((x) => x.kind === 'in' && x.source !== CLEAN).map((x) => {
        const p = routerProbabilities(x.logits, temperature);
        return mostLikely(p, ROUTER_CLASSES.filter((k) => k !== CLEAN)) === x.source ? 1 : 0;
      })),
      perClass,
      noDamageOnClean: mean(clean.map((x) => (routerCandidate(routerProbabilities(x.logits, temperature), gain, NO_DAMAGE_THRESHOLD) === 'none' ? 1 : 0))),
    },
  };
}
