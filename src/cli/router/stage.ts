import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeQueue } from '../jobs/runner';
import { runJobs } from '../jobs/run-jobs';
import type { RemoteQueueOptions } from '../queue/producer';
import { ROUTER_CLASSES } from '../../core/router/classes';
import { atomicWrite } from '../io/images';
import { selectBackend } from '../tf/backend';
import { IN_DISTRIBUTION_LABELS, SAMPLE_VALUES, SAMPLES_VERSION, type SampleLabel } from './dataset';
import { generateSamples, photoFiles } from './generate';
import { exportRouterOnnx } from './onnx';
import { DEFAULT_ROUTER_HYPER, trainRouter, type LabelledSamples, type RouterHyper, type TrainLog } from './train';

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
  hyper: RouterHyper;
  history: TrainLog[];
  seconds: number;
}

/** Stacks per-photo sample files into one labelled set (labels repeat IN_DISTRIBUTION_LABELS × draws). */
export function stackSamples(perPhoto: Float32Array[], labels: readonly SampleLabel[]): LabelledSamples {
  const n = perPhoto.reduce((s, f) => s + f.length / SAMPLE_VALUES, 0);
  const features = new Float32Array(n * SAMPLE_VALUES);
  const out = new Int32Array(n);
  let k = 0;
  for (const f of perPhoto) {
    features.set(f, k * SAMPLE_VALUES);
    for (let i = 0; i < f.length / SAMPLE_VALUES; i++) out[k + i] = ROUTER_CLASSES.indexOf(labels[i % labels.length] as never);
    k += f.length / SAMPLE_VALUES;
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
    if (JSON.stringify(done.hyper) === JSON.stringify(hyper) && (done.samplesVersion ?? 1) === SAMPLES_VERSION) return done;
  }
  const started = Date.now();
  const files = await photoFiles(o.images);
  const heldOut = new Set(o.heldOut);
  const samplesDir = join(o.work, 'samples');
  if (o.queue || (o.workers ?? 1) > 1) {
    // One `grids router data` process per core, each on every n-th photo; the files they write are
    // what generateSamples() below then reads back (it generates nothing that exists).
    const queuePath = join(o.work, 'samples-queue.json');
    const n = Math.max(1, o.workers ?? 1);
    await writeQueue(queuePath, Array.from({ length: n }, (_, i) => ({
      id: `router-samples-${i}`,
      args: ['router', 'data', '--images', resolve(o.images), '--work', resolve(samplesDir), '--draws', String(o.draws), '--seed', String(o.seed), '--shard', `${i}/${n}`],
    })));
    const summary = await runJobs(queuePath, { workers: n, queue: o.queue });
    if (summary.interrupted) throw new Error('interrupted; run the same command again to resume the router\'s samples');
    if (summary.failed.length) throw new Error(`router sample generation failed: ${summary.failed.map((f) => f.id).join(', ')}; see ${join(o.work, 'logs')}`);
  }
  const samples = await generateSamples({
    images: o.images, dir: samplesDir, labels: IN_DISTRIBUTION_LABELS, draws: o.draws, seed: o.seed,
    onPhoto: (done, total, name) => { if (done % 20 === 0 || done === total) o.log(`  router samples: ${done}/${total} photos (${name})`); },
  });
  const trainIdx = files.map((name, i) => ({ name, i })).filter(({ name }) => !heldOut.has(name)).map(({ i }) => i);
  const heldIdx = files.map((name, i) => ({ name, i })).filter(({ name }) => heldOut.has(name)).map(({ i }) => i);
  const train = stackSamples(trainIdx.map((i) => samples.get(i)!), IN_DISTRIBUTION_LABELS);
  const held = heldIdx.length ? stackSamples(heldIdx.map((i) => samples.get(i)!), IN_DISTRIBUTION_LABELS) : null;
  const backend = await selectBackend('wasm');
  o.log(`  router: ${train.labels.length} training samples from ${trainIdx.length} photos, ${held?.labels.length ?? 0} held out (backend ${backend.tfName})`);
  let stop = false;
  const onSignal = () => { stop = true; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { weights, history, finished } = await trainRouter(train, held, hyper, join(o.work, 'router.ckpt'), o.log, () => stop)
    .finally(() => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); });
  if (!finished) throw new Error('interrupted; run the same command again to resume the router from its last epoch');
  const doc = `GRIDS degradation router (${hyper.hidden}-wide patch-set MLP over ${ROUTER_CLASSES.length} classes), trained on ${trainIdx.length} photos`;
  await atomicWrite(onnx, exportRouterOnnx(weights, doc));
  const result: RouterTrainingResult = { onnx, trainPhotos: trainIdx.length, samples: train.labels.length, samplesVersion: SAMPLES_VERSION, hyper, history, seconds: (Date.now() - started) / 1000 };
  await atomicWrite(resultPath, JSON.stringify(result, null, 2));
  return result;
}
