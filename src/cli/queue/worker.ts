import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import { GRIDS_BIN } from '../jobs/runner';
import { lastLogLines } from '../jobs/log-tail';
import { codeVersion } from './code-version';
import { parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX } from './connection';
import { isJobProgressMessage, QUEUE_JOB_ENV } from './job-channel';
import { checkJobArgs, confinedPath, jobPayloadSchema, JobRefusedError, type JobPayload } from './job-kinds';
import { jobOutputDone } from './job-outputs';
import { readWorkId, workMismatchMessage } from './work-folder';

/** What a worker records on a job while it runs it (BullMQ's job progress), read by `grids jobs status`. */
export interface JobProgress {
  host: string;
  pid: number;
  startedAt: number;
  done: number;
  total: number;
  /** Seconds left at the current pace, null before the first step. */
  eta: number | null;
}

export interface JobResult {
  host: string;
  seconds: number;
  /** True when the job's output already existed and validated (a job delivered again). */
  skipped: boolean;
}

export interface QueueWorkerOptions {
  url: string;
  work: string;
  /** Jobs at once, each in its own process (one core each). */
  concurrency: number;
  /** Replaces the tfjs backend of the training jobs this worker runs (a GPU machine's own). */
  backend?: string;
  /** How long a job's lock lives without renewal; the worker renews it every half of that. */
  lockSeconds: number;
  log: (line: string) => void;
  /** Closes the worker like SIGTERM. */
  signal?: AbortSignal;
  /** Handle SIGINT/SIGTERM of this process (default true). */
  handleSignals?: boolean;
}

/**
 * `grids worker`: takes grids jobs from the queue and runs each as a child process (`grids train …`)
 * in the shared work folder. The worker's own event loop only renews locks and relays progress, so
 * an hour-long training never lets its lock lapse. Resolves when the worker has closed (a signal,
 * `signal`, or a work folder that is not the producer's).
 */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<{ reason: string }> {
  const target = parseQueueUrl(o.url);
  const work = resolve(o.work);
  const version = codeVersion();
  const name = `${hostname()}:${process.pid}`;
  const children = new Set<ChildProcess>();
  let closing: string | null = null;
  let closeWorker: (reason: string) => void = () => {};

  const refuse = (job: Job, reason: string): never => {
    o.log(`refused job ${job.id} (${job.name}): ${reason}`);
    throw new UnrecoverableError(`refused by worker ${name}: ${reason}`);
  };

  const processor = async (job: Job, token?: string, abort?: AbortSignal): Promise<JobResult> => {
    const parsed = jobPayloadSchema.safeParse(job.data);
    if (!parsed.success) return refuse(job, `invalid job data: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
    const payload: JobPayload = parsed.data;
    if (job.name !== payload.kind) return refuse(job, `its name "${job.name}" is not its kind "${payload.kind}"`);
    if (payload.version !== version) {
      return refuse(job, `it comes from code version ${payload.version}, and this worker runs ${version}: run the same checkout on the producer and every worker`);
    }
    let logPath: string;
    try {
      checkJobArgs(payload.kind, payload.args, work);
      logPath = confinedPath(work, payload.log, 'its log');
    } catch (error) {
      if (error instanceof JobRefusedError) return refuse(job, error.message);
      throw error;
    }
    const workId = await readWorkId(work);
    if (workId !== payload.workId) {
      // Not the job's fault: another worker may see the right folder. This one can run nothing.
      const message = workMismatchMessage(work, workId, payload.workId);
      o.log(`stopping: ${message}`);
      closeWorker(message);
      throw new Error(`worker ${name}: ${message}`);
    }
    const started = Date.now();
    if ((await jobOutputDone(payload.kind, payload.args, work)) === true) {
      o.log(`job ${payload.id}: its output is there already; not run again`);
      return { host: hostname(), seconds: 0, skipped: true };
    }
    const args = o.backend && payload.kind === 'train' ? withBackend(payload.args, o.backend) : payload.args;
    await mkdir(dirname(logPath), { recursive: true });
    const handle = await open(logPath, 'a');
    const from = (await handle.stat()).size;
    let child: ChildProcess;
    try {
      await handle.write(`=== ${payload.id} attempt ${job.attemptsMade + 1} on ${name} started ${new Date(started).toISOString()}: grids ${args.join(' ')} (cwd ${work})\n`);
      // No shell: the arguments go to grids as they are.
      child = spawn(process.execPath, [GRIDS_BIN, ...args], {
        cwd: work,
        env: { ...process.env, GRIDS_ORT_THREADS: '1', OMP_NUM_THREADS: '1', VIPS_CONCURRENCY: '1', [QUEUE_JOB_ENV]: '1' },
        stdio: ['ignore', handle.fd, handle.fd, 'ipc'],
      });
    } finally {
      await handle.close();
    }
    children.add(child);
    o.log(`start ${payload.id} (job ${job.id}, pid ${child.pid})`);
    const progress: JobProgress = { host: hostname(), pid: child.pid ?? -1, startedAt: started, done: 0, total: 0, eta: null };
    void job.updateProgress({ ...progress }).catch(() => {});
    child.on('message', (message) => {
      if (!isJobProgressMessage(message)) return;
      const elapsed = (Date.now() - started) / 1000;
      Object.assign(progress, { done: message.done, total: message.total, eta: message.done > 0 ? (elapsed / message.done) * (message.total - message.done) : null });
      void job.updateProgress({ ...progress }).catch(() => {});
    });
    // Cancelled when its lock is lost (below): stop at a checkpoint, since another worker now has the job.
    const onAbort = () => child.kill('SIGTERM');
    abort?.addEventListener('abort', onAbort);
    const { code, signal, error } = await new Promise<{ code: number | null; signal: string | null; error?: Error }>((done) => {
      child.once('error', (error) => done({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => done({ code, signal }));
    });
    abort?.removeEventListener('abort', onAbort);
    children.delete(child);
    const seconds = +((Date.now() - started) / 1000).toFixed(2);
    if (code === 0) {
      o.log(`done ${payload.id} in ${seconds} s`);
      return { host: hostname(), seconds, skipped: false };
    }
    if (closing && token) {
      // Stopped by this worker's shutdown: back to the queue without spending an attempt.
      o.log(`stopped ${payload.id}; back to the queue`);
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    const how = error ? `could not start: ${error.message}` : signal ? `killed by ${signal}` : `exit code ${code}`;
    const last = (await lastLogLines(logPath, from)).slice(-3).join(' | ');
    o.log(`FAILED ${payload.id}: ${how}`);
    throw new Error(`${how}${last ? `: ${last}` : ''}`);
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: target.connection,
    prefix: QUEUE_PREFIX,
    concurrency: o.concurrency,
    name,
    lockDuration: o.lockSeconds * 1000,
    stalledInterval: Math.max(1000, (o.lockSeconds * 1000) / 2),
    // A job whose worker died (kill -9, a lost machine) goes back to the queue; after this many
    // times it is failed, so a job that kills its worker cannot go round forever.
    maxStalledCount: 5,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (error) => {
    const message = error.message;
    if (message !== lastError) o.log(`queue connection: ${message}`);
    lastError = message;
  });
  // A lock that could not be renewed belongs to nobody now, and the stalled check will hand the job to
  // another worker: stop this copy, so that two trainings never write the same folder.
  worker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const id of jobIds) {
      o.log(`lost the lock of job ${id} (was Redis out of reach for over ${o.lockSeconds} s?): stopping it at a checkpoint; another worker will take it over`);
      worker.cancelJob(id, 'lock lost');
    }
  });
  worker.on('ready', () => {
    if (lastError) o.log('queue connection: back');
    lastError = '';
  });

  const closed = new Promise<string>((done) => {
    closeWorker = (reason: string) => {
      if (closing) {
        for (const child of children) child.kill('SIGKILL'); // a second signal: do not wait
        return;
      }
      closing = reason;
      for (const child of children) child.kill('SIGTERM'); // trainings save a checkpoint
      void worker.close().then(() => done(reason), () => done(reason));
    };
  });
  const onSignal = (signal: NodeJS.Signals) => {
    o.log(`${signal}: stopping; running jobs save a checkpoint and go back to the queue (again to kill them now)`);
    closeWorker(signal);
  };
  const onAbort = () => closeWorker('aborted');
  if (o.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  o.signal?.addEventListener('abort', onAbort);
  if (o.signal?.aborted) closeWorker('aborted');

  o.log(`worker ${name} (code ${version}) on ${target.display}, work folder ${work}, ${o.concurrency} job${o.concurrency === 1 ? '' : 's'} at a time`);
  void worker.run().catch((error: Error) => closeWorker(`the worker stopped: ${error.message}`));
  const reason = await closed;
  if (o.handleSignals !== false) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  o.signal?.removeEventListener('abort', onAbort);
  return { reason };
}

function withBackend(args: readonly string[], backend: string): string[] {
  const out = [...args];
  const i = out.indexOf('--backend');
  if (i >= 0) out[i + 1] = backend;
  else out.push('--backend', backend);
  return out;
}
