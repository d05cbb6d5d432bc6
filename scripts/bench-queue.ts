/**
 * npm run bench:queue — the same 4 short trainings run twice on this machine: by the local runner
 * (`grids jobs --workers 2`) and through a Redis queue with 2 `grids worker` processes (a private
 * redis-server, Debian's). Prints both wall times, their ratio, and the time from enqueue to start.
 * The workers are started (and idle) before the timed run, as they would be on a cluster.
 * Figures from one run on a shared machine: compare within a run, not across runs.
 *
 *   npm run bench:queue [-- --steps 400]
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { makeImageFolder, runCli, startCli, tempDir } from '../src/cli/test-support';
import { parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX } from '../src/cli/queue/connection';
import { startLocalRedis } from '../src/cli/queue/local-redis';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '400' } } });
const steps = Number(values.steps);
const images = await makeImageFolder(6, 128);
const tasks = ['jpeg', 'gaussian_noise', 'defocus_blur', 'gaussian_blur'];

async function queueFile(work: string): Promise<string> {
  const path = join(work, 'bench.json');
  await writeFile(path, JSON.stringify({ jobs: tasks.map((t) => ({
    id: `train-${t}`,
    args: ['train', '--tasks', t, '--images', images, '--out', `runs/${t}`, '--arch', 'srresnet', '--width', '16', '--depth', '2', '--steps', String(steps),
      '--batch', '8', '--patch', '32', '--backend', 'wasm', '--checkpoint-every', '50', '--seed', '1', '--resume'],
  })) }));
  return path;
}

async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`grids ${args.join(' ')} failed:\n${result.stderr}`);
  return (performance.now() - started) / 1000;
}

const local = await timed(['jobs', await queueFile(await tempDir('grids-bench-local-')), '--workers', '2']);
console.log(`local runner, 2 processes:  ${local.toFixed(1)} s for ${tasks.length} trainings of ${steps} steps`);

const redis = await startLocalRedis();
try {
  const work = await tempDir('grids-bench-queue-');
  const path = await queueFile(work);
  const workers = [0, 1].map(() => startCli(['worker', '--queue', redis.url, '--work', work]));
  await new Promise((r) => setTimeout(r, 3000)); // both connected and idle
  const queued = await timed(['jobs', path, '--queue', redis.url]);
  console.log(`Redis queue, 2 workers:     ${queued.toFixed(1)} s (× ${(queued / local).toFixed(3)} the local runner's; aim ≤ × 1.05)`);
  const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(redis.url).connection, prefix: QUEUE_PREFIX });
  const jobs = await queue.getJobs(['completed']);
  const waits = jobs.map((j) => (j.processedOn! - j.timestamp) / 1000).sort((a, b) => a - b);
  // The first two start at once; the others wait for a free worker, so their wait is the training's.
  console.log(`enqueue → start: ${waits.map((w) => `${w.toFixed(3)} s`).join(', ')} (the first ${workers.length} have a free worker)`);
  await queue.close();
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.done));
} finally {
  await redis.dispose();
}
