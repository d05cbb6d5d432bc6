import { join } from 'node:path';
import type { Command } from 'commander';
import { centreCrop } from '../eval/evaluate';
import { atomicWrite, readImageFolder } from '../io/images';
import { createFeatureExtractor } from '../onnx/descriptor';
import { loadSession, releaseSessions } from '../onnx/ort-node';
import { info, integer, printJson, taskList } from '../options';
import { createProgress } from '../progress';
import { heatmapSvg } from '../report/heatmap-svg';
import { buildReferences } from '../similarity/references';

export function registerSimilarity(program: Command): void {
  program
    .command('similarity')
    .description('reference GGDs of the degradations from descriptor features (DDR), the 11×11 distance matrices, an SVG heatmap and a separation report')
    .requiredOption('--descriptor <onnx>', 'descriptor model (srresnet-sr export)')
    .option('--layer <name>', 'DDR feature layer: hidden_hr or last_block', 'hidden_hr')
    .requiredOption('--images <dir>', 'folder of clean photos to degrade')
    .option('--tasks <ids>', 'degradations ("all" or comma-separated ids)', taskList, taskList('all'))
    .option('--patch-size <px>', 'descriptor input patch side', integer('--patch-size', 4), 16)
    .option('--patches <n>', 'patches per degradation', integer('--patches', 2), 64)
    .option('--k <n>', 'PCA components', integer('--k', 1), 32)
    .option('--seed <n>', 'seed of degradations and patch positions', integer('--seed'), 0)
    .option('--image-limit <n>', 'use only the first N photos', integer('--image-limit', 1))
    .option('--crop <px>', 'centre-crop each photo to this side before degrading it (0 = whole photo)', integer('--crop'), 0)
    .requiredOption('--out <dir>', 'write similarity.json and similarity.svg here')
    .action(async (opts: { descriptor: string; layer: string; images: string; tasks: ReturnType<typeof taskList>; patchSize: number; patches: number; k: number; seed: number; imageLimit?: number; crop: number; out: string }) => {
      const images = (await readImageFolder(opts.images, { warn: info, limit: opts.imageLimit, minSize: opts.patchSize })).map((l) => centreCrop(l.image, opts.crop || null));
      const extract = createFeatureExtractor(await loadSession(opts.descriptor), opts.layer);
      const progress = createProgress('similarity', opts.tasks.length * 2);
      const result = await buildReferences({
        images, tasks: opts.tasks, extract,
        protocol: { patchSize: opts.patchSize, patchCount: opts.patches, seed: opts.seed, k: opts.k, trimSigmas: 5 },
        onProgress: (d) => progress.update(d),
      });
      progress.stop();
      await releaseSessions();
      const output = { descriptor: opts.descriptor, layer: opts.layer, ...result };
      await atomicWrite(join(opts.out, 'similarity.json'), JSON.stringify(output, null, 2));
      await atomicWrite(join(opts.out, 'similarity.svg'), heatmapSvg(result.matrices.symmetric, result.order, { title: `Degradation distance, symmetrised (layer ${opts.layer})` }));
      for (const s of result.separation) {
        info(`${s.id.padEnd(15)} self ${s.selfDistance.toFixed(3)}  nearest other ${s.nearestId} ${s.nearestDistance.toFixed(3)}  ${s.separated ? 'separated' : 'NOT separated'}`);
      }
      info(`${result.separatedCount}/${result.order.length} degradations are nearest their own reference; wrote ${join(opts.out, 'similarity.json')} and similarity.svg`);
      printJson(output);
    });
}
