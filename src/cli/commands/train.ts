import { Command, Option } from 'commander';
import { ARCHITECTURES } from '../models/registry';
import { createProgress } from '../progress';
import { reportJobProgress } from '../queue/job-channel';
import { BACKEND_CHOICES, type BackendChoice } from '../tf/backend';
import { train, type TrainOptions } from '../train/trainer';
import { info, integer, nonNegativeNumber, positiveNumber, printJson, taskList } from '../options';

/** Adds the training options; `withTasks: false` leaves out --tasks for commands that choose them (search, zoo). */
export function trainOptionsCommand(command: Command, { withTasks = true } = {}): Command {
  if (withTasks) {
    command.requiredOption('--tasks <ids>', 'comma-separated degradation ids, "all", or "bicubic-sr" (the SR descriptor: clean bicubic downscaling)', (v: string) => (v === 'bicubic-sr' ? 'bicubic-sr' : taskList(v)));
  }
  return command
    .addOption(new Option('--arch <id>', 'architecture').choices(Object.keys(ARCHITECTURES)).default('srresnet'))
    .option('--width <n>', 'feature channels', integer('--width', 1))
    .option('--depth <n>', 'residual blocks', integer('--depth', 0))
    .addOption(new Option('--activation <kind>', 'activation in the residual blocks').choices(['relu', 'lrelu', 'prelu']))
    .option('--lr-degradations <ids>', 'with --tasks bicubic-sr: blind SR (DDR), each LR input degraded by one of these ids ("all") or left clean', taskList)
    .option('--scale <n>', 'upscaling factor (srresnet-sr: 2 or 4)', integer('--scale', 2))
    .requiredOption('--images <dir>', 'folder of clean training photos')
    .option('--steps <n>', 'training steps', integer('--steps', 1), 1000)
    .option('--batch <n>', 'batch size', integer('--batch', 1), 16)
    .option('--patch <n>', 'input patch size in px (LR size for sr)', integer('--patch', 4), 48)
    .option('--lr <x>', 'peak learning rate', positiveNumber('--lr'), 2e-4)
    .option('--min-lr <x>', 'final learning rate of the cosine schedule', nonNegativeNumber('--min-lr'), 1e-6)
    .option('--warmup <n>', 'linear warm-up steps (default: 2% of --steps)', integer('--warmup', 0))
    .addOption(new Option('--optimizer <name>', 'optimiser').choices(['adam', 'adamw']).default('adam'))
    .option('--weight-decay <x>', 'decoupled weight decay (adamw)', nonNegativeNumber('--weight-decay'), 0)
    .option('--seed <n>', 'random seed: weights, crops, degradations', integer('--seed'), 0)
    .requiredOption('--out <dir>', 'output folder (checkpoints, log, final model)')
    .option('--init <ckpt>', 'fine-tune from this checkpoint (same architecture)')
    .option('--resume', 'continue the unfinished run in --out from its last checkpoint', false)
    .option('--checkpoint-every <n>', 'steps between checkpoints', integer('--checkpoint-every', 1), 100)
    .option('--log-every <n>', 'steps between loss log lines', integer('--log-every', 1), 10)
    .option('--image-limit <n>', 'use only the first N images of --images', integer('--image-limit', 1))
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as unknown as string[]).default('auto'));
}

export interface TrainCliOptions {
  arch: string; width?: number; depth?: number; activation?: 'relu' | 'lrelu' | 'prelu'; scale?: number;
  tasks: TrainOptions['tasks']; lrDegradations?: TrainOptions['lrDegradations']; images: string; steps: number; batch: number; patch: number; lr: number; minLr: number;
  warmup?: number; optimizer: 'adam' | 'adamw'; weightDecay: number; seed: number; out: string; init?: string; resume: boolean;
  checkpointEvery: number; logEvery: number; imageLimit?: number; backend: BackendChoice;
}

export function toTrainOptions(o: TrainCliOptions): TrainOptions {
  return {
    arch: o.arch,
    archOptions: { width: o.width, depth: o.depth, activation: o.activation, scale: o.scale },
    tasks: o.tasks, lrDegradations: o.lrDegradations, imagesDir: o.images, steps: o.steps, batch: o.batch, patch: o.patch, lr: o.lr, minLr: o.minLr,
    warmup: o.warmup ?? Math.round(o.steps * 0.02), optimizer: o.optimizer, weightDecay: o.weightDecay, seed: o.seed,
    outDir: o.out, init: o.init, resume: o.resume, checkpointEvery: o.checkpointEvery, backend: o.backend,
    logEvery: o.logEvery, imageLimit: o.imageLimit,
  };
}

export function registerTrain(program: Command): void {
  trainOptionsCommand(program.command('train').description('train one model with tfjs (restorer or SR descriptor)'))
    .action(async (opts: TrainCliOptions) => {
      const options = toTrainOptions(opts);
      const progress = createProgress('train', options.steps);
      const result = await train(options, {
        log: info,
        progress: (step, total, loss) => {
          progress.update(step, `loss ${loss.toFixed(4)}`);
          reportJobProgress(step, total);
        },
      });
      progress.stop();
      info(`${result.interrupted ? 'interrupted' : 'done'}: ${result.steps} steps, ${result.gflopsPerSecond.toFixed(1)} GFLOP/s on ${result.backend} → ${result.modelPath}`);
      printJson(result);
      if (result.interrupted) process.exitCode = 130;
    });
}
