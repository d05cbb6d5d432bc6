import { info } from '../options';
import { createProgress, formatSeconds, type Progress } from '../progress';
import type { RemoteQueueOptions } from '../queue/producer';
import { runQueue, type QueueEvent, type QueueSummary } from './runner';

/** Where a queue file's jobs run: local child processes, or a Redis queue's workers. */
export interface JobsTarget {
  /** Local parallel processes (ignored with a queue: the workers' concurrency decides). */
  workers: number;
  /** The Redis queue, or null/undefined to run locally. */
  queue?: RemoteQueueOptions | null;
}

export interface RunJobsOptions {
  onEvent?: (event: QueueEvent) => void;
  graceSeconds?: number;
  signal?: AbortSignal;
}

/** Runs a queue file's jobs where `target` says; the summary is the same either way. */
export async function runJobs(queuePath: string, target: JobsTarget, o: RunJobsOptions = {}): Promise<QueueSummary> {
  const reporter = o.onEvent ? null : jobsReporter(queuePath, target);
  const onEvent = o.onEvent ?? reporter!.onEvent;
  try {
    // Loaded only when asked for: a local run needs no Redis client.
    return target.queue
      ? await (await import('../queue/producer')).runQueueOnRedis(queuePath, { remote: target.queue, onEvent, signal: o.signal, log: info })
      : await runQueue(queuePath, { workers: target.workers, onEvent, graceSeconds: o.graceSeconds, signal: o.signal });
  } finally {
    reporter?.stop();
  }
}

/**
 * Progress of a queue run on stderr: a bar over the jobs to run (a line per 5 % on a pipe), and a
 * line per start, end, block and retry.
 */
export function jobsReporter(queuePath: string, target: JobsTarget): { onEvent: (event: QueueEvent) => void; stop: () => void } {
  let progress: Progress | null = null;
  let ended = 0;
  const running = new Set<string>();
  const tick = () => progress?.update(ended, running.size ? `running: ${[...running].join(', ')}` : '');
  const where = target.queue ? `the queue's workers` : `${target.workers} worker${target.workers === 1 ? '' : 's'}`;
  const onEvent = (event: QueueEvent) => {
    switch (event.type) {
      case 'plan':
        info(`${queuePath}: ${event.total} job${event.total === 1 ? '' : 's'}, ${event.skipped.length} already done, ${event.toRun.length} to run on ${where}`);
        if (event.toRun.length > 0) progress = createProgress('jobs', event.toRun.length);
        break;
      case 'skip':
        if (event.argsChanged) info(`warning: job "${event.id}" is done but its args changed since; not re-run (delete its entry in the status file to re-run it)`);
        break;
      case 'recovered':
        info(`job "${event.id}" was left running by a runner that stopped; running it again`);
        break;
      case 'start':
        running.add(event.id);
        info(`start ${event.id} (attempt ${event.attempt}${event.pid > 0 ? `, pid ${event.pid}` : ''}) → ${event.log}`);
        tick();
        break;
      case 'end':
        running.delete(event.id);
        if (event.state !== 'pending') ended++;
        info(
          event.state === 'done'
            ? `done ${event.id} in ${formatSeconds(event.seconds)}`
            : event.state === 'failed'
              ? `FAILED ${event.id} (${event.signal ? `killed by ${event.signal}` : event.exitCode !== null ? `exit code ${event.exitCode}` : 'see its log'}) after ${formatSeconds(event.seconds)}; see ${event.log}`
              : `stopped ${event.id}; back to pending`,
        );
        tick();
        break;
      case 'blocked':
        ended++;
        info(`blocked ${event.id}: depends on ${event.by.join(', ')}, which did not succeed`);
        tick();
        break;
      case 'interrupt':
        info(target.queue
          ? `${event.signal}: no longer waiting; the jobs go on on the workers (run the same command again to wait for them)`
          : `${event.signal}: stopping the running jobs (SIGTERM; again to kill them now)…`);
        break;
    }
  };
  return { onEvent, stop: () => progress?.stop() };
}
