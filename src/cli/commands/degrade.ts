import type { Command } from 'commander';
import { degrade } from '../../core/degradations/registry';
import { readImage, writePng } from '../io/images';
import { degradationId, info, integer, printJson } from '../options';

export function registerDegrade(program: Command): void {
  program
    .command('degrade')
    .description('apply one of the 11 core degradations to an image (same code as training and the browser)')
    .requiredOption('--type <id>', 'degradation id', degradationId)
    .option('--seed <n>', 'random seed (same seed, same output bytes)', integer('--seed'), 0)
    .argument('<in>', 'input image (PNG, JPEG or WebP)')
    .argument('<out>', 'output PNG')
    .action(async (input: string, output: string, opts: { type: ReturnType<typeof degradationId>; seed: number }) => {
      const image = await readImage(input).catch((error: Error) => {
        throw new Error(`cannot read ${input}: ${error.message.split('\n')[0]}`);
      });
      const result = degrade(image, opts.type, opts.seed);
      await writePng(output, result.image);
      info(`${opts.type} (seed ${opts.seed}) → ${output}`);
      printJson({ input, output, type: opts.type, seed: opts.seed, params: result.params, width: image.width, height: image.height });
    });
}
