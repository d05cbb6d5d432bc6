import type { Command } from 'commander';
import { buildGraph } from '../models/registry';
import { exportOnnx } from '../onnx/writer';
import { atomicWrite } from '../io/images';
import { loadCheckpoint } from '../train/checkpoint';
import { info, printJson } from '../options';

export async function exportCheckpoint(checkpointPath: string, outPath: string, features?: string[], includeOutput = true) {
  const checkpoint = await loadCheckpoint(checkpointPath);
  const { graph } = buildGraph(checkpoint.meta.arch, checkpoint.meta.archOptions);
  const docString = JSON.stringify({ arch: checkpoint.meta.arch, archOptions: checkpoint.meta.archOptions, tasks: checkpoint.meta.tasks, steps: checkpoint.meta.stepsDone });
  const bytes = exportOnnx(graph, checkpoint.params, { features, includeOutput, docString });
  await atomicWrite(outPath, bytes);
  return { checkpoint: checkpointPath, onnx: outPath, bytes: bytes.length, arch: checkpoint.meta.arch, archOptions: checkpoint.meta.archOptions, features: features ?? Object.keys(graph.features) };
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a checkpoint to ONNX (opset 17, dynamic height and width)')
    .argument('<ckpt>', 'checkpoint file (model.ckpt or state.ckpt)')
    .argument('<out>', 'output .onnx file')
    .option('--features <layers>', 'comma-separated feature layers to expose (descriptor; default all)')
    .option('--features-only', 'leave out the network output and every node only it needs (a descriptor used for its features)', false)
    .action(async (ckpt: string, out: string, opts: { features?: string; featuresOnly: boolean }) => {
      const result = await exportCheckpoint(ckpt, out, opts.features?.split(',').map((s) => s.trim()), !opts.featuresOnly);
      info(`${ckpt} → ${out} (${(result.bytes / 1024).toFixed(0)} KiB)`);
      printJson(result);
    });
}
