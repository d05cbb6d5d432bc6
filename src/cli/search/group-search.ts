import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DegradationId } from '../../core/degradations/ids';
import { type GroupingResult } from '../../core/grouping';
import { searchGroupsSpeculatively } from '../../core/grouping-speculation';
import type { EvalImage, EvalResult } from '../eval/evaluate';
import { evaluateAll } from '../eval/evaluate-jobs';
import { atomicWrite } from '../io/images';
import { exportCheckpoint } from '../commands/export';
import { writeQueue } from '../jobs/runner';
import { runJobs, type JobsTarget } from '../jobs/run-jobs';
import type { RemoteQueueOptions } from '../queue/producer';
import { LOG_FILE } from '../train/trainer';
import { train, type TrainOptions } from '../train/trainer';

/**
 * The grouping search with a real verifier (paper Eq. 4): ΔP(C) = max over d ∈ C of
 * PSNR(single-task model of d, on d) − PSNR(model mix-trained on C, on d), measured with the eval
 * protocol on validation photos. Each verification is memoised on disk, and its training resumes
 * from checkpoints, so an interrupted search continues where it stopped.
 */
export type Recipe = Omit<TrainOptions, 'tasks' | 'outDir' | 'resume'>;

export interface VerificationRecord {
  group: DegradationId[];
  deltaP: number;
  /** PSNR of the group model and of the single-task model per member. */
  perTask: Record<string, { group: number; single: number; drop: number }>;
  model: string;
  onnx: string;
  trainSeconds: number;
  fineTunedFrom: string | null;
}

export interface SearchOptions {
  order: DegradationId[];
  distances: number[][];
  delta: number;
  /** PSNR of each single-task model on its own degradation. */
  singleTaskPsnr: Partial<Record<DegradationId, number>>;
  recipe: Recipe;
  valImages: EvalImage[];
  /** The folder valImages were read from (what evaluation jobs on a queue read). */
  valImagesDir: string;
  evalSeed: number;
  crop: number | null;
  outDir: string;
  /** Cap on verifications (trainings); once spent, unverified groups count as failing. */
  maxVerifications?: number;
  /**
   * Parallel training processes. With more than one, the search speculates: while it waits for a
   * verification, it also trains the group it would verify next if the pending one came out as
   * predicted (see `predictPass`). A wrong guess costs a training, never a different result.
   */
  workers?: number;
  /** Train and evaluate the verifications on this Redis queue's workers instead of locally. */
  queue?: RemoteQueueOptions | null;
  log?: (line: string) => void;
}

export interface SearchOutcome extends GroupingResult {
  partitionIds: DegradationId[][];
  records: Record<string, VerificationRecord>;
  /** Groups trained on a guess that the search then did not ask about (their cost, no effect on the result). */
  unusedSpeculations: DegradationId[][];
}

export const groupKey = (group: readonly string[]) => [...group].join('+');

export function singleTaskPsnrFrom(evalResult: EvalResult): Partial<Record<DegradationId, number>> {
  const out: Partial<Record<DegradationId, number>> = {};
  for (const [name, scores] of Object.entries(evalResult.models)) {
    const own = scores.perTask[name as DegradationId];
    if (own) out[name as DegradationId] = own.psnr;
  }
  return out;
}

const memoPathOf = (options: SearchOptions, key: string) => join(options.outDir, 'verifications', `${key}.json`);
const modelDirOf = (options: SearchOptions, key: string) => join(options.outDir, 'models', key);

/** `grids train` arguments that reproduce a recipe (the search's queue jobs run the CLI). */
export function trainArgsFor(recipe: Recipe, tasks: DegradationId[], outDir: string): string[] {
  const a = recipe.archOptions as { width?: number; depth?: number; activation?: string; scale?: number };
  const args = ['train', '--arch', recipe.arch, '--tasks', tasks.join(','), '--images', resolve(recipe.imagesDir), '--out', resolve(outDir), '--resume'];
  const add = (flag: string, value: string | number | null | undefined) => {
    if (value !== undefined && value !== null) args.push(flag, String(value));
  };
  add('--width', a.width); add('--depth', a.depth); add('--activation', a.activation); add('--scale', a.scale);
  add('--steps', recipe.steps); add('--batch', recipe.batch); add('--patch', recipe.patch); add('--lr', recipe.lr); add('--min-lr', recipe.minLr);
  add('--warmup', recipe.warmup); add('--optimizer', recipe.optimizer); add('--weight-decay', recipe.weightDecay); add('--seed', recipe.seed);
  add('--init', recipe.init ? resolve(recipe.init) : undefined); add('--checkpoint-every', recipe.checkpointEvery); add('--log-every', recipe.logEvery);
  add('--image-limit', recipe.imageLimit); add('--backend', recipe.backend);
  return args;
}

/**
 * Trains the mix models of `groups` (those not trained yet): in this process with one local worker,
 * else as queue jobs (local child processes, one core each, or a Redis queue's workers). Trainings
 * resume from their checkpoints.
 */
export async function trainGroupModels(groups: DegradationId[][], recipe: Recipe, dirOf: (key: string) => string, queuePath: string, target: JobsTarget, log: (line: string) => void): Promise<void> {
  const todo = groups.filter((g) => !existsSync(join(dirOf(groupKey(g)), 'model.ckpt')));
  if (!todo.length) return;
  if (!target.queue && target.workers <= 1) {
    for (const group of todo) {
      log(`training the mix model of {${group.join(', ')}} in ${dirOf(groupKey(group))}`);
      const trained = await train({ ...recipe, tasks: group, outDir: dirOf(groupKey(group)), resume: true }, { log });
      if (trained.interrupted) throw new Error(`the training of {${group.join(', ')}} was interrupted; run again to resume`);
    }
    return;
  }
  log(`training ${todo.map((g) => `{${g.join(', ')}}`).join(' and ')} ${target.queue ? 'on the queue' : `in parallel (${Math.min(target.workers, todo.length)} processes)`}`);
  // Job ids allow letters, digits, '.', '_' and '-': '+' becomes '.'.
  await writeQueue(queuePath, todo.map((g) => ({ id: `train-${groupKey(g).replaceAll('+', '.')}`, args: trainArgsFor(recipe, g, dirOf(groupKey(g))) })));
  const summary = await runJobs(queuePath, target);
  if (summary.interrupted) throw new Error('interrupted; run again to resume the trainings from their checkpoints');
  if (summary.failed.length || summary.blocked.length) {
    throw new Error(`trainings failed: ${[...summary.failed.map((f) => f.id), ...summary.blocked].join(', ')}; see the logs next to ${queuePath}`);
  }
}

/**
 * Paper Eq. 4 for one evaluated group model: each member's PSNR drop against its single-task model,
 * and ΔP, the largest of them.
 */
export function dropsAgainstSingleTask(result: EvalResult, model: string, group: DegradationId[], singleTaskPsnr: Partial<Record<DegradationId, number>>) {
  const perTask: VerificationRecord['perTask'] = {};
  let deltaP = -Infinity;
  for (const d of group) {
    const groupPsnr = result.models[model].perTask[d]!.psnr;
    const single = singleTaskPsnr[d]!;
    perTask[d] = { group: groupPsnr, single, drop: single - groupPsnr };
    deltaP = Math.max(deltaP, single - groupPsnr);
  }
  return { perTask, deltaP };
}

/** ΔP of a group whose mix model is trained: export, evaluate on the validation photos, memoise. */
export async function verifyGroup(group: DegradationId[], options: SearchOptions): Promise<VerificationRecord> {
  const key = groupKey(group);
  const memoPath = memoPathOf(options, key);
  if (existsSync(memoPath)) return JSON.parse(await readFile(memoPath, 'utf8')) as VerificationRecord;
  for (const d of group) {
    if (options.singleTaskPsnr[d] === undefined) throw new Error(`no single-task result for ${d}: evaluate its single-task model first`);
  }
  const log = options.log ?? console.log;
  const modelDir = modelDirOf(options, key);
  await trainGroupModels([group], options.recipe, (k) => modelDirOf(options, k), join(options.outDir, 'queue.json'), { workers: 1, queue: options.queue }, log);
  const modelPath = join(modelDir, 'model.ckpt');
  const onnx = join(modelDir, 'model.onnx');
  await exportCheckpoint(modelPath, onnx);
  const [result] = await evaluateAll(
    [{ name: key.replaceAll('+', '.'), models: [{ name: key, file: onnx }], imagesDir: options.valImagesDir, images: options.valImages, tasks: group, seed: options.evalSeed, crop: options.crop }],
    { queue: options.queue, queuePath: join(options.outDir, 'eval-queue.json') },
  );
  const { perTask, deltaP } = dropsAgainstSingleTask(result, key, group, options.singleTaskPsnr);
  const record: VerificationRecord = { group, deltaP, perTask, model: modelPath, onnx, trainSeconds: await trainSecondsOf(modelDir), fineTunedFrom: options.recipe.init ?? null };
  await atomicWrite(memoPath, JSON.stringify(record, null, 2));
  return record;
}

/** Training seconds of a finished model, from its loss log (0 when there is none). */
async function trainSecondsOf(modelDir: string): Promise<number> {
  const path = join(modelDir, LOG_FILE);
  if (!existsSync(path)) return 0;
  const lines = (await readFile(path, 'utf8')).trim().split('\n');
  return (JSON.parse(lines[lines.length - 1]) as { seconds?: number }).seconds ?? 0;
}

export async function runGroupSearch(options: SearchOptions): Promise<SearchOutcome> {
  const log = options.log ?? console.log;
  const workers = Math.max(1, options.workers ?? 1);
  const idsOf = (indices: number[]) => indices.map((i) => options.order[i]);
  const keyOf = (indices: number[]) => groupKey(idsOf(indices));
  const records: Record<string, VerificationRecord> = {};
  // ΔP known from earlier runs (memo files), so a resumed search replays without training.
  const known = new Map<string, number>();
  const memoDir = join(options.outDir, 'verifications');
  const indexOf = new Map(options.order.map((id, i) => [id, i]));
  if (existsSync(memoDir)) {
    for (const file of (await readdir(memoDir)).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(await readFile(join(memoDir, file), 'utf8')) as VerificationRecord;
      if (!record.group.every((d) => indexOf.has(d))) continue;
      records[groupKey(record.group)] = record;
      known.set(record.group.map((d) => indexOf.get(d)!).sort((a, b) => a - b).join(','), record.deltaP);
    }
  }
  const { result } = await searchGroupsSpeculatively({
    distances: options.distances,
    delta: options.delta,
    maxVerifications: options.maxVerifications,
    workers,
    known,
    answer: async (batch) => {
      await trainGroupModels(batch.map(idsOf), options.recipe, (k) => modelDirOf(options, k), join(options.outDir, 'queue.json'), { workers, queue: options.queue }, log);
      const answers: number[] = [];
      for (const indices of batch) {
        const record = await verifyGroup(idsOf(indices), options);
        log(`  ΔP{${record.group.join(', ')}} = ${record.deltaP.toFixed(3)} dB (${record.deltaP <= options.delta ? 'pass' : 'fail'} at δ = ${options.delta})`);
        records[keyOf(indices)] = record;
        answers.push(record.deltaP);
      }
      return answers;
    },
  });
  // Every trained group the search did not ask about was a wrong guess (in this run or an earlier one).
  const asked = new Set(result.verifications.map((v) => keyOf(v.group)));
  const unusedSpeculations = Object.entries(records).filter(([key]) => !asked.has(key)).map(([, r]) => r.group);
  const partitionIds = result.partition.map((g) => g.map((i) => options.order[i]));
  const outcome: SearchOutcome = { ...result, partitionIds, records, unusedSpeculations };
  await atomicWrite(join(options.outDir, 'search.json'), JSON.stringify({
    delta: options.delta,
    order: options.order,
    partition: partitionIds,
    groupCount: result.groupCount,
    lMax: result.lMax,
    verifierCalls: result.verifierCalls,
    maxVerifications: options.maxVerifications ?? null,
    budgetExhausted: result.budgetExhausted,
    candidateCounts: result.candidateCounts,
    unusedSpeculations,
    verifications: result.verifications.map((v) => ({ ...v, group: v.group.map((i) => options.order[i]), record: records[groupKey(v.group.map((i) => options.order[i]))] ?? null })),
  }, null, 2));
  return outcome;
}
