/**
 * `grids jobs`: runs a queue of independent CLI jobs (trainings, evaluations) in parallel child
 * processes, one core each, and can be stopped and resumed.
 *
 * Queue file (JSON):
 *
 *   {
 *     "jobs": [
 *       { "id": "single-jpeg", "args": ["train", "--tasks", "jpeg", "--out", "runs/single-jpeg", "--resume"] },
 *       { "id": "eval-jpeg", "args": ["eval", "--models", "..."], "after": ["single-jpeg"] }
 *     ]
 *   }
 *
 * - `id`: unique; letters, digits, `.`, `_`, `-` (it names the job's log file).
 * - `args`: the arguments of one `grids` command; the job runs `node <repo>/bin/grids.mjs ...args`
 *   with the queue file's folder as working directory (so relative paths are relative to the queue).
 * - `after` (optional): ids of jobs that must be done before this one starts.
 *
 * Each child gets GRIDS_ORT_THREADS=1, OMP_NUM_THREADS=1 and VIPS_CONCURRENCY=1, so K workers use
 * about K cores. Next to the queue:
 * - `<queue>.status.json` (`runs/q.json` → `runs/q.status.json`): the state of every job, rewritten
 *   atomically whenever a job starts or ends;
 * - `logs/<id>.log`: the job's stdout and stderr, appended across attempts, one header line per attempt.
 *
 * Re-running the same queue skips jobs already done, and runs again the failed ones and those left
 * running by a runner that died (a training resumes from its checkpoint when its args include
 * --resume). A job whose dependency fails is blocked for that run. SIGINT/SIGTERM to the
 * runner send SIGTERM to the running jobs (trainings save a checkpoint), wait for them (SIGKILL
 * after a grace period, or on a second signal) and put them back to pending.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { atomicWrite } from '../io/images';
import { isProcessAlive } from '../io/process';
import { lastLogLines } from './log-tail';

export const GRIDS_BIN = join(import.meta.dirname, '../../../bin/grids.mjs');

export interface QueueJob {
  id: string;
  args: string[];
  after?: string[];
}

export interface Queue {
  jobs: QueueJob[];
}

export type JobState = 'pending' | 'running' | 'done' | 'failed';

export interface JobStatus {
  state: JobState;
  attempts: number;
  exitCode: number | null;
  signal: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  seconds: number | null;
  log: string;
  /** The child's pid while running (lets a later runner notice a job still alive after its runner died). */
  pid: number | null;
  /** The args it last ran with (a done job whose args changed since is reported, not re-run). */
  args: string[];
}

export interface QueueStatus {
  queue: string;
  updatedAt: string;
  /** The runner working on the queue, null when none. */
  runner: { pid: number; host: string; startedAt: string } | null;
  jobs: Record<string, JobStatus>;
}

export interface FailedJob {
  id: string;
  exitCode: number | null;
  signal: string | null;
  log: string;
  /** The last lines the job wrote in its last attempt. */
  lastLines: string[];
}

export interface QueueSummary {
  /** Every job of the queue that is done, including those done by earlier runs. */
  done: string[];
  /** Jobs done by earlier runs, not run again. */
  skipped: string[];
  failed: FailedJob[];
  /** Jobs not run because a job they depend on failed (or was blocked). */
  blocked: string[];
  /** Jobs not finished because the runner was interrupted (back to pending). */
  pending: string[];
  interrupted: boolean;
  /** Wall-clock seconds of this run. */
  seconds: number;
  statusPath: string;
}

export type QueueEvent =
  | { type: 'plan'; total: number; toRun: string[]; skipped: string[] }
  | { type: 'skip'; id: string; argsChanged: boolean }
  | { type: 'recovered'; id: string; pid: number | null }
  | { type: 'start'; id: string; attempt: number; pid: number; log: string }
  | { type: 'end'; id: string; state: 'done' | 'failed' | 'pending'; exitCode: number | null; signal: string | null; seconds: number; log: string }
  | { type: 'blocked'; id: string; by: string[] }
  | { type: 'interrupt'; signal: string };

export interface RunQueueOptions {
  /** Parallel child processes (default: os.availableParallelism()). */
  workers?: number;
  onEvent?: (event: QueueEvent) => void;
  /** Stop like on SIGTERM when this aborts. */
  signal?: AbortSignal;
  /** Handle SIGINT/SIGTERM of this process while running (default true). */
  handleSignals?: boolean;
  /** Seconds a job gets to stop after SIGTERM before it is killed (default 60). */
  graceSeconds?: number;
  /** Extra environment for the jobs. */
  env?: Record<string, string>;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function statusPathFor(queuePath: string): string {
  const path = resolve(queuePath);
  return path.endsWith('.json') ? `${path.slice(0, -'.json'.length)}.status.json` : `${path}.status.json`;
}

export function logPathFor(queuePath: string, id: string): string {
  return join(dirname(resolve(queuePath)), 'logs', `${id}.log`);
}

/** Checks the shape of a queue, unique ids, known `after` ids and no cycle; throws naming the job. */
export function validateQueue(value: unknown, source = 'queue'): Queue {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as Queue).jobs)) {
    throw new Error(`${source}: expected an object { "jobs": [ { "id": ..., "args": [...], "after"?: [...] } ] }`);
  }
  const jobs: QueueJob[] = [];
  const index = new Map<string, number>();
  (value as { jobs: unknown[] }).jobs.forEach((raw, i) => {
    const where = `${source}: job #${i + 1}`;
    if (typeof raw !== 'object' || raw === null) throw new Error(`${where} is not an object`);
    const { id, args, after } = raw as Record<string, unknown>;
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
      throw new Error(`${where}: "id" must be a string of letters, digits, ".", "_" or "-" (it names the log file), got ${JSON.stringify(id)}`);
    }
    const named = `${source}: job "${id}"`;
    if (index.has(id)) throw new Error(`${source}: duplicate job id "${id}" (jobs #${index.get(id)! + 1} and #${i + 1})`);
    index.set(id, i);
    if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
      throw new Error(`${named}: "args" must be a non-empty array of strings (a grids command and its options)`);
    }
    if (args[0] === 'jobs') throw new Error(`${named}: a job cannot run "grids jobs" itself`);
    if (after !== undefined && (!Array.isArray(after) || !after.every((a) => typeof a === 'string'))) {
      throw new Error(`${named}: "after" must be an array of job ids`);
    }
    jobs.push(after === undefined ? { id, args: [...args] } : { id, args: [...args], after: [...new Set(after as string[])] });
  });
  for (const job of jobs) {
    for (const dep of job.after ?? []) {
      if (!index.has(dep)) throw new Error(`${source}: job "${job.id}": "after" names unknown job "${dep}"`);
    }
  }
  const cycle = findCycle(jobs);
  if (cycle) throw new Error(`${source}: dependency cycle: ${cycle.map((id) => `"${id}"`).join(' after ')} (job "${cycle[0]}" would wait for itself)`);
  return { jobs };
}

function findCycle(jobs: QueueJob[]): string[] | null {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const color = new Map<string, 'visiting' | 'visited'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (color.get(id) === 'visited') return null;
    if (color.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    color.set(id, 'visiting');
    path.push(id);
    for (const dep of byId.get(id)!.after ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    path.pop();
    color.set(id, 'visited');
    return null;
  };
  for (const job of jobs) {
    const found = visit(job.id);
    if (found) return found; // [a, b, a]: a is after b, b is after a
  }
  return null;
}

/** The order jobs run in with one worker: file order, each job after the jobs it depends on. */
export function planOrder(queue: Queue): QueueJob[] {
  const placed = new Set<string>();
  const order: QueueJob[] = [];
  while (order.length < queue.jobs.length) {
    const next = queue.jobs.find((j) => !placed.has(j.id) && (j.after ?? []).every((d) => placed.has(d)));
    if (!next) throw new Error('dependency cycle'); // validateQueue rules this out
    placed.add(next.id);
    order.push(next);
  }
  return order;
}

export async function readQueue(queuePath: string): Promise<Queue> {
  let text: string;
  try {
    text = await readFile(queuePath, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the queue file ${queuePath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`the queue file ${queuePath} is not valid JSON: ${(error as Error).message}`);
  }
  return validateQueue(value, queuePath);
}

/** Writes a queue file (validated first), e.g. for the zoo pipeline. */
export async function writeQueue(path: string, jobs: QueueJob[]): Promise<void> {
  const queue = validateQueue({ jobs }, path);
  await atomicWrite(path, JSON.stringify(queue, null, 2) + '\n');
}

/** The status of every job of the queue: the saved one where there is one, pending otherwise. */
export async function readStatus(queuePath: string, queue: Queue): Promise<QueueStatus> {
  const path = statusPathFor(queuePath);
  let saved: Partial<QueueStatus> = {};
  if (existsSync(path)) {
    try {
      saved = JSON.parse(await readFile(path, 'utf8')) as QueueStatus;
    } catch (error) {
      throw new Error(`the status file ${path} is not valid JSON (${(error as Error).message}); delete it to start the queue over`);
    }
  }
  const jobs: Record<string, JobStatus> = {};
  for (const job of queue.jobs) {
    const old = saved.jobs?.[job.id];
    const state = old && ['pending', 'running', 'done', 'failed'].includes(old.state) ? old.state : 'pending';
    jobs[job.id] = {
      state,
      attempts: old?.attempts ?? 0,
      exitCode: old?.exitCode ?? null,
      signal: old?.signal ?? null,
      startedAt: old?.startedAt ?? null,
      finishedAt: old?.finishedAt ?? null,
      seconds: old?.seconds ?? null,
      log: logPathFor(queuePath, job.id),
      pid: old?.pid ?? null,
      args: old?.args ?? job.args,
    };
  }
  return { queue: basename(queuePath), updatedAt: saved.updatedAt ?? new Date().toISOString(), runner: saved.runner ?? null, jobs };
}

/** Whether pid is alive and (where /proc tells) a grids process, not an unrelated one that reused the pid. */
function isGridsProcess(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('grids');
  } catch {
    return true;
  }
}

const activeQueues = new Set<string>();

interface Running {
  id: string;
  child: ChildProcess | null;
  done: Promise<void>;
}

/**
 * Runs the queue's jobs that are not done yet, `workers` at a time, and resolves with a summary
 * once every runnable job has ended (or the run was interrupted). Throws, before running anything,
 * on an invalid queue or when another runner works on the same queue.
 */
export async function runQueue(queuePath: string, options: RunQueueOptions = {}): Promise<QueueSummary> {
  const started = Date.now();
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be an integer ≥ 1, got ${workers}`);
  const graceMs = (options.graceSeconds ?? 60) * 1000;
  const emit = (event: QueueEvent) => {
    try {
      options.onEvent?.(event);
    } catch (error) {
      process.stderr.write(`grids jobs: the onEvent listener failed on a "${event.type}" event: ${(error as Error).message}\n`);
    }
  };
  const queue = await readQueue(queuePath);
  const order = planOrder(queue);
  const statusPath = statusPathFor(queuePath);
  const cwd = dirname(resolve(queuePath));

  if (activeQueues.has(statusPath)) throw new Error(`${queuePath} is already being run by this process`);
  const status = await readStatus(queuePath, queue);
  const other = status.runner;
  if (other && other.pid !== process.pid && other.host === hostname() && isProcessAlive(other.pid)) {
    throw new Error(
      `another grids jobs runner (pid ${other.pid}, started ${other.startedAt}) is working on ${queuePath}; ` +
        `stop it first (if pid ${other.pid} is no grids runner, set "runner" to null in ${statusPath})`,
    );
  }
  for (const job of order) {
    const s = status.jobs[job.id];
    if (s.state !== 'running') continue;
    // Left running by a runner that died; its child may have outlived it.
    if (s.pid !== null && isGridsProcess(s.pid)) {
      throw new Error(`job "${job.id}" is still running as pid ${s.pid}, started by a runner that died; stop it (kill ${s.pid}) and run the queue again`);
    }
    s.state = 'pending';
    emit({ type: 'recovered', id: job.id, pid: s.pid });
    s.pid = null;
  }

  activeQueues.add(statusPath);
  status.runner = { pid: process.pid, host: hostname(), startedAt: new Date(started).toISOString() };

  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown = null;
  const persist = (): Promise<void> => {
    writing = writing.then(async () => {
      status.updatedAt = new Date().toISOString();
      try {
        await atomicWrite(statusPath, JSON.stringify(status, null, 2) + '\n');
      } catch (error) {
        writeError ??= error;
      }
    });
    return writing;
  };

  const skipped = order.filter((j) => status.jobs[j.id].state === 'done').map((j) => j.id);
  for (const id of skipped) {
    const argsChanged = JSON.stringify(status.jobs[id].args) !== JSON.stringify(queue.jobs.find((j) => j.id === id)!.args);
    emit({ type: 'skip', id, argsChanged });
  }
  emit({ type: 'plan', total: order.length, toRun: order.filter((j) => !skipped.includes(j.id)).map((j) => j.id), skipped });

  const running = new Map<string, Running>();
  const endedThisRun = new Map<string, 'done' | 'failed' | 'pending'>();
  const blocked = new Set<string>();
  const logOffsets = new Map<string, number>();
  const runnerErrors = new Map<string, string>();
  let stopping = false;
  let killTimer: NodeJS.Timeout | null = null;

  const killAll = (signal: NodeJS.Signals) => {
    for (const r of running.values()) r.child?.kill(signal);
  };
  const stop = (signal: string) => {
    if (stopping) {
      killAll('SIGKILL'); // second signal: do not wait
      return;
    }
    stopping = true;
    emit({ type: 'interrupt', signal });
    killAll('SIGTERM');
    killTimer = setTimeout(() => killAll('SIGKILL'), graceMs);
    killTimer.unref();
  };
  // Not SIGHUP: a handler would override nohup's "ignore".
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  const onAbort = () => stop('abort');
  if (options.handleSignals !== false) for (const s of signals) process.on(s, onSignal);
  if (options.signal?.aborted) stopping = true;
  options.signal?.addEventListener('abort', onAbort);

  const env = { ...process.env, ...options.env, GRIDS_ORT_THREADS: '1', OMP_NUM_THREADS: '1', VIPS_CONCURRENCY: '1' };

  const runJob = async (job: QueueJob, r: Running): Promise<void> => {
    const s = status.jobs[job.id];
    const notStarted = () => endedThisRun.set(job.id, 'pending');
    if (stopping) return void notStarted();
    await mkdir(dirname(s.log), { recursive: true });
    const attempt = s.attempts + 1;
    const handle = await open(s.log, 'a');
    let child: ChildProcess;
    const startedAt = Date.now();
    try {
      logOffsets.set(job.id, (await handle.stat()).size);
      await handle.write(
        `=== ${job.id} attempt ${attempt} started ${new Date(startedAt).toISOString()}: grids ${job.args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')} (cwd ${cwd})\n`,
      );
      if (stopping) {
        await handle.write(`=== ${job.id} attempt ${attempt} not started: the runner was interrupted\n`);
        notStarted();
        return;
      }
      // Its own process group, so a Ctrl-C reaches only the runner, which forwards SIGTERM.
      child = spawn(process.execPath, [GRIDS_BIN, ...job.args], { cwd, env, stdio: ['ignore', handle.fd, handle.fd], detached: true });
    } finally {
      await handle.close();
    }
    r.child = child;
    Object.assign(s, { state: 'running', attempts: attempt, exitCode: null, signal: null, startedAt: new Date(startedAt).toISOString(), finishedAt: null, seconds: null, pid: child.pid ?? null, args: job.args });
    const persisted = persist();
    emit({ type: 'start', id: job.id, attempt, pid: child.pid ?? -1, log: s.log });

    const { code, signal, error } = await new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    await persisted;
    const finished = Date.now();
    const seconds = +((finished - startedAt) / 1000).toFixed(2);
    const state = code === 0 ? 'done' : stopping ? 'pending' : 'failed';
    Object.assign(s, { state, exitCode: code, signal, finishedAt: new Date(finished).toISOString(), seconds, pid: null });
    const how = error ? `could not start: ${error.message}` : signal ? `killed by ${signal}` : `exit code ${code}`;
    const footer = state === 'pending' ? `${how}; interrupted by the runner, back to pending` : how;
    await appendFile(s.log, `=== ${job.id} attempt ${attempt} ${state === 'done' ? 'done' : 'ended'} after ${seconds}s: ${footer}\n`).catch(() => {});
    endedThisRun.set(job.id, state);
    await persist();
    emit({ type: 'end', id: job.id, state, exitCode: code, signal, seconds, log: s.log });
  };

  const isRunnable = (job: QueueJob) =>
    status.jobs[job.id].state !== 'done' && !running.has(job.id) && !endedThisRun.has(job.id) && !blocked.has(job.id);

  const propagateBlocks = () => {
    for (const job of order) {
      if (!isRunnable(job)) continue;
      const by = (job.after ?? []).filter((d) => endedThisRun.get(d) === 'failed' || blocked.has(d));
      if (by.length > 0) {
        blocked.add(job.id);
        emit({ type: 'blocked', id: job.id, by });
      }
    }
  };

  try {
    await persist();
    for (;;) {
      propagateBlocks();
      while (!stopping && running.size < workers) {
        const next = order.find((j) => isRunnable(j) && (j.after ?? []).every((d) => status.jobs[d].state === 'done'));
        if (!next) break;
        const r: Running = { id: next.id, child: null, done: Promise.resolve() };
        r.done = runJob(next, r)
          .catch(async (error: unknown) => {
            // The runner's own failure (e.g. the log folder cannot be written): a failed job, with the reason.
            const s = status.jobs[next.id];
            Object.assign(s, { state: 'failed', exitCode: null, signal: null, pid: null, finishedAt: new Date().toISOString() });
            endedThisRun.set(next.id, 'failed');
            runnerErrors.set(next.id, `runner error: ${(error as Error).message}`);
            await persist();
            emit({ type: 'end', id: next.id, state: 'failed', exitCode: null, signal: null, seconds: 0, log: s.log });
          })
          .finally(() => running.delete(next.id));
        running.set(next.id, r);
      }
      if (running.size === 0) break;
      await Promise.race([...running.values()].map((r) => r.done));
    }
  } finally {
    if (killTimer) clearTimeout(killTimer);
    if (options.handleSignals !== false) for (const s of signals) process.off(s, onSignal);
    options.signal?.removeEventListener('abort', onAbort);
    status.runner = null;
    await persist();
    activeQueues.delete(statusPath);
  }
  if (writeError) throw new Error(`cannot write the status file ${statusPath}: ${(writeError as Error).message}`);

  const failed: FailedJob[] = [];
  for (const job of order) {
    const s = status.jobs[job.id];
    if (endedThisRun.get(job.id) !== 'failed') continue;
    const lines = runnerErrors.has(job.id) ? [runnerErrors.get(job.id)!] : await lastLogLines(s.log, logOffsets.get(job.id) ?? 0);
    failed.push({ id: job.id, exitCode: s.exitCode, signal: s.signal, log: s.log, lastLines: lines });
  }
  return {
    done: order.filter((j) => status.jobs[j.id].state === 'done').map((j) => j.id),
    skipped,
    failed,
    blocked: order.filter((j) => blocked.has(j.id)).map((j) => j.id),
    pending: order.filter((j) => status.jobs[j.id].state !== 'done' && !blocked.has(j.id) && endedThisRun.get(j.id) !== 'failed').map((j) => j.id),
    interrupted: stopping,
    seconds: +((Date.now() - started) / 1000).toFixed(2),
    statusPath,
  };
}
