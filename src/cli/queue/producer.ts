import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Job, Queue } from 'bullmq';
import { logPathFor, planOrder, readQueue, type FailedJob, type QueueEvent, type QueueJob, type QueueSummary } from '../jobs/runner';
import { lastLogLines } from '../jobs/log-tail';
import { imageFileNames } from '../io/images';
import { codeVersion } from './code-version';
import { connected, parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX } from './connection';
import { isInsideFolder, JOB_KIND_NAMES, JOB_KINDS, kindOf, relativiseJobArgs, type JobKindName, type JobPayload } from './job-kinds';
import { jobOutputDone } from './job-outputs';
import { RUNS_KEY, type RunRecord, type RunJobState } from './runs';
import { ensureWorkId } from './work-folder';
import type { JobProgress } from './worker';

export interface RemoteQueueOptions {
  url: string;
  /** The shared work folder every worker mounts; the queue file must be inside it. */
  work: string;
  /** Attempts per job before it is reported failed (default 3). */
  attempts?: number;
  /** First retry delay; each next one doubles (default 30 s). */
  backoffSeconds?: number;
  /** How often the producer reads the jobs' states (default 500 ms). */
  pollMs?: number;
}

export interface RunOnQueueOptions {
  remote: RemoteQueueOptions;
  onEvent?: (event: QueueEvent) => void;
  /** Stop waiting (the jobs go on on the workers; run again to wait for them) when this aborts. */
  signal?: AbortSignal;
  /** Handle SIGINT/SIGTERM of this process while waiting (default true). */
  handleSignals?: boolean;
  log?: (line: string) => void;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Copies a folder of photos that lies outside the work folder into it (once; a file already there
 * with the same size is kept), so that every worker reads the same photos. Returns the copy.
 */
async function stageInputFolder(folder: string, work: string, log: (line: string) => void): Promise<string> {
  const target = join(work, 'inputs', `${basename(folder)}-${sha(folder).slice(0, 8)}`);
  const names = await imageFileNames(folder);
  await mkdir(target, { recursive: true });
  let copied = 0;
  for (const name of names) {
    const [from, to] = [join(folder, name), join(target, name)];
    const size = (await stat(from)).size;
    const there = await stat(to).then((s) => s.size, () => -1);
    if (there === size) continue;
    const temp = `${to}.tmp-${process.pid}`;
    await copyFile(from, temp);
    await rename(temp, to);
    copied++;
  }
  if (copied) log(`copied ${copied} photo${copied === 1 ? '' : 's'} from ${folder} into ${target}, so that every worker reads them`);
  return target;
}

interface Tracked {
  job: QueueJob;
  kind: JobKindName;
  jobId: string;
  payload: JobPayload;
  state: RunJobState;
  by?: string[];
  attemptsSeen: number;
  error?: string;
}

/**
 * Runs a queue file's jobs on the Redis queue instead of local processes: each job is added when
 * the jobs it comes after are done (the producer waits on results, so `after` can name any jobs),
 * and the summary is the local runner's. Re-running the same queue adopts the jobs still queued or
 * running, keeps the completed ones, and adds again those that failed.
 */
export async function runQueueOnRedis(queuePath: string, o: RunOnQueueOptions): Promise<QueueSummary> {
  const started = Date.now();
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (event: QueueEvent) => {
    try {
      o.onEvent?.(event);
    } catch (error) {
      log(`grids: the onEvent listener failed on a "${event.type}" event: ${(error as Error).message}`);
    }
  };
  const target = parseQueueUrl(o.remote.url);
  const work = resolve(o.remote.work);
  const queue = await readQueue(queuePath);
  const order = planOrder(queue);
  const cwd = dirname(resolve(queuePath));
  if (!isInsideFolder(work, resolve(queuePath))) {
    throw new Error(`with --queue, the queue file ${queuePath} must be inside the shared work folder ${work} (--work), where every worker writes its log`);
  }
  const workId = await ensureWorkId(work);
  const version = codeVersion();
  const runKey = sha(`${workId}\0${relative(work, resolve(queuePath))}`).slice(0, 10);

  const tracked = new Map<string, Tracked>();
  const staged = new Map<string, string>();
  for (const job of order) {
    const kind = kindOf(job.args);
    if (!kind) {
      throw new Error(`job "${job.id}": "grids ${job.args[0]}" cannot run on a queue; queue jobs are ${JOB_KIND_NAMES.map((k) => `"grids ${JOB_KINDS[k].command.join(' ')}"`).join(', ')}`);
    }
    const args = [...job.args];
    // Photos outside the shared folder are copied in, once, so every worker sees them.
    for (let i = 0; i < args.length - 1; i++) {
      if (args[i] !== '--images') continue;
      const folder = resolve(cwd, args[i + 1]);
      if (!isInsideFolder(work, folder)) {
        if (!staged.has(folder)) staged.set(folder, await stageInputFolder(folder, work, log));
        args[i + 1] = staged.get(folder)!;
      }
    }
    let relArgs: string[];
    try {
      relArgs = relativiseJobArgs(kind, args, cwd, work);
    } catch (error) {
      throw new Error(`job "${job.id}": ${(error as Error).message}; with --queue, every file a job reads or writes must be in the shared work folder`);
    }
    const payload: JobPayload = {
      version, workId, id: job.id, kind, args: relArgs,
      log: relative(work, logPathFor(queuePath, job.id)).split(sep).join('/'),
    };
    const jobId = `${runKey}.${job.id}.${sha(JSON.stringify([version, relArgs])).slice(0, 8)}`;
    tracked.set(job.id, { job, kind, jobId, payload, state: 'waiting', attemptsSeen: 0 });
  }

  const bull = new Queue(QUEUE_NAME, { connection: target.connection, prefix: QUEUE_PREFIX });
  bull.on('error', () => {}); // ioredis reconnects; the poll below simply waits
  // The record keeps the jobs of earlier runs of the same queue file (a stage that writes its queue
  // file anew for each batch), so that `grids jobs status` lists them all.
  const runsKey = `${QUEUE_PREFIX}:${RUNS_KEY}`;
  let client: Awaited<ReturnType<typeof bull.getBackend>['client']>;
  let earlier: RunRecord['jobs'];
  try {
    await connected(bull, target);
    client = await bull.getBackend().client;
    earlier = await client.hgetall(runsKey).then((all) => (all[runKey] ? (JSON.parse(all[runKey]) as RunRecord).jobs : []));
  } catch (error) {
    await bull.close();
    throw error;
  }
  let stopping = false;
  let wake: () => void = () => {};
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    emit({ type: 'interrupt', signal });
    wake();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  const onAbort = () => stop('abort');
  if (o.handleSignals !== false) for (const s of signals) process.on(s, onSignal);
  o.signal?.addEventListener('abort', onAbort);
  if (o.signal?.aborted) stopping = true;

  const record = async () => {
    const jobs = [...tracked.values()].map((t) => ({
      id: t.job.id, jobId: t.jobId, kind: t.kind, state: t.state,
      by: t.state === 'waiting' ? (t.job.after ?? []).filter((d) => tracked.get(d)!.state !== 'done') : t.by ?? [],
      error: t.error ?? null,
    }));
    const kept = earlier.filter((e) => !jobs.some((j) => j.jobId === e.jobId || j.id === e.id));
    const run: RunRecord = { queue: relative(work, resolve(queuePath)), producer: `${hostname()}:${process.pid}`, updatedAt: new Date().toISOString(), jobs: [...kept, ...jobs] };
    await client.hset(runsKey, { [runKey]: JSON.stringify(run) });
  };

  const failedJobs: FailedJob[] = [];
  const skipped: string[] = [];
  try {
    // What is there already: outputs that validate, and the jobs Redis still holds.
    for (const t of tracked.values()) {
      const existing = await Job.fromId(bull, t.jobId);
      const state = existing ? await existing.getState() : null;
      const outputDone = await jobOutputDone(t.kind, t.payload.args, work);
      if (outputDone === true || (outputDone === null && state === 'completed')) {
        t.state = 'done';
        skipped.push(t.job.id);
        emit({ type: 'skip', id: t.job.id, argsChanged: false });
      } else if (state === 'completed' || state === 'failed' || state === 'unknown') {
        // A new run gives a failed job its attempts again, and redoes one whose output is gone.
        await existing!.remove();
      } else if (existing) {
        t.state = 'queued';
        t.attemptsSeen = existing.attemptsStarted ?? 0;
      }
    }
    emit({ type: 'plan', total: order.length, toRun: order.map((j) => j.id).filter((id) => !skipped.includes(id)), skipped });

    const pollMs = o.remote.pollMs ?? 500;
    for (;;) {
      // Dependants of a failed or blocked job are blocked, and say by which.
      for (const t of tracked.values()) {
        if (t.state !== 'waiting') continue;
        const by = (t.job.after ?? []).filter((d) => ['failed', 'blocked'].includes(tracked.get(d)!.state));
        if (by.length) {
          Object.assign(t, { state: 'blocked', by, error: `blocked: ${by.map((d) => `"${d}"`).join(', ')} did not succeed` });
          emit({ type: 'blocked', id: t.job.id, by });
        }
      }
      if (!stopping) {
        for (const t of tracked.values()) {
          if (t.state !== 'waiting' || !(t.job.after ?? []).every((d) => tracked.get(d)!.state === 'done')) continue;
          await bull.add(t.kind, t.payload, {
            jobId: t.jobId,
            attempts: o.remote.attempts ?? 3,
            backoff: { type: 'exponential', delay: (o.remote.backoffSeconds ?? 30) * 1000 },
            removeOnComplete: false,
            removeOnFail: false,
          });
          t.state = 'queued';
        }
      }
      await record();
      const open = [...tracked.values()].filter((t) => t.state === 'queued');
      if (stopping || (open.length === 0 && ![...tracked.values()].some((t) => t.state === 'waiting'))) break;
      await new Promise<void>((done) => {
        wake = done;
        setTimeout(done, pollMs);
      });
      for (const t of open) {
        const job = await Job.fromId(bull, t.jobId);
        if (!job) {
          log(`job "${t.job.id}" is no longer in the queue (was Redis emptied?): adding it again`);
          t.state = 'waiting';
          continue;
        }
        const state = await job.getState();
        const attempts = job.attemptsStarted ?? 0;
        if (attempts > t.attemptsSeen && (state === 'active' || state === 'completed' || state === 'failed')) {
          t.attemptsSeen = attempts;
          const progress = job.progress as Partial<JobProgress>;
          emit({ type: 'start', id: t.job.id, attempt: attempts, pid: progress?.pid ?? -1, log: resolve(work, t.payload.log) });
        }
        if (state !== 'completed' && state !== 'failed') continue;
        const seconds = +(((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000).toFixed(2);
        if (state === 'completed') {
          t.state = 'done';
        } else {
          Object.assign(t, { state: 'failed', error: job.failedReason });
          const logFile = resolve(work, t.payload.log);
          failedJobs.push({ id: t.job.id, exitCode: null, signal: null, log: logFile, lastLines: [`${job.failedReason} (after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'})`, ...(await lastLogLines(logFile, 0)).slice(-10)] });
        }
        emit({ type: 'end', id: t.job.id, state: t.state === 'done' ? 'done' : 'failed', exitCode: t.state === 'done' ? 0 : null, signal: null, seconds, log: resolve(work, t.payload.log) });
      }
    }
  } finally {
    if (o.handleSignals !== false) for (const s of signals) process.off(s, onSignal);
    o.signal?.removeEventListener('abort', onAbort);
    await bull.close();
  }
  const all = [...tracked.values()];
  return {
    done: all.filter((t) => t.state === 'done').map((t) => t.job.id),
    skipped,
    failed: order.flatMap((j) => failedJobs.filter((f) => f.id === j.id)),
    blocked: all.filter((t) => t.state === 'blocked').map((t) => t.job.id),
    pending: all.filter((t) => t.state === 'waiting' || t.state === 'queued').map((t) => t.job.id),
    interrupted: stopping,
    seconds: +((Date.now() - started) / 1000).toFixed(2),
    statusPath: `${target.display} (${QUEUE_PREFIX}:${RUNS_KEY} ${runKey})`,
  };
}
