import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeQueue } from '../jobs/runner';
import { runJobs } from '../jobs/run-jobs';
import type { RemoteQueueOptions } from '../queue/producer';
import { ROUTER_CLASSES } from '../../core/router/classes';
import { atomicWrite } from '../io/images';
import { selectBackend } from '../tf/backend';
import { IN_DISTRIBUTION_LABELS, OUTLIER_EXPOSURE, OUTLIER_LABELS, outlierSampling, SAMPLE_VALUES, SAMPLES_VERSION, type SampleLabel } from './dataset';
import { generateSamples, photoFiles } from './generate';
import { exportRouterOnnx } from './onnx';
import { DEFAULT_ROUTER_HYPER, OUTLIER, trainRouter, type LabelledSamples, type RouterHyper, type TrainLog } from './train';

export interface RouterTrainingOptions {
  images: string;
  work: string;
  /** Photo names kept out of training (the held-out photos that calibrate the router afterwards). */
  heldOut: readonly string[];
  draws: number;
  seed: number;
  hyper?: Partial<RouterHyper>;
  /** Processes that generate the samples (one core each); 1 generates them in this process. */
  workers?: number;
  /** Generate the samples on this Redis queue's workers instead of local processes. */
  queue?: RemoteQueueOptions | null;
  log: (line: string) => void;
}

export interface RouterTrainingResult {
  onnx: string;
  trainPhotos: number;
  samples: number;
  /** dataset.ts's SAMPLES_VERSION the router was trained on (absent: 1, before camera histories). */
  samplesVersion?: number;
  /** The outlier-exposure samples it was trained with (dataset.ts's OUTLIER_EXPOSURE); absent: none. */
  outliers?: { kinds: readonly string[]; draws: number; samples: number };
  hyper: RouterHyper;
  history: TrainLog[];
  seconds: number;
}

/** The class index of a sample label, OUTLIER for an out-of-distribution damage. */
export function labelIndex(label: SampleLabel): number {
  if (label.startsWith('ood:')) return OUTLIER;
  const index = ROUTER_CLASSES.indexOf(label as never);
  if (index < 0) throw new RangeError(`unknown router sample label '${label}'`);
  return index;
}

/**
 * Stacks sets of per-photo sample files into one labelled set, in order: each set's files hold its
 * labels repeated × draws (IN_DISTRIBUTION_LABELS, OUTLIER_LABELS).
 */
export function stackSamples(sets: readonly { perPhoto: readonly Float32Array[]; labels: readonly SampleLabel[] }[]): LabelledSamples {
  const n = sets.reduce((s, set) => s + set.perPhoto.reduce((t, f) => t + f.length / SAMPLE_VALUES, 0), 0);
  const features = new Float32Array(n * SAMPLE_VALUES);
  const out = new Int32Array(n);
  let k = 0;
  for (const { perPhoto, labels } of sets) {
    const indices = labels.map(labelIndex);
    for (const f of perPhoto) {
      features.set(f, k * SAMPLE_VALUES);
      for (let i = 0; i < f.length / SAMPLE_VALUES; i++) out[k + i] = indices[i % indices.length];
      k += f.length / SAMPLE_VALUES;
    }
  }
  return { features, labels: out };
}

/**
 * Trains the router on every training photo but the held-out ones: samples (generated or resumed),
 * then the network (resumed from its per-epoch checkpoint), then router.onnx. Idempotent: a finished
 * run returns its recorded result.
 */
export async function trainRouterStage(o: RouterTrainingOptions): Promise<RouterTrainingResult> {
  const resultPath = join(o.work, 'training.json');
  const hyper = { ...DEFAULT_ROUTER_HYPER, ...o.hyper };
  const onnx = join(o.work, 'router.onnx');
  if (existsSync(resultPath) && existsSync(onnx)) {
    const done = JSON.parse(await readFile(resultPath, 'utf8')) as RouterTrainingResult;
    const sameOutliers = JSON.stringify(done.outliers?.kinds ?? []) === JSON.stringify(OUTLIER_EXPOSURE.kinds) && done.outliers?.draws === OUTLIER_EXPOSURE.draws;
    if (JSON.stringify(done.hyper) === JSON.stringify(hyper) && (done.samplesVersion ?? 1) === SAMPLES_VERSION && sameOutliers) return done;
  }
  const started = Date.now();
  const files = await photoFiles(o.images);
  const heldOut = new Set(o.heldOut);
  const samplesDir = join(o.work, 'samples');
  if (o.queue || (o.workers ?? 1) > 1) {
    // One `grids router data` process per core, each on every n-th photo; the files they write are
    // what generateSamples() below then reads back (it generates nothing that exists). The job ids
    // carry the samples' version, so a queue finished for another version runs again.
    const queuePath = join(o.work, 'samples-queue.json');
    const n = Math.max(1, o.workers ?? 1);
    await writeQueue(queuePath, Array.from({ length: n }, (_, i) => ({
      id: `router-samples-v${SAMPLES_VERSION}-${i}`,
      args: ['router', 'data', '--images', resolve(o.images), '--work', resolve(samplesDir), '--draws', String(o.draws), '--seed', String(o.seed), '--shard', `${i}/${n}`, '--outliers'],
    })));
    const summary = await runJobs(queuePath, { workers: n, queue: o.queue });
    if (summary.interrupted) throw new Error('interrupted; run the same command again to resume the router\'s samples');
    if (summary.failed.length) throw new Error(`router sample generation failed: ${summary.failed.map((f) => f.id).join(', ')}; see ${join(o.work, 'logs')}`);
  }
  const onPhoto = (what: string) => (done: number, total: number, name: string) => { if (done % 20 === 0 || done === total) o.log(`  router ${what}: ${done}/${total} photos (${name})`); };
  const samples = await generateSamples({ images: o.images, dir: samplesDir, labels: IN_DISTRIBUTION_LABELS, draws: o.draws, seed: o.seed, onPhoto: onPhoto('samples') });
  const outliers = await generateSamples({ ...outlierSampling(o.seed), images: o.images, dir: samplesDir, onPhoto: onPhoto('outlier samples') });
  const trainIdx = files.map((name, i) => ({ name, i })).filter(({ name }) => !heldOut.has(name)).map(({ i }) => i);
  const heldIdx = files.map((name, i) => ({ name, i })).filter(({ name }) => heldOut.has(name)).map(({ i }) => i);
  const train = stackSamples([
    { perPhoto: trainIdx.map((i) => samples.get(i)!), labels: IN_DISTRIBUTION_LABELS },
    { perPhoto: trainIdx.map((i) => outliers.get(i)!), labels: OUTLIER_LABELS },
  ]);
  const outlierCount = train.labels.filter((l) => l === OUTLIER).length;
  // The held-out photos' in-distribution samples measure the accuracy after each epoch.
  const held = heldIdx.length ? stackSamples([{ perPhoto: heldIdx.map((i) => samples.get(i)!), labels: IN_DISTRIBUTION_LABELS }]) : null;
  const backend = await selectBackend('wasm');
  o.log(`  router: ${train.labels.length} training samples from ${trainIdx.length} photos (${outlierCount} of them outliers), ${held?.labels.length ?? 0} held out (backend ${backend.tfName})`);
  let stop = false;
  const onSignal = () => { stop = true; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { weights, history, finished } = await trainRouter(train, held, hyper, join(o.work, 'router.ckpt'), o.log, () => stop)
    .finally(() => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); });
  if (!finished) throw new Error('interrupted; run the same command again to resume the router from its last epoch');
  const doc = `GRIDS degradation router (${hyper.hidden}-wide patch-set MLP over ${ROUTER_CLASSES.length} classes), trained on ${trainIdx.length} photos`;
  await atomicWrite(onnx, exportRouterOnnx(weights, doc));
  const result: RouterTrainingResult = {
    onnx, trainPhotos: trainIdx.length, samples: train.labels.length, samplesVersion: SAMPLES_VERSION,
    outliers: { kinds: OUTLIER_EXPOSURE.kinds, draws: OUTLIER_EXPOSURE.draws, samples: outlierCount }, hyper, history, seconds: (Date.now() - started) / 1000,
  };
  await atomicWrite(resultPath, JSON.stringify(result, null, 2));
  return result;
}
