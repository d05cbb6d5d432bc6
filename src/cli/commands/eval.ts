import { join } from 'node:path';
import type { Command } from 'commander';
import { evalMarkdown, evaluate, type EvalModel } from '../eval/evaluate';
import { atomicWrite, readImageFolder } from '../io/images';
import { releaseSessions } from '../onnx/ort-node';
import { info, integer, printJson, taskList } from '../options';
import { createProgress } from '../progress';

function parseModels(value: string): EvalModel[] {
  return value.split(',').map((entry) => {
    const [name, file] = entry.includes('=') ? entry.split('=') : [entry.replace(/^.*\//, '').replace(/\.onnx$/, ''), entry];
    return { name, file };
  });
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate ONNX models (onnxruntime-node) on degraded photos: PSNR/SSIM per degradation and on average')
    .requiredOption('--models <list>', 'comma-separated model files, each optionally name=file.onnx', parseModels)
    .requiredOption('--images <dir>', 'folder of clean photos')
    .option('--tasks <ids>', 'degradations to evaluate ("all" or comma-separated ids)', taskList, taskList('all'))
    .option('--seed <n>', 'seed of the fixed degradation draws', integer('--seed'), 0)
    .option('--crop <px>', 'centre crop side (0 = whole image)', integer('--crop'), 256)
    .option('--tile <px>', 'inference tile size', integer('--tile', 16), 256)
    .option('--out <dir>', 'write eval.json and eval.md here')
    .action(async (opts: { models: EvalModel[]; images: string; tasks: ReturnType<typeof taskList>; seed: number; crop: number; tile: number; out?: string }) => {
      const images = (await readImageFolder(opts.images, { warn: info })).map((l) => ({ name: l.name, image: l.image }));
      const progress = createProgress('eval', opts.tasks.length * images.length * opts.models.length);
      const result = await evaluate({ models: opts.models, images, tasks: opts.tasks, seed: opts.seed, crop: opts.crop || null, tile: opts.tile, onProgress: (d) => progress.update(d) });
      progress.stop();
      await releaseSessions();
      const markdown = evalMarkdown(result);
      if (opts.out) {
        await atomicWrite(join(opts.out, 'eval.json'), JSON.stringify(result, null, 2));
        await atomicWrite(join(opts.out, 'eval.md'), markdown);
        info(`wrote ${join(opts.out, 'eval.json')} and eval.md`);
      }
      info(markdown);
      printJson(result);
    });
}
