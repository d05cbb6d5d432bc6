/**
 * npm run study:selection — how much one photo's DDR statistic says about its degradation
 * (docs/RESULTS.md §8 measures the app's selection at 31.8 %; this asks whether a better rule, or
 * only a better descriptor, could do better). For a descriptor and layer, on the zoo's own data:
 *
 * - references as the zoo builds them (pooled over `referenceImages` training photos; for the
 *   shipped descriptor they must equal the manifest's, which the script checks), and per photo:
 *   each of the same training photos, degraded by each of the 11, analysed alone as a user's photo is;
 * - the calibration crops of RESULTS §8 (validation photos, 4 corners, seeds of the calibration),
 *   in distribution and out of it (haze, colour cast, low light).
 *
 * Rules scored on the calibration crops (a crop is right when the chosen group holds its
 * degradation; groups from the manifest):
 * - pooled: KL to each group's mean reference GGD (the app's rule and references);
 * - per-photo mean: the same rule with each reference the mean GGD of the per-photo statistics;
 * - k-NN (k = 15) over the per-photo (log σ, log β): no rule on these two numbers is assumed, so
 *   this estimates what the statistic itself can tell apart;
 * - per-channel: one GGD per feature channel instead of the pooled PCA scores, read with the KL
 *   rule (mean over channels) and with k-NN over the channels' (log σ, log β): what the features
 *   hold beyond two numbers.
 * AUROC of the chosen distance, OOD against in-distribution, for the KL rules.
 *
 *   npm run study:selection -- [--descriptor public/models/descriptor.onnx --layer block_3] [--out F.json] [--label words]
 *     [--pooled-only] [--crops-per-image N]
 *
 * --pooled-only scores the app's rule alone and skips the per-photo statistics (1056 analyses):
 * for descriptors too slow for the whole study. --crops-per-image (default: the calibration's 4)
 * takes fewer corners of each validation photo, the same crops as the calibration's first ones.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { protocolOf } from '../src/core/analysis';
import { analyseDegradation } from '../src/core/ddr-protocol';
import { auroc } from '../src/core/calibration-stats';
import { DEGRADATION_IDS, type DegradationId } from '../src/core/degradations/ids';
import { degrade } from '../src/core/degradations/registry';
import { applyOodDegradation, OOD_DEGRADATION_IDS } from '../src/core/degradations/out-of-distribution';
import type { Ggd } from '../src/core/ggd-types';
import type { RgbImage } from '../src/core/image';
import { parseManifest } from '../src/core/manifest';
import { groupGgd, selectGroup } from '../src/core/selection';
import { centreCrop, evalSeed } from '../src/cli/eval/evaluate';
import { readImageFolder } from '../src/cli/io/images';
import { createFeatureExtractor } from '../src/cli/onnx/descriptor';
import { loadSession, ortCentredGram } from '../src/cli/onnx/ort-node';
import { buildReferences } from '../src/cli/similarity/references';
import { channelGgds, channelGroupReferences, channelSelection, createKnn, ggdVector, recordingExtractor, type SelectionStudy } from '../src/cli/study/selection-study';
import { calibrationCrops } from '../src/cli/zoo/calibrate';
import { PRESETS } from '../src/cli/zoo/presets';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'public/models' },
    descriptor: { type: 'string' },
    layer: { type: 'string' },
    images: { type: 'string', default: '../shared/data/photos/train' },
    'val-images': { type: 'string', default: '../shared/data/photos/val' },
    out: { type: 'string' },
    label: { type: 'string' },
    'pooled-only': { type: 'boolean', default: false },
    'crops-per-image': { type: 'string' },
  },
});

const preset = PRESETS.full;
const manifest = parseManifest(JSON.parse(await readFile(`${args.models}/manifest.json`, 'utf8')));
const descriptorFile = args.descriptor ?? `${args.models}/${manifest.descriptor.file}`;
const layer = args.layer ?? manifest.descriptor.layer;
const shipped = args.descriptor === undefined && args.layer === undefined;
const pooledOnly = args['pooled-only'];
const cropsPerImage = args['crops-per-image'] === undefined ? preset.calibrationCrops : Number(args['crops-per-image']);
if (!(Number.isInteger(cropsPerImage) && cropsPerImage >= 1 && cropsPerImage <= preset.calibrationCrops)) {
  throw new Error(`--crops-per-image must be a whole number from 1 to ${preset.calibrationCrops}`);
}
const protocol = protocolOf(manifest.descriptor);
const groups = manifest.groups.map((g) => ({ id: g.id, members: g.members as DegradationId[] }));
const gram = ortCentredGram();
const recorder = recordingExtractor(createFeatureExtractor(await loadSession(descriptorFile), layer));
const started = Date.now();
const log = (line: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

interface PhotoStatistic { ggd: Ggd; channels: Ggd[] }
// Per-channel GGDs need the channel count: the layers compared here are at the patch's own size.
let channels = 0;
async function analysePhoto(image: RgbImage): Promise<PhotoStatistic> {
  const { ggd, featureLength } = await analyseDegradation([image], protocol, recorder.extract, { gram });
  const spatial = protocol.patchSize * protocol.patchSize;
  if (featureLength % spatial !== 0) throw new Error(`layer ${layer} is not at the patch's size (${featureLength} features per ${protocol.patchSize}-px patch)`);
  channels = featureLength / spatial;
  const features = recorder.take();
  return { ggd, channels: pooledOnly ? [] : channelGgds(features, channels) };
}

// 1. References: pooled as the zoo builds them, and per photo.
const training = (await readImageFolder(args.images, { limit: preset.ddr.referenceImages, minSize: protocol.patchSize }))
  .map((l) => centreCrop(l.image, preset.ddr.referenceCrop));
const pooled = (await buildReferences({ images: training, tasks: [...DEGRADATION_IDS], protocol, extract: recorder.extract })).references;
recorder.take();
if (shipped) {
  // onnxruntime's float32 Gram is not bitwise reproducible across runs: σ may move in the 8th
  // digit and β by one step of the fit's grid.
  const differs = pooled.filter((r) => {
    const m = manifest.references.find((x) => x.id === r.id)!.ggd;
    return !(Math.abs(r.ggd.sigma / m.sigma - 1) < 1e-6 && Math.abs(r.ggd.beta - m.beta) < 1.5e-3);
  });
  if (differs.length) {
    for (const r of differs) log(`  ${r.id}: ${JSON.stringify(r.ggd)} here, ${JSON.stringify(manifest.references.find((m) => m.id === r.id)?.ggd)} in the manifest`);
    throw new Error(`the pooled references do not reproduce the manifest's (${differs.map((r) => r.id).join(', ')}): the study would not measure the app`);
  }
  log('pooled references equal the manifest’s (σ to 1e-6, β to one grid step)');
}
const perPhoto = {} as Record<DegradationId, PhotoStatistic[]>;
for (const task of pooledOnly ? [] : DEGRADATION_IDS) {
  perPhoto[task] = [];
  // The same degradation draws as the pooled references (references.ts degradeAll).
  for (let i = 0; i < training.length; i++) perPhoto[task].push(await analysePhoto(degrade(training[i], task, evalSeed(protocol.seed, task, i)).image));
  log(`${task}: ${training.length} photos analysed one by one`);
}

// 2. The calibration crops (calibrate.ts), in and out of distribution.
const validation = (await readImageFolder(args['val-images'])).map((l) => ({ name: l.name, image: l.image }));
const crops: { source: string; kind: 'in' | 'ood'; statistic: PhotoStatistic }[] = [];
for (const crop of calibrationCrops(validation, preset.eval.crop, cropsPerImage, preset.eval.seed + 1)) {
  for (const task of DEGRADATION_IDS) crops.push({ source: task, kind: 'in', statistic: await analysePhoto(degrade(crop.clean, task, crop.seedOf(task)).image) });
  for (const ood of OOD_DEGRADATION_IDS) {
    crops.push({ source: ood, kind: 'ood', statistic: await analysePhoto(applyOodDegradation(crop.clean, ood, crop.seedOf('gaussian_blur') + 7).image) });
  }
}
log(`${crops.length} calibration crops analysed`);

// 3. The rules.
const groupOf = (degradation: string) => groups.find((g) => g.members.includes(degradation as DegradationId))!.id;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
type Rule = (s: PhotoStatistic) => { chosen: string; distance?: number };
const klRule = (references: { id: string; ggd: Ggd }[]): Rule => (s) => {
  const r = selectGroup(s.ggd, references, groups);
  return { chosen: r.chosen, distance: r.chosenDistance };
};
const labelled = (vector: (s: PhotoStatistic) => number[]) => DEGRADATION_IDS.flatMap((id) => perPhoto[id].map((p) => ({ label: id, vector: vector(p) })));
const knnRule = (vector: (s: PhotoStatistic) => number[]): Rule => {
  const classify = createKnn(labelled(vector), 15);
  return (s) => ({ chosen: groupOf(classify(vector(s))) });
};
/** The rules that read the per-photo statistics (absent with --pooled-only). */
function perPhotoRules(): Record<string, Rule> {
  const perPhotoMeans = DEGRADATION_IDS.map((id) => ({ id, ggd: groupGgd(perPhoto[id].map((p) => p.ggd)) }));
  const channelGroups = channelGroupReferences(Object.fromEntries(DEGRADATION_IDS.map((id) => [id, Array.from({ length: channels }, (_, c) => groupGgd(perPhoto[id].map((p) => p.channels[c])))])), groups);
  return {
    'per-photo mean': klRule(perPhotoMeans),
    'k-NN on (σ, β)': knnRule((s) => ggdVector(s.ggd)),
    'per-channel KL': (s) => channelSelection(s.channels, channelGroups),
    'per-channel k-NN': knnRule((s) => s.channels.flatMap(ggdVector)),
  };
}
const rules: Record<string, Rule> = { pooled: klRule(pooled), ...(pooledOnly ? {} : perPhotoRules()) };
const results: Record<string, { accuracy: number; perDegradation: Record<string, number>; auroc: number | null }> = {};
for (const [name, rule] of Object.entries(rules)) {
  const scored = crops.map((c) => ({ ...c, ...rule(c.statistic) }));
  const inDist = scored.filter((c) => c.kind === 'in');
  const right = (c: (typeof inDist)[number]) => groups.find((g) => g.id === c.chosen)!.members.includes(c.source as DegradationId);
  const perDegradation = Object.fromEntries(DEGRADATION_IDS.map((id) => {
    const own = inDist.filter((c) => c.source === id);
    return [id, own.filter(right).length / own.length];
  }));
  const distances = scored[0].distance === undefined ? null : { ood: scored.filter((c) => c.kind === 'ood').map((c) => c.distance!), in: inDist.map((c) => c.distance!) };
  results[name] = { accuracy: inDist.filter(right).length / inDist.length, perDegradation, auroc: distances ? auroc(distances.ood, distances.in) : null };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
console.log(`\nSelection study: ${descriptorFile} (${layer}), ${training.length} training photos per degradation, ${crops.filter((c) => c.kind === 'in').length} calibration crops\n`);
console.log(`| rule | right group | AUROC | ${DEGRADATION_IDS.join(' | ')} |`);
console.log(`| --- | ---: | ---: |${DEGRADATION_IDS.map(() => ' ---: |').join('')}`);
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${pct(r.accuracy)} | ${r.auroc === null ? '–' : r.auroc.toFixed(2)} | ${DEGRADATION_IDS.map((id) => (100 * r.perDegradation[id]).toFixed(0)).join(' | ')} |`);
}
const spread = pooledOnly ? [] : DEGRADATION_IDS.map((id) => {
  const logSigma = perPhoto[id].map((p) => Math.log(p.ggd.sigma)), logBeta = perPhoto[id].map((p) => Math.log(p.ggd.beta));
  const sd = (xs: number[]) => {
    const m = mean(xs);
    return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
  };
  return { id, logSigma: { mean: mean(logSigma), sd: sd(logSigma) }, logBeta: { mean: mean(logBeta), sd: sd(logBeta) } };
});
if (spread.length) console.log('\nPer-photo statistic, mean ± sd over the training photos:');
for (const s of spread) console.log(`  ${s.id.padEnd(15)} log σ ${s.logSigma.mean.toFixed(2)} ± ${s.logSigma.sd.toFixed(2)}   log β ${s.logBeta.mean.toFixed(2)} ± ${s.logBeta.sd.toFixed(2)}`);
if (args.out) {
  await mkdir(dirname(args.out), { recursive: true });
  const study: SelectionStudy & { protocol: typeof protocol; spread: typeof spread } = {
    label: args.label ?? (shipped ? 'the shipped descriptor' : descriptorFile), descriptor: descriptorFile, layer, photos: training.length, channels,
    crops: crops.filter((c) => c.kind === 'in').length, results, seconds: (Date.now() - started) / 1000, protocol, spread,
  };
  await writeFile(args.out, `${JSON.stringify(study, null, 1)}\n`);
  log(`wrote ${args.out}`);
}
