import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { DegradationId } from '../../core/degradations/ids';
import type { EvalResult } from '../eval/evaluate';
import { readImageFolder } from '../io/images';
import { releaseSessions } from '../onnx/ort-node';
import { info, integer, nonNegativeNumber, printJson } from '../options';
import { runGroupSearch, singleTaskPsnrFrom } from '../search/group-search';
import { toTrainOptions, trainOptionsCommand, type TrainCliOptions } from './train';
import { queueOptionsCommand, remoteQueueFrom, type QueueCliOptions } from '../queue/cli-options';

async function readJson<T>(path: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
}

export function registerSearch(program: Command): void {
  const command = program
    .command('search')
    .description('the GRIDS grouping search (Alg. 1) with a real verifier: trains and evaluates group mix models, memoised on disk and resumable')
    .requiredOption('--similarity <json>', 'similarity.json from `grids similarity` (uses its symmetric matrix)')
    .requiredOption('--single-eval <json>', 'eval.json of the single-task models, each named by its degradation id')
    .option('--delta <dB>', 'largest allowed PSNR drop of a group against single-task models', nonNegativeNumber('--delta'), 0.7)
    .requiredOption('--val-images <dir>', 'validation photos for the verifications')
    .option('--eval-seed <n>', 'seed of the evaluation degradations', integer('--eval-seed'), 0)
    .option('--crop <px>', 'evaluation centre crop (0 = whole image)', integer('--crop'), 256)
    .option('--max-verifications <n>', 'cap on verification trainings; once spent, unverified groups count as failing', integer('--max-verifications', 0))
    .option('--workers <n>', 'parallel verification trainings (one core each; extra ones train the group the search would ask about next)', integer('--workers', 1), 1)
    .option('--verify-init <ckpt>', 'fine-tune each verification from this checkpoint (the mix baseline) instead of training from scratch')
    .option('--work <dir>', 'with --queue: the shared work folder the workers mount, holding --out and --verify-init (default: --out)');
  queueOptionsCommand(command);
  // The verification trainings take the same options as `grids train`, except what the search sets.
  trainOptionsCommand(command, { withTasks: false });
  command.action(async (opts: TrainCliOptions & QueueCliOptions & { work?: string; similarity: string; singleEval: string; delta: number; valImages: string; evalSeed: number; crop: number; verifyInit?: string; maxVerifications?: number; workers: number }) => {
    const similarity = await readJson<{ order: DegradationId[]; matrices: { symmetric: number[][] } }>(opts.similarity, 'similarity file');
    const singleEval = await readJson<EvalResult>(opts.singleEval, 'single-task evaluation');
    const valImages = (await readImageFolder(opts.valImages, { warn: info })).map((l) => ({ name: l.name, image: l.image }));
    const recipe = toTrainOptions({ ...opts, tasks: ['gaussian_noise'], init: opts.verifyInit ?? opts.init, resume: true });
    const outcome = await runGroupSearch({
      order: similarity.order,
      distances: similarity.matrices.symmetric,
      delta: opts.delta,
      singleTaskPsnr: singleTaskPsnrFrom(singleEval),
      recipe,
      valImages,
      valImagesDir: opts.valImages,
      evalSeed: opts.evalSeed,
      crop: opts.crop || null,
      outDir: opts.out,
      maxVerifications: opts.maxVerifications,
      workers: opts.workers,
      queue: remoteQueueFrom(opts, opts.work ?? opts.out),
      log: info,
    });
    await releaseSessions();
    if (outcome.budgetExhausted) info(`the verification budget (${opts.maxVerifications}) ran out: groups not verified were not used`);
    info(`partition (${outcome.groupCount} groups, ${outcome.verifierCalls} verifications): ${outcome.partitionIds.map((g) => `{${g.join(', ')}}`).join(' ')}`);
    printJson({ partition: outcome.partitionIds, groupCount: outcome.groupCount, lMax: outcome.lMax, verifierCalls: outcome.verifierCalls, out: opts.out });
  });
}
