import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { BACKEND_CHOICES, type BackendChoice } from '../tf/backend';
import { info, integer, printJson } from '../options';
import { buildZoo } from '../zoo/pipeline';
import { PRESETS } from '../zoo/presets';
import { queueOptionsCommand, remoteQueueFrom, type QueueCliOptions } from '../queue/cli-options';

/** The checkout's commit (with "+changes" when the tree differs), or null outside a git checkout. */
function gitCommit(): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src', 'bin', 'package.json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return null;
  }
}

export function registerZoo(program: Command): void {
  const zoo = program
    .command('zoo')
    .description('the whole pipeline: descriptor, references and similarity, single-task models, mix baseline, grouping search, group models, calibration, manifest.json (resumable)')
    .addOption(new Option('--preset <name>', 'recipe').choices(Object.keys(PRESETS)).default('smoke'))
    .requiredOption('--images <dir>', 'clean training photos')
    .requiredOption('--val-images <dir>', 'clean validation photos (evaluation and calibration)')
    .option('--out <dir>', 'where the app reads models from', 'public/models')
    .option('--work <dir>', 'checkpoints, logs and intermediate results (default: runs/zoo-<preset>)')
    .option('--workers <n>', 'parallel training processes (one core each)', integer('--workers', 1), availableParallelism())
    .addOption(new Option('--backend <name>', 'tfjs backend for training').choices(BACKEND_CHOICES as unknown as string[]).default('auto'))
    .addOption(new Option('--stop-after <stage>', 'stop once this stage is done (run again without it to go on); "similarity" needs only the trained descriptor').choices(['trainings', 'similarity']));
  queueOptionsCommand(zoo)
    .action(async (opts: QueueCliOptions & { preset: string; images: string; valImages: string; out: string; work?: string; workers: number; backend: BackendChoice; stopAfter?: 'trainings' | 'similarity' }) => {
      const preset = PRESETS[opts.preset];
      const work = opts.work ?? join('runs', `zoo-${preset.name}`);
      const queue = remoteQueueFrom(opts, work);
      const started = Date.now();
      const manifest = await buildZoo({
        preset, images: opts.images, valImages: opts.valImages, work, out: opts.out, workers: opts.workers, queue, backend: opts.backend, log: info, stopAfter: opts.stopAfter,
        command: `grids ${process.argv.slice(2).join(' ')}`, codeVersion: gitCommit(),
      });
      if (!manifest) {
        info(`stopped after ${opts.stopAfter} in ${((Date.now() - started) / 60000).toFixed(1)} min; run the same command without --stop-after to go on`);
        return;
      }
      info(`zoo ready in ${((Date.now() - started) / 60000).toFixed(1)} min: ${manifest.groups.length} groups → ${join(opts.out, 'manifest.json')}`);
      printJson({ out: opts.out, work, groups: manifest.groups.map((g) => g.members), selection: manifest.selection });
    });
}
