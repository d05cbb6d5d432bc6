import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { cpus, hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DEGRADATION_IDS, type DegradationId } from '../../core/degradations/ids';
import { DEGRADATION_TABLE, type DegradationSpec, type ParamSpec } from '../../core/degradations/table';
import { groupGgd } from '../../core/selection';
import { parseManifest, type Manifest, type ModelInfo } from '../../core/manifest';
import { averageOverTasks, centreCrop, evaluate, type EvalImage, type EvalResult } from '../eval/evaluate';
import { evaluateAll, type EvalSpec } from '../eval/evaluate-jobs';
import { atomicWrite, readImageFolder } from '../io/images';
import { exportCheckpoint } from '../commands/export';
import { writeQueue } from '../jobs/runner';
import { runJobs } from '../jobs/run-jobs';
import type { RemoteQueueOptions } from '../queue/producer';
import { createFeatureExtractor } from '../onnx/descriptor';
import { loadSession, releaseSessions } from '../onnx/ort-node';
import { featureOutputName } from '../onnx/writer';
import { heatmapSvg } from '../report/heatmap-svg';
import { dropsAgainstSingleTask, runGroupSearch, singleTaskPsnrFrom, groupKey, trainGroupModels, type Recipe } from '../search/group-search';
import { measureProtocol } from '../similarity/protocol-measure';
import { chooseDdrLayer } from './layer-choice';
import { buildReferences, type ReferenceSet } from '../similarity/references';
import { train } from '../train/trainer';
import type { BackendChoice } from '../tf/backend';
import { calibrate, type CalibrationResult } from './calibrate';
import { measureBlindUse, type BlindUseResult } from './blind-use';
import { decidePolicy, measureAutoChoice, type AutoChoiceResult } from './auto-choice';
import { trainJpegCheck, type JpegCheckTraining } from './jpeg-check';
import type { ZooPreset } from './presets';
import { calibrateRouter, CLEAN_PRIOR, measureNormalPhotos, measureRouterCrops, withRouterDistances, type RouterAnalysisOptions, type RouterCalibration } from '../router/calibrate';
import { cropKey, fitOodModel, fitToneModel, manifestOod, staleOodFit, toneSamples, withPhotoCues, type OodFit } from '../router/ood';
import { manifestDigest, measureRouterOnValidation, type RouterOnCrop, type RouterOnValidation } from '../router/on-validation';
import { OOD_DEGRADATION_IDS } from '../../core/degradations/out-of-distribution';
import { trainRouterStage, type RouterTrainingResult } from '../router/stage';
import { SAMPLES_VERSION } from '../router/dataset';
import { ROUTER_CLASSES } from '../../core/router/classes';
import { PATCH_FEATURES_VERSION } from '../../core/router/patch-features';

/**
 * `grids zoo`: the whole GRIDS pipeline, stage by stage, each stage skipped when its output exists
 * (and every training resumable), so an interrupted build continues where it stopped:
 * descriptor → references & similarity → single-task models + mix baseline (parallel jobs) →
 * evaluation → grouping search → group models → gain table → automatic choice → calibration → blind use →
 * manifest + ONNX files in `out`.
 */
export interface ZooOptions {
  preset: ZooPreset;
  images: string;
  valImages: string;
  work: string;
  out: string;
  workers: number;
  /** Run the trainings on this Redis queue's workers (work is the shared folder) instead of local processes. */
  queue?: RemoteQueueOptions | null;
  backend: BackendChoice;
  log: (line: string) => void;
  /** The command line, recorded in the report. */
  command: string;
  /** The code's version (git commit), recorded with each run. */
  codeVersion?: string | null;
  /**
   * Stop once this stage is done: 'trainings' (stage 1), or 'similarity' (stages 2–3, which need
   * only the descriptor, so they can run while the restorers still train).
   */
  stopAfter?: 'trainings' | 'similarity';
}

export interface ZooReport {
  preset: ZooPreset;
  command: string;
  machine: { cpus: number; model: string; platform: string; node: string };
  timings: Record<string, number>;
  layerChoice: { chosen: DdrLayer; fixedByPreset: boolean; candidates: LayerCandidate[]; rule?: string };
  references: ReferenceSet;
  /** Absent in reports of zoos built before the stage existed. */
  jpegCheck?: JpegCheckTraining;
  evaluation: { single: EvalResult; baseline: EvalResult; grids: EvalResult };
  search: unknown;
  groupModels: { trained: FromScratchGroup[]; files: Record<string, string> };
  expectedGain: { images: string[]; table: Record<string, Record<string, number>> };
  /** Absent in reports of zoos built before the stage existed. */
  autoChoice?: AutoChoiceResult & { baselineExpectedGain: Record<string, number> };
  /** Absent in reports of zoos built before the stage existed. */
  router?: { training: RouterTrainingResult; calibration: RouterCalibration; ood: OodFit; onValidation: RouterOnCrop[] };
  calibration: Omit<CalibrationResult, 'samples'> & { samples: CalibrationResult['samples'] };
  /** Absent in reports of zoos built before the stage existed. */
  blindUse?: BlindUseResult;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** Runs `stage` unless its output file exists; records its duration. */
async function stage<T>(name: string, output: string, timings: Record<string, number>, log: (l: string) => void, run: () => Promise<T>): Promise<T> {
  if (existsSync(output)) {
    log(`[${name}] done earlier (${output})`);
    return readJson<T>(output);
  }
  log(`[${name}] running`);
  const started = Date.now();
  const result = await run();
  await atomicWrite(output, JSON.stringify(result, null, 2));
  timings[name] = (Date.now() - started) / 1000;
  log(`[${name}] finished in ${timings[name].toFixed(0)} s`);
  return result;
}

function restorerRecipe(o: ZooOptions, overrides: Partial<Recipe> = {}): Recipe {
  const r = o.preset.restorer;
  return {
    arch: 'srresnet', archOptions: { width: r.width, depth: r.depth, activation: r.activation },
    imagesDir: o.images, steps: r.steps, batch: r.batch, patch: r.patch, lr: r.lr, minLr: 1e-6,
    warmup: Math.round(r.steps * 0.02), optimizer: 'adam', weightDecay: 0, seed: o.preset.seed,
    checkpointEvery: 50, backend: o.backend, logEvery: 10, ...overrides,
  };
}

/** `grids train` arguments for the descriptor job in the queue. */
function descriptorTrainArgs(o: ZooOptions, outDir: string): string[] {
  const d = o.preset.descriptor;
  return [
    'train', '--arch', 'srresnet-sr', '--width', String(d.width), '--depth', String(d.depth), '--scale', String(d.scale), '--activation', 'relu',
    '--tasks', 'bicubic-sr', '--images', resolve(o.images), '--steps', String(d.steps), '--batch', String(d.batch), '--patch', String(d.patch),
    '--lr', String(d.lr), '--min-lr', '1e-6', '--warmup', String(Math.round(d.steps * 0.02)), '--seed', String(o.preset.seed),
    '--checkpoint-every', '50', '--backend', o.backend, '--out', resolve(outDir), '--resume',
  ];
}

/** `grids train` arguments for a restorer job in the queue. */
function trainArgs(o: ZooOptions, tasks: string, outDir: string): string[] {
  const r = o.preset.restorer;
  return [
    'train', '--arch', 'srresnet', '--width', String(r.width), '--depth', String(r.depth), '--activation', r.activation,
    '--tasks', tasks, '--images', resolve(o.images), '--steps', String(r.steps), '--batch', String(r.batch), '--patch', String(r.patch),
    '--lr', String(r.lr), '--min-lr', '1e-6', '--warmup', String(Math.round(r.steps * 0.02)), '--seed', String(o.preset.seed),
    '--checkpoint-every', '50', '--backend', o.backend, '--out', resolve(outDir), '--resume',
  ];
}

async function modelInfo(file: string, outDir: string, width: number, depth: number, arch = 'srresnet'): Promise<ModelInfo> {
  return { file: relative(outDir, file).split('\\').join('/'), sizeBytes: (await stat(file)).size, arch, width, depth };
}

/**
 * The descriptor layers measured for the DDR, cheapest first: the middle residual block (when there
 * is one), the last block (DDR's choice), and the HR layer before the output conv (SRGA's).
 */
export function ddrLayerCandidates(depth: number): string[] {
  return [...(depth >= 2 ? [`block_${Math.ceil(depth / 2)}`] : []), 'last_block', 'hidden_hr'];
}
type DdrLayer = string;

export interface LayerCandidate {
  layer: DdrLayer;
  separatedCount: number;
  top1: number;
  family: number;
  crops: number;
  perDegradation: Record<string, number>;
}

/** A group model trained from scratch, with its ΔP and, for comparison, the fine-tuned verification's. */
export interface FromScratchGroup {
  members: DegradationId[];
  onnx: string;
  /** False for a group trained only for the fine-tuned/from-scratch comparison. */
  inPartition: boolean;
  deltaP: number;
  perTask: Record<string, { group: number; single: number; drop: number }>;
  fineTunedDeltaP: number | null;
}

/**
 * The training photos after the references' that the gain table, the automatic choice and the
 * router's calibration are measured on (and the router is not trained on).
 */
export async function readGainTableImages(dir: string, preset: ZooPreset, warn?: (line: string) => void): Promise<EvalImage[]> {
  const all = await readImageFolder(dir, { warn, limit: preset.ddr.referenceImages + preset.expectedGainImages, minSize: preset.ddr.patchSize });
  const images = all.slice(preset.ddr.referenceImages).map((l) => ({ name: l.name, image: l.image }));
  if (!images.length) throw new Error(`no training photos left after the ${preset.ddr.referenceImages} reference photos for the gain table`);
  return images;
}

export async function buildZoo(o: ZooOptions): Promise<Manifest | null> {
  const { preset, work, log } = o;
  const timingsPath = join(work, 'timings.json');
  const timings: Record<string, number> = existsSync(timingsPath) ? await readJson(timingsPath) : {};
  const saveTimings = () => atomicWrite(timingsPath, JSON.stringify(timings, null, 2));
  await mkdir(work, { recursive: true });
  // Every invocation, for the record: a campaign is many runs of this command.
  await appendFile(join(work, 'runs.jsonl'), JSON.stringify({ startedAt: new Date().toISOString(), command: o.command, stopAfter: o.stopAfter ?? null, code: o.codeVersion ?? null, host: hostname() }) + '\n');
  const tasks = [...DEGRADATION_IDS];
  const valImages: EvalImage[] = (await readImageFolder(o.valImages, { warn: log })).map((l) => ({ name: l.name, image: l.image }));

  // 1. Every training that depends on nothing else, in parallel processes: the descriptor (SRResNet
  //    for clean bicubic SR), the 11 single-task models and the mix baseline. The descriptor's
  //    features-only export marks it done (stage 2 exports the layers it measures itself).
  const modelDir = (name: string) => join(work, 'models', name);
  const onnxOf = (name: string) => join(modelDir(name), 'model.onnx');
  const descriptorDir = join(work, 'descriptor');
  const descriptorAllLayers = join(descriptorDir, 'all-layers.onnx');
  const names = [...tasks.map((t) => `single-${t}`), 'baseline'];
  // --stop-after similarity needs only the descriptor, so it can run while the restorers train.
  const descriptorOnly = o.stopAfter === 'similarity';
  if (descriptorOnly && !existsSync(descriptorAllLayers)) {
    throw new Error(`the descriptor is not trained yet (${descriptorAllLayers} is missing): run grids zoo without --stop-after, or wait for its training job`);
  }
  if (!descriptorOnly && (!existsSync(descriptorAllLayers) || !names.every((n) => existsSync(onnxOf(n))))) {
    const queuePath = join(work, 'queue.json');
    await writeQueue(queuePath, [
      // Queue jobs run in the queue's folder: give them absolute paths.
      { id: 'train-descriptor', args: descriptorTrainArgs(o, descriptorDir) },
      { id: 'export-descriptor', args: ['export', resolve(descriptorDir, 'model.ckpt'), resolve(descriptorAllLayers), '--features-only'], after: ['train-descriptor'] },
      // The baseline first among the restorers: the search fine-tunes from it.
      ...['baseline', ...names.filter((n) => n !== 'baseline')].flatMap((name) => {
        const taskArg = name === 'baseline' ? 'all' : name.slice('single-'.length);
        return [
          { id: `train-${name}`, args: trainArgs(o, taskArg, modelDir(name)) },
          { id: `export-${name}`, args: ['export', resolve(modelDir(name), 'model.ckpt'), resolve(onnxOf(name))], after: [`train-${name}`] },
        ];
      }),
    ]);
    const started = Date.now();
    const summary = await runJobs(queuePath, { workers: o.workers, queue: o.queue });
    timings.trainings = (timings.trainings ?? 0) + (Date.now() - started) / 1000;
    await saveTimings();
    if (summary.interrupted) throw new Error('interrupted; run grids zoo again to resume the trainings from their checkpoints');
    if (summary.failed.length || summary.blocked.length) {
      throw new Error(`training jobs failed: ${[...summary.failed.map((f) => f.id), ...summary.blocked].join(', ')}; see ${join(work, 'logs')}, then run grids zoo again`);
    }
  }
  if (o.stopAfter === 'trainings') return null;

  // 2. The DDR layer, chosen by measurement unless the preset fixes it: for each candidate layer, the
  //    similarity matrix's separation (held-out draws nearest their own reference) and the share of
  //    validation crops routed to their own degradation. Then the descriptor the app ships: only
  //    that layer's nodes.
  const protocol = { patchSize: preset.ddr.patchSize, patchCount: preset.ddr.patchCount, seed: preset.seed, k: preset.ddr.k, trimSigmas: 5 };
  const referenceImages = async () => (await readImageFolder(o.images, { warn: log, limit: preset.ddr.referenceImages, minSize: preset.ddr.patchSize }))
    .map((l) => centreCrop(l.image, preset.ddr.referenceCrop));
  const layerChoice = await stage('ddr-layer', join(descriptorDir, 'layer-choice.json'), timings, log, async () => {
    if (preset.ddr.layer) return { chosen: preset.ddr.layer, fixedByPreset: true, candidates: [] as LayerCandidate[] };
    // Exported here (not by the training queue), so the candidates follow this code's list.
    const candidatesOnnx = join(descriptorDir, 'candidates.onnx');
    const layers = ddrLayerCandidates(preset.descriptor.depth);
    await exportCheckpoint(join(descriptorDir, 'model.ckpt'), candidatesOnnx, layers, false);
    const session = await loadSession(candidatesOnnx);
    const refs = await referenceImages();
    const validation = valImages.map((v) => centreCrop(v.image, preset.eval.crop));
    const candidates: LayerCandidate[] = [];
    for (const layer of layers) {
      const m = await measureProtocol({ referenceImages: refs, validation, protocol, extract: createFeatureExtractor(session, layer), seed: preset.eval.seed + 2 });
      candidates.push({ layer, separatedCount: m.separatedCount, top1: m.top1, family: m.family, crops: m.crops, perDegradation: m.perDegradation });
      log(`  ${layer}: ${m.separatedCount}/11 separated; validation crops top-1 ${(m.top1 * 100).toFixed(1)} %, family ${(m.family * 100).toFixed(1)} %`);
    }
    return { chosen: chooseDdrLayer(candidates).chosen, fixedByPreset: false, candidates };
  });
  await saveTimings();
  // The rule is applied to the stored measurements on every run, so a change of rule needs no re-measuring.
  const decision = layerChoice.fixedByPreset ? null : chooseDdrLayer(layerChoice.candidates);
  if (decision) {
    Object.assign(layerChoice, { chosen: decision.chosen, rule: decision.rule });
    log(`  DDR layer: ${decision.chosen} (${decision.rule})`);
  }
  const ddrLayer = layerChoice.chosen;
  const descriptorOnnx = join(descriptorDir, `model-${ddrLayer}.onnx`);
  if (!existsSync(descriptorOnnx)) await exportCheckpoint(join(descriptorDir, 'model.ckpt'), descriptorOnnx, [ddrLayer], false);

  // 3. Reference GGDs and the similarity matrices, from training photos (never the validation ones).
  const extract = createFeatureExtractor(await loadSession(descriptorOnnx), ddrLayer);
  const similarityPath = join(work, 'similarity', 'similarity.json');
  if (existsSync(similarityPath) && (await readJson<{ layer?: string }>(similarityPath)).layer !== ddrLayer) {
    log(`  the similarity matrix was computed on another layer than ${ddrLayer}: computing it again`);
    await rm(similarityPath);
  }
  const references = await stage('similarity', similarityPath, timings, log, async () => {
    const result = { layer: ddrLayer, ...(await buildReferences({ images: await referenceImages(), tasks, protocol, extract })) };
    await atomicWrite(join(work, 'similarity', 'similarity.svg'), heatmapSvg(result.matrices.symmetric, result.order, { title: `Degradation distance (${ddrLayer})` }));
    log(`  ${result.separatedCount}/${tasks.length} degradations nearest their own reference`);
    return result;
  });
  await saveTimings();
  if (o.stopAfter === 'similarity') return null;

  // 3b. The JPEG check (core/jpeg-check.ts), on the references' photos, each analysed alone as a
  //     user's photo is. The stages below that select (automatic choice, calibration) apply it.
  const jpegCheck = await stage('jpeg-check', join(work, 'similarity', 'jpeg-check.json'), timings, log, async () => {
    const result = await trainJpegCheck({
      images: await referenceImages(), tasks, protocol, extract, seed: preset.eval.seed + 7,
      onProgress: (done, total) => { if (done % 110 === 0 || done === total) log(`  JPEG check: ${done}/${total} analyses`); },
    });
    const t = result.training;
    log(`  JPEG check on its training photos: ${t.jpegCaught}/${t.jpeg} JPEG caught, ${t.falseCalls}/${t.others} others called JPEG`);
    return result;
  });
  // Outputs measured before the check existed select without it: measure them again.
  for (const [path, what] of [[join(work, 'eval', 'auto-choice.json'), 'automatic choice'], [join(work, 'calibration.json'), 'calibration']] as const) {
    if (existsSync(path) && !(await readJson<{ samples: { jpegProbability?: number }[] }>(path)).samples.some((s) => s.jpegProbability !== undefined)) {
      log(`  the ${what} was measured without the JPEG check: measuring it again`);
      await rm(path);
      await rm(join(work, 'eval', 'blind-use.json'), { force: true });
    }
  }
  await saveTimings();

  // 4. Evaluation of the single-task models (each on its own degradation) and the baseline.
  // With a queue, these are `grids eval` jobs on its workers, run at once.
  const evalCommon = { images: valImages, imagesDir: o.valImages, seed: preset.eval.seed, crop: preset.eval.crop };
  const evaluateOnVal = (specs: Omit<EvalSpec, keyof typeof evalCommon>[]) =>
    evaluateAll(specs.map((s) => ({ ...evalCommon, ...s })), { queue: o.queue, queuePath: join(work, 'eval', 'queue.json') });
  const single = await stage('eval-single', join(work, 'eval', 'single.json'), timings, log, async () => {
    const perTask = await evaluateOnVal(tasks.map((t) => ({ name: `single-${t}`, models: [{ name: t, file: onnxOf(`single-${t}`) }], tasks: [t] })));
    // One result with every single-task model, each scored on its own degradation.
    return { protocol: { ...perTask[0].protocol, tasks }, input: mergeInput(perTask, tasks), models: Object.assign({}, ...perTask.map((r) => r.models)) } as EvalResult;
  });
  const baseline = await stage('eval-baseline', join(work, 'eval', 'baseline.json'), timings, log, async () =>
    (await evaluateOnVal([{ name: 'baseline', models: [{ name: 'baseline', file: onnxOf('baseline') }], tasks }]))[0]);
  await saveTimings();

  // 5. The grouping search; verifications fine-tune from the baseline when the preset says so.
  const search = await stage('search', join(work, 'search', 'stage.json'), timings, log, async () => {
    const recipe = preset.verifyFineTune
      // Fine-tuning starts from trained weights: half the peak learning rate, a short warm-up.
      ? restorerRecipe(o, { init: join(modelDir('baseline'), 'model.ckpt'), steps: preset.verifySteps, lr: preset.restorer.lr / 2, warmup: Math.round(preset.verifySteps * 0.02) })
      : restorerRecipe(o);
    const outcome = await runGroupSearch({
      order: references.order, distances: references.matrices.symmetric, delta: preset.delta,
      singleTaskPsnr: singleTaskPsnrFrom(single), recipe, valImages, valImagesDir: o.valImages, evalSeed: preset.eval.seed, crop: preset.eval.crop,
      outDir: join(work, 'search'), maxVerifications: preset.maxVerifications, workers: o.workers, queue: o.queue, log,
    });
    return { ...outcome, verifications: outcome.verifications.map((v) => ({ ...v, group: v.group.map((i) => references.order[i]) })) };
  });
  await saveTimings();

  // 6. The group models. With fine-tuned verifications, each multi-degradation group of the
  //    partition is trained again from scratch with the same recipe and steps as every other
  //    restorer (the paper's protocol); its from-scratch ΔP is checked against the fine-tuned one
  //    (at least two groups, borrowing verified groups when the partition has fewer). A singleton
  //    group uses its single-task model.
  const partition = search.partitionIds;
  const groupModels = await stage('group-models', join(work, 'groups', 'stage.json'), timings, log, async () => {
    const multi = partition.filter((g) => g.length > 1);
    if (!preset.verifyFineTune) {
      return { trained: [] as FromScratchGroup[], files: Object.fromEntries(multi.map((g) => [groupKey(g), search.records[groupKey(g)].onnx])) };
    }
    const compared = [...multi];
    for (const v of search.verifications) {
      if (compared.length >= 2) break;
      if (v.group.length > 1 && !compared.some((g) => groupKey(g) === groupKey(v.group))) compared.push(v.group);
    }
    const dirOf = (key: string) => join(work, 'groups', key);
    await trainGroupModels(compared, restorerRecipe(o), dirOf, join(work, 'groups', 'queue.json'), { workers: o.workers, queue: o.queue }, log);
    const singlePsnr = singleTaskPsnrFrom(single);
    const trained: FromScratchGroup[] = [];
    for (const members of compared) await exportCheckpoint(join(dirOf(groupKey(members)), 'model.ckpt'), join(dirOf(groupKey(members)), 'model.onnx'));
    const results = await evaluateOnVal(compared.map((members) => ({
      name: `group-${groupKey(members).replaceAll('+', '.')}`, models: [{ name: groupKey(members), file: join(dirOf(groupKey(members)), 'model.onnx') }], tasks: members,
    })));
    for (const [i, members] of compared.entries()) {
      const key = groupKey(members);
      const onnx = join(dirOf(key), 'model.onnx');
      const result = results[i];
      const { perTask, deltaP } = dropsAgainstSingleTask(result, key, members, singlePsnr);
      const fineTuned = search.records[key];
      trained.push({ members, onnx, inPartition: multi.some((g) => groupKey(g) === key), deltaP, perTask, fineTunedDeltaP: fineTuned?.deltaP ?? null });
      log(`  {${members.join(', ')}} from scratch: ΔP ${deltaP.toFixed(3)} dB; fine-tuned ΔP ${fineTuned ? fineTuned.deltaP.toFixed(3) : '–'} dB`);
    }
    return { trained, files: Object.fromEntries(trained.filter((t) => t.inPartition).map((t) => [groupKey(t.members), t.onnx])) };
  });
  await saveTimings();
  const groupFile = (members: DegradationId[]) => (members.length === 1 ? onnxOf(`single-${members[0]}`) : groupModels.files[groupKey(members)]);
  const groups = partition.map((members, i) => ({ id: `group-${i + 1}`, members, file: groupFile(members) }));
  const grids = await stage('eval-grids', join(work, 'eval', 'grids.json'), timings, log, async () => {
    const perGroup = await evaluateOnVal(groups.map((g) => ({ name: g.id, models: [{ name: g.id, file: g.file }], tasks: g.members })));
    // Per degradation, the score of the group model that serves it: the GRIDS row of Table 1.
    const perTask = Object.fromEntries(groups.flatMap((g, i) => g.members.map((d) => [d, perGroup[i].models[g.id].perTask[d]!])));
    return {
      protocol: { ...perGroup[0].protocol, tasks },
      input: mergeInput(perGroup, tasks),
      models: { grids: { file: 'per group', perTask, average: averageOverTasks(perTask, tasks) } },
    } as EvalResult;
  });
  await saveTimings();

  // 7. The gain table behind "prediction without inference": every group model on every
  //    degradation, on training photos the references did not use (never the validation photos).
  // The training photos after the reference ones: the gain table's, and the automatic choice's.
  const gainTableImages = () => readGainTableImages(o.images, preset, log);
  const expectedGain = await stage('expected-gain', join(work, 'eval', 'expected-gain.json'), timings, log, async () => {
    const images = await gainTableImages();
    const result = await evaluate({ images, models: groups.map((g) => ({ name: g.id, file: g.file })), tasks, seed: preset.eval.seed + 3, crop: preset.eval.crop });
    const table: Record<string, Record<string, number>> = {};
    for (const g of groups) table[g.id] = Object.fromEntries(tasks.map((t) => [t, result.models[g.id].perTask[t]!.psnr - result.input.perTask[t]!.psnr]));
    return { images: images.map((i) => i.name), table };
  });
  await saveTimings();

  const blindUsePath = join(work, 'eval', 'blind-use.json');
  // 7b. The safe automatic choice: per group, whether its model beat the mix baseline on held-out
  //     crops the selection routed to it (the gain table's photos, so still never the validation
  //     ones). Also the baseline's row of the gain table, which predicts the gain where it restores.
  const autoChoice = await stage('auto-choice', join(work, 'eval', 'auto-choice.json'), timings, log, async () => {
    const images = await gainTableImages();
    if (images.map((i) => i.name).join('\n') !== expectedGain.images.join('\n')) throw new Error('the training photos changed since the gain table was measured: delete eval/expected-gain.json and build again');
    const baselineEval = await evaluate({ images, models: [{ name: 'baseline', file: onnxOf('baseline') }], tasks, seed: preset.eval.seed + 3, crop: preset.eval.crop });
    const baselineExpectedGain = Object.fromEntries(tasks.map((t) => [t, baselineEval.models.baseline.perTask[t]!.psnr - baselineEval.input.perTask[t]!.psnr]));
    const progressEvery = Math.max(1, Math.round(images.length * preset.calibrationCrops * tasks.length / 10));
    const measured = await measureAutoChoice({
      images, crop: preset.eval.crop, cropsPerImage: preset.calibrationCrops, seed: preset.eval.seed + 5, protocol, extract,
      references: references.references, groups, baselineFile: onnxOf('baseline'), tasks, jpegCheck: jpegCheck.check,
      onProgress: (done, total) => { if (done % progressEvery === 0 || done === total) log(`  automatic choice: ${done}/${total} crops`); },
    });
    for (const [id, t] of Object.entries(measured.policy)) {
      log(`  ${id}: ${t.routed} crops routed; ${t.routed ? `group ${t.groupGain!.toFixed(2)} dB, baseline ${t.baselineGain!.toFixed(2)} dB; ` : ''}restores with the ${t.use}`);
    }
    return { ...measured, baselineExpectedGain };
  });
  {
    // Decided again from the measured crops, so that a measurement stored by older code follows this
    // code's rule (the JPEG check's route decides apart from the distance routes).
    const decided = decidePolicy(groups.map((g) => g.id), autoChoice.samples, jpegCheck.check.threshold);
    if (JSON.stringify(decided.policy) !== JSON.stringify(autoChoice.policy) || JSON.stringify(decided.jpegCheckRoute) !== JSON.stringify(autoChoice.jpegCheckRoute)) {
      log('  the automatic choice was decided by an older rule: deciding it again from its measured crops');
      Object.assign(autoChoice, decided);
      await atomicWrite(join(work, 'eval', 'auto-choice.json'), JSON.stringify(autoChoice, null, 2));
      await rm(blindUsePath, { force: true });
    }
    const route = autoChoice.jpegCheckRoute;
    if (route) log(`  JPEG check route: ${route.routed} crops; group ${route.groupGain?.toFixed(2) ?? '–'} dB, baseline ${route.baselineGain?.toFixed(2) ?? '–'} dB; restores with the ${route.use}`);
  }
  await saveTimings();

  // 7c. The learned router (src/core/router): trained on every training photo but the gain table's,
  //     then calibrated on those held-out photos' crops: temperature, gain per class (clean
  //     included), the OOD model and the safe policy for its routes. Never the validation photos.
  const routerWork = join(work, 'router');
  const routerStagePath = join(routerWork, 'stage.json');
  const routerCalibrationPath = join(routerWork, 'calibration.json');
  const routerOodPath = join(routerWork, 'ood.json');
  if (existsSync(routerStagePath) && ((await readJson<RouterTrainingResult>(routerStagePath)).samplesVersion ?? 1) !== SAMPLES_VERSION) {
    // Its samples were drawn another way (other degradations, other views): train it again, and
    // measure again everything measured with it (the calibration crops are degraded by the table too).
    log(`  the router was trained on samples of another version than ${SAMPLES_VERSION}: training and calibrating it again`);
    for (const path of [routerStagePath, routerCalibrationPath, routerOodPath]) await rm(path, { force: true });
  }
  const routerTraining = await stage('router', routerStagePath, timings, log, async () =>
    trainRouterStage({
      images: o.images, work: routerWork, heldOut: (await gainTableImages()).map((i) => i.name), draws: preset.router.draws, seed: preset.seed + 1,
      hyper: { hidden: preset.router.hidden, epochs: preset.router.epochs }, workers: o.workers, queue: o.queue, log,
    }));
  await saveTimings();
  // The router rule's analysis reads the first descriptorPatches of the descriptor's planned patches;
  // its OOD model's distances are read the same way.
  const routerPatches = preset.router.descriptorPatches ?? protocol.patchCount;
  const routerAnalysis = (images: EvalImage[]): RouterAnalysisOptions => ({
    images, crop: preset.eval.crop, cropsPerImage: preset.calibrationCrops, seed: preset.eval.seed + 5,
    protocol: { ...protocol, patchCount: routerPatches }, extract, references: references.references, groups, jpegCheck: jpegCheck.check,
  });
  const every10th = (total: number, done: number) => done % Math.max(1, Math.round(total / 10)) === 0 || done === total;
  const routerCrops = (sources?: Parameters<typeof measureRouterCrops>[0]['sources']) => async (images: EvalImage[]) =>
    measureRouterCrops({
      ...routerAnalysis(images), routerFile: routerTraining.onnx, baselineFile: onnxOf('baseline'), sources,
      onProgress: (done, total) => { if (every10th(total, done)) log(`  router calibration: ${done}/${total} crops`); },
      onSkip: (crop, reason) => log(`  router calibration: left out ${crop}: ${reason}`),
    });
  const routerCalibration = await stage('router-calibration', routerCalibrationPath, timings, log, async () => {
    const images = await gainTableImages();
    return calibrateRouter(await routerCrops()(images), groups.map((g) => g.id), images.map((i) => i.name), routerPatches);
  });
  if (routerCalibration.cleanPrior !== CLEAN_PRIOR) {
    // The decisions (policy, held-out figures) follow from the stored crops: decide them again.
    log(`  the router calibration was decided under a prior share of undamaged photos of ${routerCalibration.cleanPrior ?? 'one in twelve (as trained)'}: deciding it again under ${CLEAN_PRIOR}`);
    Object.assign(routerCalibration, calibrateRouter(routerCalibration.crops, groups.map((g) => g.id), routerCalibration.images, routerCalibration.descriptorPatches ?? protocol.patchCount, CLEAN_PRIOR));
    await atomicWrite(routerCalibrationPath, JSON.stringify(routerCalibration, null, 2));
  }
  if ((routerCalibration.descriptorPatches ?? protocol.patchCount) !== routerPatches) {
    // Only the distances depend on the patch count: read them again, and fit the OOD model again.
    log(`  the router calibration's distances were read from ${routerCalibration.descriptorPatches ?? protocol.patchCount} descriptor patches: reading them from ${routerPatches}`);
    const crops = await withRouterDistances(routerCalibration.crops, {
      ...routerAnalysis(await gainTableImages()),
      onProgress: (done, total) => { if (every10th(total, done)) log(`  router distances: ${done}/${total} crops`); },
      onSkip: (crop, reason) => log(`  router distances: left out ${crop}: ${reason}`),
    });
    Object.assign(routerCalibration, { crops, descriptorPatches: routerPatches });
    await atomicWrite(routerCalibrationPath, JSON.stringify(routerCalibration, null, 2));
    await rm(routerOodPath, { force: true });
  }
  await saveTimings();
  // The OOD model: tone quantiles on the router's training photos, then a logistic model on the
  // calibration crops (src/cli/router/ood.ts). One fitted on another version of the tone cues, or
  // without every input this build reads, is fitted again (the tone samples' cache is keyed by the
  // cues' version, so it is reused when only the inputs changed).
  if (existsSync(routerOodPath)) {
    const stale = staleOodFit((await readJson<{ fit: OodFit }>(routerOodPath)).fit);
    if (stale) {
      log(`  the OOD model ${stale}: fitting it again`);
      await rm(routerOodPath);
    }
  }
  const routerOod = await stage('router-ood', routerOodPath, timings, log, async () => {
    const images = await gainTableImages();
    const samples = await toneSamples({ images: o.images, heldOut: images.map((i) => i.name), draws: preset.router.toneDraws, seed: preset.seed + 2, cachePath: join(routerWork, 'tone-samples.json'), log });
    const cued = withPhotoCues(routerCalibration.crops, images, preset.eval.crop, preset.calibrationCrops, preset.eval.seed + 5);
    // Kinds added to the OOD table after the calibration crops were measured are measured now.
    const missing = OOD_DEGRADATION_IDS.filter((kind) => !cued.some((c) => c.source === kind));
    const added = missing.length ? await routerCrops(missing)(images) : [];
    // Undamaged photos as people bring them (whole, re-saved as JPEG), which the threshold must spare.
    const normal = await measureNormalPhotos({
      ...routerAnalysis(images), routerFile: routerTraining.onnx,
      onProgress: (done, total) => { if (every10th(total, done)) log(`  normal photos: ${done}/${total}`); },
      onSkip: (crop, reason) => log(`  normal photos: left out ${crop}: ${reason}`),
    });
    // The record keeps the added crops whole and the others' tone cues (the rest is in calibration.json).
    return {
      fit: fitOodModel([...cued, ...added, ...normal], routerCalibration.temperature, fitToneModel(samples)),
      added: [...added, ...normal],
      photoCues: Object.fromEntries(cued.map((c) => [cropKey(c), c.photoCues!])),
    };
  });
  await saveTimings();

  // 8. Calibration of the OOD threshold and the gain prediction, on the validation photos.
  const calibration = await stage('calibration', join(work, 'calibration.json'), timings, log, () =>
    calibrate({
      images: valImages, crop: preset.eval.crop, cropsPerImage: preset.calibrationCrops, seed: preset.eval.seed + 1, protocol, extract,
      references: references.references, groups, tasks, expectedGain: expectedGain.table, jpegCheck: jpegCheck.check,
    }));
  await saveTimings();

  // 9. Blind use: on the same crops, the automatic choice against the group that holds the
  //    degradation (Table 1's choice) and against the mix baseline.
  if (existsSync(blindUsePath) && (await readJson<BlindUseResult>(blindUsePath)).safePrediction === undefined) {
    log('  blind use was measured before the safe automatic choice was scored: measuring it again');
    await rm(blindUsePath);
  }
  const blindUse = await stage('blind-use', blindUsePath, timings, log, () =>
    measureBlindUse({
      images: valImages, crop: preset.eval.crop, cropsPerImage: preset.calibrationCrops, seed: preset.eval.seed + 1,
      tasks, groups, baselineFile: onnxOf('baseline'), samples: calibration.samples, policy: autoChoice.policy,
      jpegCheckRoute: autoChoice.jpegCheckRoute ? { trust: autoChoice.jpegCheckRoute, threshold: jpegCheck.check.threshold } : undefined,
      baselineExpectedGain: autoChoice.baselineExpectedGain,
    }));
  await saveTimings();

  // 10. Publish: ONNX files with stable names, manifest.json (validated), and the full report.
  await mkdir(o.out, { recursive: true });
  // Files of an earlier zoo (e.g. more groups) must not linger next to the new manifest.
  for (const stale of (await readdir(o.out)).filter((f) => f.endsWith('.onnx'))) await rm(join(o.out, stale));
  // Every published model's size and SHA-256, for the manifest's integrity record (core/model-files.ts).
  const integrity: Record<string, { sizeBytes: number; sha256: string }> = {};
  const publish = async (from: string, name: string) => {
    const to = join(o.out, name);
    const bytes = await readFile(from);
    await atomicWrite(to, bytes);
    integrity[relative(o.out, to).split('\\').join('/')] = { sizeBytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    return to;
  };
  const r = preset.restorer, d = preset.descriptor;
  const publishedGroups = [];
  for (const g of groups) {
    const file = await publish(g.file, `${g.id}.onnx`);
    publishedGroups.push({ id: g.id, name: g.members.map((m) => DEGRADATION_TABLE[m].name).join(' + '), members: g.members, model: await modelInfo(file, o.out, r.width, r.depth) });
  }
  const baselineFile = await publish(onnxOf('baseline'), 'baseline.onnx');
  const descriptorFile = await publish(descriptorOnnx, 'descriptor.onnx');
  const rows = tasks.map((t) => ({
    degradation: t,
    input: baseline.input.perTask[t]!.psnr,
    singleTask: single.models[t].perTask[t]!.psnr,
    baseline: baseline.models.baseline.perTask[t]!.psnr,
    grids: grids.models.grids.perTask[t]!.psnr,
  }));
  const manifest = parseManifest({
    version: 1,
    createdAt: new Date().toISOString(),
    preset: preset.name,
    notes: `Built by: ${o.command}`,
    degradations: tasks.map((t) => ({ id: t, name: DEGRADATION_TABLE[t].name, params: tableRanges(t) })),
    descriptor: {
      file: relative(o.out, descriptorFile), arch: 'srresnet-sr', scale: d.scale, layer: ddrLayer,
      input: { patchSize: protocol.patchSize, patchCount: protocol.patchCount, seed: protocol.seed },
      pca: { k: protocol.k }, trimSigmas: protocol.trimSigmas, featureOutput: featureOutputName(ddrLayer),
    },
    references: references.references.map((ref) => ({ id: ref.id, ggd: ref.ggd })),
    similarity: { ...references.matrices, used: 'symmetric' },
    groups: publishedGroups,
    baseline: await modelInfo(baselineFile, o.out, r.width, r.depth),
    selection: {
      oodThreshold: calibration.oodThreshold,
      calibration: {
        slope: calibration.gainFit.slope, intercept: calibration.gainFit.intercept, r: clampUnit(calibration.gainPrediction.r),
        ...(calibration.gainPrediction.method === 'expected-gain' ? { expectedGain: expectedGain.table } : {}),
        baselineExpectedGain: autoChoice.baselineExpectedGain,
      },
      autoChoice: {
        description: `${autoChoice.samples.length} crops (${preset.eval.crop} px, ${preset.calibrationCrops} corners) of ${autoChoice.images.length} training photos that neither the references nor the validation used, each degraded by each of the ${tasks.length} degradations; a group restores only where its model beat the mix baseline on average over the crops routed to it${autoChoice.jpegCheckRoute ? '; the crops the JPEG check sent to the JPEG group are decided apart from those the distances sent there' : ''}`,
        groups: autoChoice.policy,
        ...(autoChoice.jpegCheckRoute ? { jpegCheck: autoChoice.jpegCheckRoute } : {}),
      },
      jpegCheck: jpegCheck.check,
    },
    router: {
      file: relative(o.out, await publish(routerTraining.onnx, 'router.onnx')),
      features: PATCH_FEATURES_VERSION,
      classes: [...ROUTER_CLASSES],
      descriptorPatches: routerPatches,
      temperature: routerCalibration.temperature,
      cleanPrior: routerCalibration.cleanPrior,
      noDamageThreshold: routerCalibration.noDamageThreshold,
      gain: routerCalibration.gain,
      ood: manifestOod(routerOod.fit),
      autoChoice: { description: routerCalibration.policyDescription, groups: routerCalibration.policy },
      description: `a patch-set MLP over ${ROUTER_CLASSES.length} classes (the 11 degradations and clean), trained on ${routerTraining.samples} views of ${routerTraining.trainPhotos} training photos; calibrated on ${routerCalibration.images.length} held-out training photos`,
    },
    search: { delta: preset.delta, partition, verifications: search.verifications.map((v: { group: DegradationId[]; deltaP: number; passed: boolean; order: number; phase: string }) => ({ group: v.group, deltaP: v.deltaP, passed: v.passed, order: v.order, phase: v.phase })) },
    evaluation: { tables: { rows, units: 'dB', description: `PSNR (RGB) on ${preset.eval.crop}px centre crops of ${valImages.length} validation photos, one fixed degradation draw per photo (seed ${preset.eval.seed})` } },
    integrity,
  });
  const manifestPath = join(o.out, 'manifest.json');
  await atomicWrite(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  // 11. The router rule on §8's crops (the KL calibration's), through the published manifest:
  //     measured again whenever the manifest changes.
  const routerOnValidationPath = join(routerWork, 'on-validation.json');
  if (existsSync(routerOnValidationPath) && (await readJson<RouterOnValidation>(routerOnValidationPath)).manifestSha256 !== await manifestDigest(manifestPath)) {
    log('  the router on the validation crops was measured with another manifest: measuring it again');
    await rm(routerOnValidationPath);
  }
  const routerOnValidation = await stage('router-on-validation', routerOnValidationPath, timings, log, () => {
    const oodKinds = OOD_DEGRADATION_IDS.filter((kind) => calibration.samples.some((s) => s.source === kind));
    const total = valImages.length * preset.calibrationCrops * (tasks.length + oodKinds.length);
    return measureRouterOnValidation({
      manifestPath, images: valImages, crop: preset.eval.crop, cropsPerImage: preset.calibrationCrops, seed: preset.eval.seed + 1, tasks, oodKinds,
      onProgress: (done) => { if (done % Math.max(1, Math.round(total / 10)) === 0 || done === total) log(`  router on the validation crops: ${done}/${total}`); },
    });
  });
  await saveTimings();
  const report: ZooReport = {
    preset, command: o.command,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', platform: process.platform, node: process.version },
    timings, layerChoice, references, jpegCheck, evaluation: { single, baseline, grids }, search, groupModels, expectedGain, autoChoice,
    router: { training: routerTraining, calibration: routerCalibration, ood: routerOod.fit, onValidation: routerOnValidation.crops }, calibration, blindUse,
  };
  await atomicWrite(join(work, 'zoo-report.json'), JSON.stringify(report, null, 2));
  // Group GGDs are derived from the references, but logging them helps when reading a build log.
  for (const g of groups) {
    const ggd = groupGgd(g.members.map((m) => references.references.find((ref) => ref.id === m)!.ggd));
    log(`  ${g.id} {${g.members.join(', ')}}: GGD σ ${ggd.sigma.toFixed(4)} β ${ggd.beta.toFixed(3)}`);
  }
  await releaseSessions();
  return manifest;
}

function clampUnit(r: number): number {
  return Math.max(-1, Math.min(1, r));
}

function mergeInput(results: EvalResult[], tasks: DegradationId[]): EvalResult['input'] {
  const perTask = Object.assign({}, ...results.map((r) => r.input.perTask)) as EvalResult['input']['perTask'];
  return { perTask, average: averageOverTasks(perTask, tasks) };
}

type ParamRange = number | { min: number; max: number } | { choices: string[] };

/**
 * The manifest's parameter ranges, straight from the degradation table: the shared parameters, then
 * `family` and each family's own as `<family>.<parameter>`.
 */
function tableRanges(id: DegradationId): Record<string, ParamRange> {
  const row: DegradationSpec = DEGRADATION_TABLE[id];
  const rangeOf = (spec: ParamSpec): ParamRange =>
    spec.kind === 'uniform' || spec.kind === 'integer'
      ? { min: spec.min, max: spec.max }
      : spec.kind === 'choice'
        ? { choices: [...spec.options] }
        : typeof spec.value === 'number'
          ? spec.value
          : { choices: [spec.value] };
  const out: Record<string, ParamRange> = {};
  for (const [name, spec] of Object.entries(row.params)) out[name] = rangeOf(spec);
  if (row.families) {
    out.family = { choices: Object.keys(row.families) };
    for (const [family, f] of Object.entries(row.families)) for (const [name, spec] of Object.entries(f.params)) out[`${family}.${name}`] = rangeOf(spec);
  }
  return out;
}
