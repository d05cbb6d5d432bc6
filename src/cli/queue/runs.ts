import { Job, Queue } from 'bullmq';
import { connected, parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX } from './connection';
import type { JobProgress } from './worker';

/** The Redis hash (under the queue's prefix) where each producer records its queue file's plan. */
export const RUNS_KEY = 'runs';

/**
 * A job as its producer sees it: waiting for the jobs it comes after, queued (on Redis: waiting,
 * running or retrying), done, failed, or blocked by a dependency that did not succeed.
 */
export type RunJobState = 'waiting' | 'queued' | 'done' | 'failed' | 'blocked';

export interface RunRecord {
  /** The queue file, relative to the work folder. */
  queue: string;
  producer: string;
  updatedAt: string;
  jobs: { id: string; jobId: string; kind: string; state: RunJobState; by: string[]; error: string | null }[];
}

export interface JobStatusRow {
  /** The queue file the job comes from (null for a job no producer recorded). */
  queue: string | null;
  id: string;
  state: string;
  attempts: number;
  host: string | null;
  done: number | null;
  total: number | null;
  /** Seconds left at the job's pace while it runs. */
  eta: number | null;
  error: string | null;
}

const JOB_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** Every job the queue knows, with its producer's view: `grids jobs status --queue URL`. */
export async function queueStatus(url: string): Promise<JobStatusRow[]> {
  const target = parseQueueUrl(url);
  const queue = new Queue(QUEUE_NAME, { connection: target.connection, prefix: QUEUE_PREFIX });
  queue.on('error', () => {});
  try {
    await connected(queue, target, 10);
    const client = await queue.getBackend().client;
    const runs = Object.values(await client.hgetall(`${QUEUE_PREFIX}:${RUNS_KEY}`)).map((text) => JSON.parse(text) as RunRecord);
    const jobs = new Map<string, Job>();
    for (const job of await queue.getJobs([...JOB_STATES])) if (job?.id) jobs.set(job.id, job);
    const rows: JobStatusRow[] = [];
    const row = async (queueFile: string | null, id: string, job: Job): Promise<JobStatusRow> => {
      const progress = (job.progress && typeof job.progress === 'object' ? job.progress : {}) as Partial<JobProgress>;
      const state = await job.getState();
      const running = state === 'active';
      return {
        queue: queueFile, id, state, attempts: job.attemptsMade + (running ? 1 : 0),
        host: progress.host ?? job.processedBy?.replace(/:\d+$/, '') ?? null,
        done: progress.done ?? null, total: progress.total ?? null, eta: running ? progress.eta ?? null : null,
        error: job.failedReason || null,
      };
    };
    for (const run of runs.sort((a, b) => a.queue.localeCompare(b.queue))) {
      for (const j of run.jobs) {
        const job = jobs.get(j.jobId);
        jobs.delete(j.jobId);
        if (job) rows.push(await row(run.queue, j.id, job));
        else rows.push({ queue: run.queue, id: j.id, state: j.state === 'waiting' ? `waiting for ${j.by.length ? j.by.join(', ') : 'its dependencies'}` : j.state, attempts: 0, host: null, done: null, total: null, eta: null, error: j.error });
      }
    }
    for (const [jobId, job] of jobs) rows.push(await row(null, (job.data as { id?: string })?.id ?? jobId, job));
    return rows;
  } finally {
    await queue.close();
  }
}
