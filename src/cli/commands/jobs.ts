/**
 * `grids jobs <queue.json> --workers K`: runs a queue of grids commands in K child processes, one
 * core each, resumable. Queue file:
 *
 *   { "jobs": [ { "id": "single-jpeg", "args": ["train", "--tasks", "jpeg", ...], "after"?: ["other-id"] } ] }
 *
 * See src/cli/jobs/runner.ts for the details (status file, logs, resume, signals).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { planOrder, readQueue, readStatus, statusPathFor, type QueueStatus, type QueueSummary } from '../jobs/runner';
import { runJobs } from '../jobs/run-jobs';
import { info, integer, positiveNumber, printJson } from '../options';
import { formatSeconds } from '../progress';
import { queueOptionsCommand, remoteQueueFrom, type QueueCliOptions } from '../queue/cli-options';
import { queueUrlFrom } from '../queue/connection';
import type { JobStatusRow } from '../queue/runs';

const QUEUE_HELP = `
Queue file (JSON):
  {
    "jobs": [
      { "id": "single-jpeg", "args": ["train", "--tasks", "jpeg", "--images", "photos", "--out", "runs/single-jpeg", "--resume"] },
      { "id": "eval-jpeg", "args": ["eval", "--models", "runs/single-jpeg/model.onnx", "--images", "val"], "after": ["single-jpeg"] }
    ]
  }
  id      unique; letters, digits, ".", "_", "-" (names the log file)
  args    one grids command and its options; runs as "node bin/grids.mjs ...args"
          in the queue file's folder (relative paths are relative to the queue file)
  after   optional ids of jobs that must be done first

Each job gets GRIDS_ORT_THREADS=1 and OMP_NUM_THREADS=1 (one core). Next to the queue:
  <queue>.status.json   state of every job (pending/running/done/failed, attempts, exit code,
                        times, log), rewritten atomically whenever a job starts or ends
  logs/<id>.log         the job's stdout+stderr, appended across attempts

Running the same queue again skips the done jobs and retries the failed ones and those a killed
runner left running (add --resume to a training's args so it continues from its checkpoint).
A job whose dependency fails is blocked for that run. Ctrl-C / SIGTERM: running jobs get SIGTERM
(trainings save a checkpoint), go back to pending, exit code 130.

Output: progress and a summary table on stderr; on stdout a JSON summary
{ done, skipped, failed: [{ id, exitCode, signal, log, lastLines }], blocked, pending, interrupted, seconds }.
Exit code 1 if a job failed or was blocked.`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

export function summaryTable(status: QueueStatus, summary: QueueSummary): string {
  const blocked = new Set(summary.blocked);
  const rows = [['id', 'state', 'attempts', 'seconds', 'log']];
  for (const [id, s] of Object.entries(status.jobs)) {
    rows.push([id, blocked.has(id) ? 'blocked' : s.state, String(s.attempts), s.seconds === null ? '-' : s.seconds.toFixed(1), s.log]);
  }
  return table(rows);
}

/** `grids jobs status --queue URL`: one line per job the queue knows. */
export function queueStatusTable(rows: JobStatusRow[]): string {
  const header = ['queue', 'id', 'state', 'attempts', 'host', 'step', 'ETA', 'last error'];
  return table([header, ...rows.map((r) => [
    r.queue ?? '-', r.id, r.state, String(r.attempts), r.host ?? '-', r.total ? `${r.done}/${r.total}` : '-', r.eta === null ? '-' : formatSeconds(r.eta), r.error ? r.error.split('\n')[0].slice(0, 160) : '-',
  ])]);
}

export function registerJobs(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('run a queue of grids jobs (trainings, evaluations) in parallel child processes, one core each; resumable')
    .argument('<queue>', 'queue file (JSON, see below)')
    .option('--workers <n>', 'parallel jobs, one core each (default: the number of CPU cores)', integer('--workers', 1), availableParallelism())
    .option('--dry-run', 'print the plan (order respecting "after") without running', false)
    .option('--grace <s>', 'seconds a job gets to stop after SIGTERM before SIGKILL', positiveNumber('--grace'), 60)
    .option('--work <dir>', 'with --queue: the shared work folder the workers mount (default: the queue file\'s folder)');
  queueOptionsCommand(jobs)
    .addHelpText('after', QUEUE_HELP)
    .action(async (queuePath: string, opts: QueueCliOptions & { workers: number; dryRun: boolean; grace: number; work?: string }) => {
      if (opts.dryRun) {
        const queue = await readQueue(queuePath);
        const status = await readStatus(queuePath, queue);
        const plan = planOrder(queue).map((job, i) => ({ step: i + 1, id: job.id, run: status.jobs[job.id].state !== 'done', state: status.jobs[job.id].state, after: job.after ?? [], args: job.args }));
        info(`plan for ${queuePath} (${plan.length} jobs, ${opts.workers} workers; status ${statusPathFor(queuePath)}):`);
        for (const p of plan) {
          info(`${String(p.step).padStart(3)}. ${p.run ? 'run ' : 'skip'} ${p.id}${p.after.length ? ` (after ${p.after.join(', ')})` : ''}${p.run ? '' : ' [done]'}: grids ${p.args.join(' ')}`);
        }
        printJson({ queue: queuePath, workers: opts.workers, plan });
        return;
      }

      const work = resolve(opts.work ?? dirname(queuePath));
      const remote = remoteQueueFrom(opts, work);
      const summary = await runJobs(queuePath, { workers: opts.workers, queue: remote }, { graceSeconds: opts.grace });
      const queue = await readQueue(queuePath);
      // On a queue, the jobs' states live in Redis (grids jobs status), not in the local status file.
      if (!remote) info('\n' + summaryTable(await readStatus(queuePath, queue), summary));
      for (const f of summary.failed) {
        info(`\n${f.id} failed (${f.signal ? `killed by ${f.signal}` : f.exitCode !== null ? `exit code ${f.exitCode}` : 'on the queue'}); last lines of ${f.log}:`);
        for (const line of f.lastLines) info(`  | ${line}`);
      }
      info(
        `\n${summary.done.length}/${queue.jobs.length} done, ${summary.failed.length} failed, ${summary.blocked.length} blocked` +
          `${summary.interrupted ? `, ${summary.pending.length} pending (interrupted; run again to continue)` : ''} in ${formatSeconds(summary.seconds)}`,
      );
      printJson(summary);
      process.exitCode = summary.interrupted ? 130 : summary.failed.length > 0 || summary.blocked.length > 0 ? 1 : 0;
    });
  jobs
    .command('status')
    .description('every job of a Redis queue: state, worker host, step out of total, ETA, last error')
    .option('--queue <url>', 'redis://[:password@]host:port[/db], or rediss:// (default: $GRIDS_QUEUE)')
    .action(async (opts: { queue?: string }, command: Command) => {
      // `grids jobs` has a --queue of its own, which commander gives the option to.
      const url = queueUrlFrom(opts.queue ?? (command.parent?.opts() as { queue?: string } | undefined)?.queue);
      if (!url) throw new Error('grids jobs status needs --queue redis://host:port (or GRIDS_QUEUE)');
      const rows = await (await import('../queue/runs')).queueStatus(url);
      info(rows.length ? queueStatusTable(rows) : 'the queue holds no job');
      printJson(rows);
    });
}
