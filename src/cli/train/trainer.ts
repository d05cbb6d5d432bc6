import { existsSync } from 'node:fs';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from '../../core/image';
import { createRng, createRngFromState } from '../../core/random';
import type { DegradationId } from '../../core/degradations/ids';
import { readImageFolder } from '../io/images';
import { macsPerInputPixel } from '../models/graph';
import { buildGraph, type ArchOptions } from '../models/registry';
import { initParams, runGraph, type ParamValues } from '../models/tf-network';
import { adamStep } from '../tf/adam';
import { selectBackend, type BackendChoice } from '../tf/backend';
import { loadCheckpoint, saveCheckpoint, type Checkpoint, type CheckpointMeta } from './checkpoint';
import { sampleBatch, type TaskSpec } from './data';
import { learningRate } from './schedule';

export interface TrainOptions {
  arch: string;
  archOptions: Partial<ArchOptions>;
  /** Degradations to train on, or 'bicubic-sr' for the SR descriptor (clean bicubic downscaling). */
  tasks: DegradationId[] | 'bicubic-sr';
  /** With 'bicubic-sr': blind SR, the LR input degraded by one of these or left clean (data.ts). */
  lrDegradations?: DegradationId[];
  imagesDir: string;
  steps: number;
  batch: number;
  /** Input patch size in pixels (LR size for the SR descriptor). */
  patch: number;
  lr: number;
  minLr: number;
  warmup: number;
  optimizer: 'adam' | 'adamw';
  weightDecay: number;
  seed: number;
  outDir: string;
  /** Fine-tune from this checkpoint's weights (fresh optimiser). */
  init?: string;
  resume: boolean;
  checkpointEvery: number;
  backend: BackendChoice;
  logEvery: number;
  /** Use only the first N images of the folder (tests, quick runs). */
  imageLimit?: number;
}

export interface TrainHooks {
  log?: (line: string) => void;
  progress?: (step: number, total: number, loss: number) => void;
}

export interface TrainResult {
  modelPath: string;
  steps: number;
  finalLoss: number;
  seconds: number;
  backend: string;
  gflopsPerSecond: number;
  /** True when a signal stopped the run early (a checkpoint was written). */
  interrupted: boolean;
}

/**
 * Training photos stay loaded for the life of the process: the grouping search trains one model
 * per verification, and decoding a few hundred photos each time costs more than a short fine-tune.
 */
const imageCache = new Map<string, Promise<RgbImage[]>>();

function trainingImages(dir: string, minSize: number, limit: number | undefined, log: (line: string) => void): Promise<RgbImage[]> {
  const key = JSON.stringify([dir, minSize, limit ?? null]);
  let images = imageCache.get(key);
  if (!images) {
    images = readImageFolder(dir, { warn: log, minSize, limit }).then((loaded) => loaded.map((l) => l.image));
    images.catch(() => imageCache.delete(key));
    imageCache.set(key, images);
  }
  return images;
}

export const STATE_FILE = 'state.ckpt';
export const MODEL_FILE = 'model.ckpt';
export const LOG_FILE = 'train-log.jsonl';

/** The fields that must match for `--resume` to continue the same run. */
function runIdentity(o: TrainOptions, archOptions: ArchOptions) {
  // lrDegradations joins only when set, so checkpoints written before it existed still resume.
  return { arch: o.arch, archOptions, tasks: o.tasks, ...(o.lrDegradations ? { lrDegradations: o.lrDegradations } : {}), steps: o.steps, batch: o.batch, patch: o.patch, lr: o.lr, minLr: o.minLr, warmup: o.warmup, optimizer: o.optimizer, weightDecay: o.weightDecay, seed: o.seed, init: o.init ?? null, imageLimit: o.imageLimit ?? null };
}

export async function train(options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  const { graph, options: archOptions } = buildGraph(options.arch, {
    ...options.archOptions,
    ...(options.tasks === 'bicubic-sr' ? {} : { scale: undefined }),
  });
  if (options.tasks === 'bicubic-sr' && graph.scale === 1) throw new Error(`--tasks bicubic-sr needs a super-resolution architecture (srresnet-sr), not ${options.arch}`);
  if (options.lrDegradations && options.tasks !== 'bicubic-sr') throw new Error('--lr-degradations is for the SR descriptor (--tasks bicubic-sr); restorers take their degradations from --tasks');
  if (options.tasks !== 'bicubic-sr' && graph.scale !== 1) throw new Error(`${options.arch} upscales; restoration tasks need a same-resolution architecture (srresnet)`);
  const identity = runIdentity(options, archOptions);
  const statePath = join(options.outDir, STATE_FILE);
  const modelPath = join(options.outDir, MODEL_FILE);
  await mkdir(options.outDir, { recursive: true });

  let resumeFrom: Checkpoint | null = null;
  if (existsSync(statePath)) {
    if (!options.resume) throw new Error(`${options.outDir} holds an unfinished run (${STATE_FILE}); pass --resume to continue it, or choose another --out`);
    resumeFrom = await loadCheckpoint(statePath);
    const saved = JSON.stringify(resumeFrom.meta.config), now = JSON.stringify(identity);
    if (saved !== now) throw new Error(`cannot resume: ${statePath} was written by a different configuration\n  saved: ${saved}\n  now:   ${now}`);
  } else if (existsSync(modelPath) && options.resume) {
    const done = await loadCheckpoint(modelPath);
    if (JSON.stringify(done.meta.config) === JSON.stringify(identity)) {
      log(`already finished: ${modelPath} (${done.meta.stepsDone} steps)`);
      return { modelPath, steps: done.meta.stepsDone, finalLoss: NaN, seconds: done.meta.trainSeconds, backend: 'none', gflopsPerSecond: 0, interrupted: false };
    }
  }

  const backend = await selectBackend(options.backend);
  for (const line of backend.log) log(`backend ${line}`);
  const spec: TaskSpec = options.tasks === 'bicubic-sr' ? { kind: 'sr', scale: graph.scale, lrDegradations: options.lrDegradations } : { kind: 'restore', tasks: options.tasks };
  const cropSize = options.patch * graph.scale;
  const images = await trainingImages(options.imagesDir, cropSize, options.imageLimit, log);
  log(`${images.length} training images from ${options.imagesDir}`);

  let params: ParamValues;
  let m: ParamValues | null = null, v: ParamValues | null = null;
  let rng = createRng(options.seed);
  let startStep = 0;
  let trainSeconds = 0;
  if (resumeFrom?.training) {
    params = resumeFrom.params;
    ({ m, v } = resumeFrom.training);
    rng = createRngFromState(resumeFrom.training.rngState);
    startStep = resumeFrom.training.step;
    trainSeconds = resumeFrom.meta.trainSeconds;
    log(`resuming from step ${startStep}`);
  } else {
    params = initParams(graph, rng);
    if (options.init) {
      const init = await loadCheckpoint(options.init);
      if (init.meta.arch !== options.arch || JSON.stringify(init.meta.archOptions) !== JSON.stringify(archOptions)) {
        throw new Error(`--init ${options.init} is ${init.meta.arch} ${JSON.stringify(init.meta.archOptions)}, not ${options.arch} ${JSON.stringify(archOptions)}`);
      }
      params = init.params;
      log(`fine-tuning from ${options.init}`);
    }
  }

  const variables = graph.params.map((p) => tf.variable(tf.tensor(params[p.name], p.shape), true, p.name));
  const moments1 = graph.params.map((p, i) => tf.variable(m ? tf.tensor(m[p.name], p.shape) : tf.zerosLike(variables[i]), false));
  const moments2 = graph.params.map((p, i) => tf.variable(v ? tf.tensor(v[p.name], p.shape) : tf.zerosLike(variables[i]), false));
  const byName = Object.fromEntries(graph.params.map((p, i) => [p.name, variables[i] as tf.Tensor]));

  const snapshot = (step: number, withState: boolean): Checkpoint => {
    const read = (vars: tf.Variable[]) => Object.fromEntries(graph.params.map((p, i) => [p.name, vars[i].dataSync().slice() as Float32Array]));
    const meta: CheckpointMeta = {
      arch: options.arch, archOptions, tasks: options.tasks, config: identity,
      createdAt: new Date().toISOString(), stepsDone: step, trainSeconds,
    };
    return { meta, params: read(variables), training: withState ? { step, rngState: rng.state(), m: read(moments1), v: read(moments2) } : undefined };
  };

  let stopSignal: string | null = null;
  const onSignal = (signal: string) => {
    stopSignal = signal;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const macs = macsPerInputPixel(graph) * options.patch * options.patch * options.batch;
  const flopsPerStep = 3 * 2 * macs; // forward + backward ≈ 3 forward passes
  let lastLoss = NaN;
  let step = startStep;
  let computeSeconds = 0;
  try {
    for (; step < options.steps; step++) {
      if (stopSignal) break;
      const started = performance.now();
      const batch = sampleBatch(images, spec, options.patch, options.batch, rng);
      const lr = learningRate(step, options);
      const t = step + 1;
      const lossTensor = tf.tidy(() => {
        const input = tf.tensor4d(batch.input, batch.inputShape);
        const target = tf.tensor4d(batch.target, batch.targetShape);
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(runGraph(graph, byName, input)[0], target))) as tf.Scalar, variables);
        // AdamW decays weights directly (decoupled), not through the gradient.
        const decay = options.optimizer === 'adamw' ? options.weightDecay : 0;
        variables.forEach((variable, i) => adamStep(variable, moments1[i], moments2[i], grads[variable.name], t, lr, decay));
        return value;
      });
      lastLoss = (await lossTensor.data())[0];
      lossTensor.dispose();
      const seconds = (performance.now() - started) / 1000;
      computeSeconds += seconds;
      trainSeconds += seconds;
      if (!Number.isFinite(lastLoss)) throw new Error(`training diverged at step ${t} (loss ${lastLoss}); try a lower --lr`);
      hooks.progress?.(t, options.steps, lastLoss);
      if (t % options.logEvery === 0 || t === options.steps) {
        await appendFile(join(options.outDir, LOG_FILE), JSON.stringify({ step: t, loss: lastLoss, lr, seconds: +trainSeconds.toFixed(2) }) + '\n');
      }
      if (t % options.checkpointEvery === 0 && t < options.steps) await saveCheckpoint(statePath, snapshot(t, true));
      // Let signal handlers run between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (stopSignal) {
      await saveCheckpoint(statePath, snapshot(step, true));
      log(`${stopSignal}: saved a checkpoint at step ${step}; continue with --resume`);
    } else {
      await saveCheckpoint(modelPath, snapshot(step, false));
      await rm(statePath, { force: true });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    tf.dispose([...variables, ...moments1, ...moments2]);
  }
  const stepsRun = step - startStep;
  return {
    modelPath: stopSignal ? statePath : modelPath,
    steps: step,
    finalLoss: lastLoss,
    seconds: trainSeconds,
    backend: backend.backend,
    gflopsPerSecond: stepsRun > 0 ? (flopsPerStep * stepsRun) / computeSeconds / 1e9 : 0,
    interrupted: stopSignal !== null,
  };
}
