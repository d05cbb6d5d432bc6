import type { Command } from 'commander';
import { IN_DISTRIBUTION_LABELS, outlierSampling } from '../router/dataset';
import { generateSamples, photoFiles } from '../router/generate';
import { trainRouterStage } from '../router/stage';
import { info, integer } from '../options';
import { reportJobProgress } from '../queue/job-channel';

export function registerRouter(program: Command): void {
  const router = program.command('router').description('the learned degradation router: training samples, training, export');
  router
    .command('data')
    .description('generate (or resume) the router\'s training samples from clean photos: each photo viewed, degraded by each of the 11 or left clean, reduced to patch features')
    .requiredOption('--images <dir>', 'folder of clean training photos')
    .requiredOption('--work <dir>', 'folder for the per-photo sample files')
    .option('--draws <n>', 'views per photo and class', integer('--draws', 1), 6)
    .option('--seed <n>', 'random seed', integer('--seed'), 1)
    .option('--shard <i/n>', 'generate only photos i, i+n, i+2n, … (run n processes on n cores)', '0/1')
    .option('--outliers', 'also the outlier-exposure samples: each photo viewed and damaged by out-of-distribution kinds, trained towards no class')
    .action(async (opts: { images: string; work: string; draws: number; seed: number; shard: string; outliers?: boolean }) => {
      const [shard, shards] = opts.shard.split('/').map(Number);
      if (!(Number.isInteger(shard) && Number.isInteger(shards) && shard >= 0 && shard < shards)) throw new Error(`--shard must look like 0/2, got "${opts.shard}"`);
      const sets = [{ labels: IN_DISTRIBUTION_LABELS, draws: opts.draws, seed: opts.seed, what: 'samples' }];
      if (opts.outliers) sets.push({ ...outlierSampling(opts.seed), what: 'outlier samples' });
      for (const [k, { what, ...set }] of sets.entries()) {
        await generateSamples({
          ...set, images: opts.images, dir: opts.work, shard, shards,
          onPhoto: (done, total, name) => {
            info(`router data (${what}): ${done}/${total} ${name}`);
            // One progress bar over both sets.
            reportJobProgress(k * total + done, sets.length * total);
          },
        });
      }
    });
  router
    .command('train')
    .description('train the router on the photos (samples generated or resumed), then write router.onnx in --work')
    .requiredOption('--images <dir>', 'folder of clean training photos')
    .requiredOption('--work <dir>', 'folder for samples, checkpoints and router.onnx')
    .option('--held-out <from:count>', 'photos (by sorted position) kept out of training, for calibration', '96:24')
    .option('--draws <n>', 'views per photo and class', integer('--draws', 1), 6)
    .option('--epochs <n>', 'training epochs', integer('--epochs', 1), 40)
    .option('--seed <n>', 'random seed', integer('--seed'), 1)
    .action(async (opts: { images: string; work: string; heldOut: string; draws: number; epochs: number; seed: number }) => {
      const [from, count] = opts.heldOut.split(':').map(Number);
      const files = await photoFiles(opts.images);
      const result = await trainRouterStage({
        images: opts.images, work: opts.work, heldOut: files.slice(from, from + count), draws: opts.draws, seed: opts.seed, hyper: { epochs: opts.epochs }, log: info,
      });
      info(`router: ${result.onnx} (${result.seconds.toFixed(0)} s)`);
    });
}
