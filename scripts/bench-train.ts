/**
 * npm run bench:train — training throughput (GFLOP/s, forward + backward ≈ 3 forward passes,
 * data sampling included) of `srresnet` at two sizes on each tfjs backend that starts here, then
 * the wall-time speed-up of `grids jobs` with 2 workers over 1 on two identical trainings.
 * `--backend <name>` measures that backend only. Figures from one run on a shared machine: compare
 * within a run, not across runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeImageFolder } from '../src/cli/test-support';
import { runQueue, writeQueue } from '../src/cli/jobs/runner';
import { selectBackend, type BackendChoice } from '../src/cli/tf/backend';
import { train } from '../src/cli/train/trainer';

// --backend <name>: only that backend (e.g. webgpu on a GPU machine with the `webgpu` Dawn package).
const { values: options } = parseArgs({ options: { backend: { type: 'string' } } });
const backends = (options.backend ? [options.backend] : ['tensorflow', 'webgpu', 'wasm', 'cpu']) as BackendChoice[];
const images = await makeImageFolder(6, 128);
const sizes = [
  { label: 'w16 d2, batch 8 × 32²', width: 16, depth: 2, batch: 8, patch: 32 },
  { label: 'w32 d4, batch 16 × 48²', width: 32, depth: 4, batch: 16, patch: 48 },
];
const log = () => {};

for (const backend of backends) {
  try {
    await selectBackend(backend);
  } catch (error) {
    console.log(`${backend}: not available here (${(error as Error).message.split('\n').slice(-1)[0].trim()})`);
    continue;
  }
  for (const size of sizes) {
    // The cpu backend is ~500× slower: one tiny run is enough to measure it.
    if (backend === 'cpu' && size !== sizes[0]) continue;
    const steps = backend === 'cpu' ? 2 : 12;
    const out = await mkdtemp(join(tmpdir(), 'bench-train-'));
    const result = await train({
      arch: 'srresnet', archOptions: { width: size.width, depth: size.depth, activation: 'relu' }, tasks: ['gaussian_noise', 'gaussian_blur'],
      imagesDir: images, steps, batch: size.batch, patch: size.patch, lr: 2e-4, minLr: 1e-6, warmup: 0, optimizer: 'adam', weightDecay: 0,
      seed: 1, outDir: out, resume: false, checkpointEvery: 1000, backend, logEvery: 1000,
    }, { log });
    console.log(`${backend}: srresnet ${size.label}: ${result.gflopsPerSecond.toFixed(2)} GFLOP/s (${((result.seconds / steps) * 1000).toFixed(0)} ms/step over ${steps} steps)`);
    await rm(out, { recursive: true, force: true });
  }
}

// grids jobs: the same two trainings with 1 worker, then with 2.
const wall: Record<number, number> = {};
for (const workers of [1, 2]) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-jobs-'));
  const queue = join(dir, 'queue.json');
  await writeQueue(queue, [0, 1].map((i) => ({
    id: `train-${i}`,
    args: ['train', '--tasks', 'gaussian_noise', '--images', images, '--steps', '150', '--batch', '8', '--patch', '32', '--width', '16', '--depth', '2', '--backend', 'wasm', '--seed', String(i), '--out', join(dir, `m${i}`)],
  })));
  const started = performance.now();
  const summary = await runQueue(queue, { workers });
  wall[workers] = (performance.now() - started) / 1000;
  if (summary.failed.length) throw new Error(`bench jobs failed: ${JSON.stringify(summary.failed)}`);
  console.log(`grids jobs, 2 trainings, ${workers} worker(s): ${wall[workers].toFixed(1)} s`);
  await rm(dir, { recursive: true, force: true });
}
console.log(`grids jobs speed-up, 2 workers over 1: ${(wall[1] / wall[2]).toFixed(2)}×`);
await rm(images, { recursive: true, force: true });
