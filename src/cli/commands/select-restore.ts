import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Command } from 'commander';
import { analyseImage, type ImageAnalysis } from '../../core/analysis';
import { parseManifest, type Manifest } from '../../core/manifest';
import { atomicWrite, readImage, readImageFolder, writePng } from '../io/images';
import { createFeatureExtractor } from '../onnx/descriptor';
import { loadSession, ortCentredGram, releaseSessions, restoreImageTo8Bit } from '../onnx/ort-node';
import { info, integer, printJson } from '../options';
import { createProgress } from '../progress';

/** The folder workflow: the same analysis and selection as the browser, from the same manifest. */
export async function loadManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the model manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (build one with \`grids zoo\`)`);
  }
  return parseManifest(JSON.parse(text));
}

function summary(image: string, analysis: ImageAnalysis) {
  const s = analysis.selection;
  return {
    image,
    chosen: s.chosen,
    distance: s.chosenDistance,
    nearestGroupDistance: s.nearestGroupDistance,
    ood: s.ood,
    predictedGain: s.predictedGain,
    /** The JPEG check's verdict (null without a check in the manifest); when it fired, `chosen` is the JPEG group. */
    jpegCheck: s.jpegCheck,
    /** What `restore` uses without --group: the chosen group, or the baseline where the manifest's policy distrusts it. */
    automatic: modelName(analysis.automatic.model),
    automaticReason: analysis.automatic.reason,
    automaticPredictedGain: analysis.automatic.predictedGain,
    groups: s.groups,
    degradations: s.degradations,
    ggd: analysis.statistic.ggd,
  };
}

const modelName = (model: ImageAnalysis['automatic']['model']) => (model.kind === 'baseline' ? 'baseline' : model.id);

function describeAutomatic(analysis: ImageAnalysis): string {
  const a = analysis.automatic;
  if (a.reason !== 'unreliable' || !a.evidence) return '';
  return `; restores with the baseline: on held-out crops routed to ${analysis.selection.chosen}, the baseline gained ${a.evidence.baselineGain?.toFixed(2)} dB against the group's ${a.evidence.groupGain?.toFixed(2)} dB`;
}

async function analyser(manifestPath: string) {
  const manifest = await loadManifest(manifestPath);
  const root = dirname(manifestPath);
  const extract = createFeatureExtractor(await loadSession(join(root, manifest.descriptor.file)), manifest.descriptor.layer);
  return { manifest, root, analyse: (image: Parameters<typeof analyseImage>[0]) => analyseImage(image, manifest, extract, { gram: ortCentredGram() }) };
}

export function registerSelectRestore(program: Command): void {
  program
    .command('select')
    .description('pick the group model for each image (DDR statistic → KL to each group, and the JPEG check), with distances, OOD flag and predicted gain')
    .argument('<images...>', 'image files')
    .option('--manifest <path>', 'model manifest', 'public/models/manifest.json')
    .action(async (images: string[], opts: { manifest: string }) => {
      const { analyse } = await analyser(opts.manifest);
      const results = [];
      for (const path of images) {
        try {
          const analysis = await analyse(await readImage(path));
          const s = analysis.selection;
          const jpeg = s.jpegCheck?.fired ? `, JPEG blocks found (P ${s.jpegCheck.probability.toFixed(2)})` : '';
          info(`${path}: ${s.chosen} (distance ${s.chosenDistance.toFixed(3)}${jpeg}${s.ood ? ', OUT OF DISTRIBUTION' : ''}${s.predictedGain !== null ? `, predicted gain ${s.predictedGain.toFixed(2)} dB` : ''}${describeAutomatic(analysis)})`);
          results.push(summary(path, analysis));
        } catch (error) {
          info(`${path}: skipped, ${(error as Error).message.split('\n')[0]}`);
          results.push({ image: path, error: (error as Error).message.split('\n')[0] });
        }
      }
      await releaseSessions();
      printJson(results);
      if (results.some((r) => 'error' in r)) process.exitCode = 1;
    });

  program
    .command('restore')
    .description('restore every image in a folder with its automatic model (the selected group, or the mix baseline where the manifest distrusts that group), tiled, writing PNGs named after the originals')
    .requiredOption('--in <dir>', 'folder of degraded images')
    .requiredOption('--out <dir>', 'folder for restored PNGs and report.json')
    .option('--manifest <path>', 'model manifest', 'public/models/manifest.json')
    .option('--group <id>', 'use this group for every image instead of selecting ("baseline" for the mix model)')
    .option('--tile <px>', 'tile size', integer('--tile', 16), 256)
    .action(async (opts: { in: string; out: string; manifest: string; group?: string; tile: number }) => {
      const { manifest, root, analyse } = await analyser(opts.manifest);
      if (opts.group && opts.group !== 'baseline' && !manifest.groups.some((g) => g.id === opts.group)) {
        throw new Error(`unknown group "${opts.group}"; the manifest has: ${manifest.groups.map((g) => g.id).join(', ')}, baseline`);
      }
      if (opts.group === 'baseline' && !manifest.baseline) throw new Error('this manifest has no baseline model');
      const images = await readImageFolder(opts.in, { warn: info });
      const progress = createProgress('restore', images.length);
      const report = [];
      for (const [i, { name, image }] of images.entries()) {
        const analysis = await analyse(image);
        const groupId = opts.group ?? modelName(analysis.automatic.model);
        const model = groupId === 'baseline' ? manifest.baseline! : manifest.groups.find((g) => g.id === groupId)!.model;
        const restored = await restoreImageTo8Bit(await loadSession(join(root, model.file)), image, { tile: opts.tile });
        const output = join(opts.out, `${basename(name, extname(name))}.png`);
        await writePng(output, restored);
        report.push({ ...summary(name, analysis), used: groupId, output });
        progress.update(i + 1, name);
      }
      progress.stop();
      await atomicWrite(join(opts.out, 'report.json'), JSON.stringify(report, null, 2));
      await releaseSessions();
      printJson(report.map(({ image, used, distance, ood, predictedGain, output }) => ({ image, used, distance, ood, predictedGain, output })));
    });
}
