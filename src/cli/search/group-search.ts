import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DegradationId } from '../../core/degradations/ids';
import { searchGroups, type GroupingResult } from '../../core/grouping';
import type { EvalImage, EvalResult } from '../eval/evaluate';
import { evaluate } from '../eval/evaluate';
import { atomicWrite } from '../io/images';
import { exportCheckpoint } from '../commands/export';
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
  evalSeed: number;
  crop: number | null;
  outDir: string;
  /** Cap on verifications (trainings); once spent, unverified groups count as failing. */
  maxVerifications?: number;
  log?: (line: string) => void;
}

export interface SearchOutcome extends GroupingResult {
  partitionIds: DegradationId[][];
  records: Record<string, VerificationRecord>;
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

export async function verifyGroup(group: DegradationId[], options: SearchOptions): Promise<VerificationRecord> {
  const key = groupKey(group);
  const memoPath = join(options.outDir, 'verifications', `${key}.json`);
  if (existsSync(memoPath)) return JSON.parse(await readFile(memoPath, 'utf8')) as VerificationRecord;
  for (const d of group) {
    if (options.singleTaskPsnr[d] === undefined) throw new Error(`no single-task result for ${d}: evaluate its single-task model first`);
  }
  const log = options.log ?? console.log;
  const modelDir = join(options.outDir, 'models', key);
  log(`verifying {${group.join(', ')}}: training its mix model in ${modelDir}`);
  const trained = await train({ ...options.recipe, tasks: group, outDir: modelDir, resume: true }, { log });
  if (trained.interrupted) throw new Error(`verification of {${group.join(', ')}} was interrupted; run the search again to resume`);
  const onnx = join(modelDir, 'model.onnx');
  await exportCheckpoint(trained.modelPath, onnx);
  const result = await evaluate({ models: [{ name: key, file: onnx }], images: options.valImages, tasks: group, seed: options.evalSeed, crop: options.crop });
  const perTask: VerificationRecord['perTask'] = {};
  let deltaP = -Infinity;
  for (const d of group) {
    const groupPsnr = result.models[key].perTask[d]!.psnr;
    const single = options.singleTaskPsnr[d]!;
    perTask[d] = { group: groupPsnr, single, drop: single - groupPsnr };
    deltaP = Math.max(deltaP, single - groupPsnr);
  }
  const record: VerificationRecord = { group, deltaP, perTask, model: trained.modelPath, onnx, trainSeconds: trained.seconds, fineTunedFrom: options.recipe.init ?? null };
  await atomicWrite(memoPath, JSON.stringify(record, null, 2));
  log(`  ΔP{${group.join(', ')}} = ${deltaP.toFixed(3)} dB (${deltaP <= options.delta ? 'pass' : 'fail'} at δ = ${options.delta})`);
  return record;
}

export async function runGroupSearch(options: SearchOptions): Promise<SearchOutcome> {
  const records: Record<string, VerificationRecord> = {};
  const result = await searchGroups({
    distances: options.distances,
    delta: options.delta,
    maxVerifications: options.maxVerifications,
    verify: async (indices) => {
      const group = indices.map((i) => options.order[i]);
      const record = await verifyGroup(group, options);
      records[groupKey(group)] = record;
      return record.deltaP;
    },
  });
  const partitionIds = result.partition.map((g) => g.map((i) => options.order[i]));
  const outcome: SearchOutcome = { ...result, partitionIds, records };
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
    verifications: result.verifications.map((v) => ({ ...v, group: v.group.map((i) => options.order[i]), record: records[groupKey(v.group.map((i) => options.order[i]))] ?? null })),
  }, null, 2));
  return outcome;
}
