import type { Command } from 'commander';
import { integer, positiveNumber } from '../options';
import { parseQueueUrl, queueUrlFrom } from './connection';
import type { RemoteQueueOptions } from './producer';

export interface QueueCliOptions {
  queue?: string;
  attempts: number;
  backoff: number;
}

/** --queue, --attempts and --backoff, shared by the commands that can run their jobs on a Redis queue. */
export function queueOptionsCommand(command: Command): Command {
  return command
    .option('--queue <url>', 'run the jobs on a Redis queue\'s workers (`grids worker`) instead of local processes: redis://[:password@]host:port[/db], or rediss:// for TLS (default: $GRIDS_QUEUE)')
    .option('--attempts <n>', 'with --queue: attempts per job before it is reported failed', integer('--attempts', 1), 3)
    .option('--backoff <s>', 'with --queue: seconds before the first retry of a failed job; each next one waits twice as long', positiveNumber('--backoff'), 30);
}

/** The queue to use (checked now, so a bad URL is reported before any work), or null to run locally. */
export function remoteQueueFrom(opts: QueueCliOptions, work: string): RemoteQueueOptions | null {
  const url = queueUrlFrom(opts.queue);
  if (!url) return null;
  parseQueueUrl(url);
  return { url, work, attempts: opts.attempts, backoffSeconds: opts.backoff };
}
