import { Command, Option } from 'commander';
import { BACKEND_CHOICES } from '../tf/backend';
import { info, integer, positiveNumber } from '../options';
import { queueUrlFrom } from '../queue/connection';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('take grids jobs (trainings, exports, evaluations, router samples) from a Redis queue and run them, each in its own process, in the shared work folder')
    .option('--queue <url>', 'redis://[:password@]host:port[/db], or rediss:// for TLS (default: $GRIDS_QUEUE)')
    .requiredOption('--work <dir>', 'the shared work folder, the same one the producer (grids zoo/search/jobs --queue) uses, wherever this machine mounts it')
    .option('--concurrency <n>', 'jobs at once, each in its own process (one core each)', integer('--concurrency', 1), 1)
    .addOption(new Option('--backend <name>', 'tfjs backend for the training jobs this worker runs (default: the job\'s own)').choices(BACKEND_CHOICES as unknown as string[]))
    .option('--lock-seconds <s>', 'how long a job stays this worker\'s without a renewal (renewed every half of it); after that a dead worker\'s job goes to another', positiveNumber('--lock-seconds'), 60)
    .action(async (opts: { queue?: string; work: string; concurrency: number; backend?: string; lockSeconds: number }) => {
      const url = queueUrlFrom(opts.queue);
      if (!url) throw new Error('grids worker needs --queue redis://host:port (or GRIDS_QUEUE)');
      const { runQueueWorker } = await import('../queue/worker');
      const { reason } = await runQueueWorker({ url, work: opts.work, concurrency: opts.concurrency, backend: opts.backend, lockSeconds: opts.lockSeconds, log: (line) => info(`${new Date().toISOString()} ${line}`) });
      info(`worker stopped: ${reason}`);
      if (!['SIGINT', 'SIGTERM', 'aborted'].includes(reason)) process.exitCode = 2;
    });
}
