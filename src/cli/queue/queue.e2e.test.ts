import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueSummary } from '../jobs/runner';
import { makeImageFolder, runCli, startCli, tempDir, type CliResult } from '../test-support';
import { loadCheckpoint } from '../train/checkpoint';
import { freePort } from '../io/free-port';
import { codeVersion } from './code-version';
import { SAMPLES_VERSION } from '../router/dataset';
import { parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX } from './connection';
import { startLocalRedis, type LocalRedis } from './local-redis';
import type { JobStatusRow } from './runs';
import { ensureWorkId } from './work-folder';
import type { JobProgress } from './worker';

/**
 * The Redis queue end to end, on a real redis-server (Debian's package, started on a free port in a
 * temporary folder), with real `grids worker` processes and real trainings.
 */
let redis: LocalRedis;
const workers: { child: ReturnType<typeof startCli>['child']; done: Promise<CliResult> }[] = [];

function startWorker(work: string, ...extra: string[]) {
  const worker = startCli(['worker', '--queue', redis.url, '--work', work, ...extra]);
  workers.push(worker);
  return worker;
}

async function stopWorkers(): Promise<void> {
  for (const w of workers.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await w.done;
  }
}

/** Every model.ckpt's weights under `dir`, by path relative to it. */
async function weightsUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name === 'model.ckpt') {
        const { params } = await loadCheckpoint(path);
        out.set(relative(dir, path), Buffer.concat(Object.keys(params).sort().map((k) => Buffer.from(params[k].buffer, params[k].byteOffset, params[k].byteLength))));
      }
    }
  };
  await walk(dir);
  return out;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, seconds = 120): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function bullQueue(): Queue {
  const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(redis.url).connection, prefix: QUEUE_PREFIX });
  queue.on('error', () => {});
  return queue;
}

const trainArgs = (images: string, out: string, steps: number, tasks = 'jpeg') => [
  'train', '--tasks', tasks, '--images', images, '--out', out, '--arch', 'srresnet', '--width', '4', '--depth', '1', '--steps', String(steps),
  '--batch', '2', '--patch', '16', '--backend', 'wasm', '--checkpoint-every', '5', '--log-every', '5', '--seed', '3', '--resume',
];

const LONG_STEPS = 2000;

/** One 2000-step training (about 12 s here) on the queue, a worker with 2-second locks, and its producer. */
async function startLongTraining(name: string, seed: number) {
  const images = await makeImageFolder(3, 64, seed);
  const work = await tempDir(`grids-queue-${name}-`);
  await writeFile(join(work, 'q.json'), JSON.stringify({ jobs: [{ id: 'long', args: trainArgs(images, 'runs/long', LONG_STEPS) }] }));
  const worker = startWorker(work, '--lock-seconds', '2');
  const producer = startCli(['jobs', join(work, 'q.json'), '--queue', redis.url]);
  const queue = bullQueue();
  const pastStep = (step: number) => until(`the training to pass step ${step}`, async () => {
    const running = (await queue.getJobs(['active'])).find((j) => j.data.id === 'long');
    return running && ((running.progress as Partial<JobProgress>).done ?? 0) >= step ? running : null;
  });
  return { images, work, worker, producer, queue, pastStep };
}

/** The queued training's weights against an uninterrupted `grids train` with the same arguments: byte-equal. */
async function expectUninterruptedWeights(images: string, work: string): Promise<void> {
  const reference = await tempDir('grids-queue-reference-');
  const uninterrupted = await runCli([...trainArgs(images, join(reference, 'long'), LONG_STEPS)]);
  expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
  const [got, want] = [await weightsUnder(join(work, 'runs')), await weightsUnder(reference)];
  expect(got.get('long/model.ckpt')!.equals(want.get('long/model.ckpt')!)).toBe(true);
}

describe('grids on a Redis queue (a real redis-server)', () => {
  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    await stopWorkers();
    await redis?.dispose();
  });

  it('two workers and a producer build the tiny zoo (trainings, verifications, evaluations): partition, verification log, weights and published models equal the local runner\'s', async () => {
    const train = await makeImageFolder(4, 80, 10);
    const val = await makeImageFolder(3, 64, 50);
    const local = await tempDir('grids-zoo-local-');
    const shared = await tempDir('grids-zoo-queue-');
    const zoo = (work: string, ...extra: string[]) =>
      runCli(['zoo', '--preset', 'tiny', '--images', train, '--val-images', val, '--work', work, '--out', join(work, 'out'), '--workers', '2', '--backend', 'wasm', ...extra]);
    const localRun = await zoo(local);
    expect(localRun.code, localRun.stderr).toBe(0);
    startWorker(shared);
    startWorker(shared);
    const queued = await zoo(shared, '--queue', redis.url);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/to run on the queue's workers/);
    expect(queued.stderr).toMatch(/copied 4 photos .* into .*inputs/);

    const search = async (work: string) => JSON.parse(await readFile(join(work, 'search', 'search.json'), 'utf8'));
    const [a, b] = [await search(local), await search(shared)];
    expect(b.partition).toEqual(a.partition);
    const log = (s: { verifications: { group: string[]; deltaP: number; record: { perTask: unknown } | null }[] }) =>
      s.verifications.map((v) => ({ group: v.group, deltaP: v.deltaP, perTask: v.record?.perTask ?? null }));
    expect(log(b)).toEqual(log(a));
    expect(b.verifications.length).toBeGreaterThan(0);

    const [wa, wb] = [await weightsUnder(local), await weightsUnder(shared)];
    expect([...wb.keys()].sort()).toEqual([...wa.keys()].sort());
    expect(wa.size).toBeGreaterThan(13); // descriptor, 11 single-task models, baseline, verifications, groups
    for (const [path, weights] of wa) expect(wb.get(path)!.equals(weights), path).toBe(true);
    // The published models, the router (trained on the workers' samples) included, are the same bytes.
    const integrity = async (work: string) => JSON.parse(await readFile(join(work, 'out', 'manifest.json'), 'utf8')).integrity;
    expect(await integrity(shared)).toEqual(await integrity(local));
    // The trainings and samples really ran on the workers: their logs name them.
    const workerLogs = (await Promise.all(workers.map(async (w) => (w.child.kill('SIGTERM'), (await w.done).stderr)))).join('\n');
    expect(workerLogs).toMatch(/start train-baseline/);
    expect(workerLogs).toMatch(new RegExp(`start router-samples-v${SAMPLES_VERSION}-0`));
    expect(workerLogs).toMatch(/start eval-single-jpeg/); // the evaluations too, verifications' included
    expect(workerLogs).toMatch(/start eval-[a-z_]+\.[a-z_.]+ /);
    workers.splice(0);
  }, 600_000);

  it('kill -9 of a worker in the middle of a training: another worker finishes it, with exactly the weights of an uninterrupted run', async () => {
    const { images, work, worker: first, producer, queue, pastStep } = await startLongTraining('kill', 4);
    try {
      // Wait until the training is well under way, then kill its worker (not the training itself).
      const job = await pastStep(200);
      expect(job.processedBy).toBe(`${(job.progress as JobProgress).host}:${first.child.pid}`);
      first.child.kill('SIGKILL');
      await first.done;
      const second = startWorker(work, '--lock-seconds', '2');
      const result = await producer.done;
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as QueueSummary;
      expect(summary.done).toEqual(['long']);
      const finished = (await Job.fromId(queue, job.id!))!;
      expect(finished.processedBy).toBe(`${(finished.progress as JobProgress).host}:${second.child.pid}`);
      const log = await readFile(join(work, 'logs', 'long.log'), 'utf8');
      expect(log.match(/=== long attempt/g)!.length).toBe(2);
      expect(log).toMatch(/saved a checkpoint at step \d+/); // the orphaned training stopped when its worker died
      await expectUninterruptedWeights(images, work);
    } finally {
      await queue.close();
      await stopWorkers();
    }
  }, 300_000);

  it('Redis stopped and restarted in the middle of a run: everyone reconnects, no job is lost or run twice to completion', async () => {
    const images = await makeImageFolder(3, 64, 5);
    const work = await tempDir('grids-queue-restart-');
    const jobs = [0, 1, 2, 3].map((i) => ({ id: `t${i}`, args: trainArgs(images, `runs/t${i}`, 150, ['jpeg', 'gaussian_noise', 'defocus_blur', 'gaussian_blur'][i]) }));
    await writeFile(join(work, 'q.json'), JSON.stringify({ jobs }));
    startWorker(work);
    startWorker(work);
    const producer = startCli(['jobs', join(work, 'q.json'), '--queue', redis.url]);
    await until('a training to start', async () => existsSync(join(work, 'runs', 't0')) || existsSync(join(work, 'runs', 't1')));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 3000));
    await redis.start();
    const result = await producer.done;
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as QueueSummary;
    expect(summary.done.sort()).toEqual(['t0', 't1', 't2', 't3']);
    for (const { id } of jobs) {
      const log = await readFile(join(work, 'logs', `${id}.log`), 'utf8');
      expect(log.match(/^done: 150 steps/gm)?.length ?? 0, `${id} completed once`).toBe(1);
      expect((await loadCheckpoint(join(work, 'runs', id, 'model.ckpt'))).meta.stepsDone).toBe(150);
    }
    const logs = (await stopWorkersAndRead()).join('\n');
    expect(logs).toMatch(/queue connection: /);
  }, 300_000);

  it('Redis out of reach for longer than the lock: the worker stops its copy at a checkpoint, the job is taken up again and ends as if uninterrupted', async () => {
    const { images, work, worker, producer, queue, pastStep } = await startLongTraining('lock', 7);
    try {
      await pastStep(200);
      await redis.stop();
      await new Promise((r) => setTimeout(r, 5000));
      await redis.start();
      const result = await producer.done;
      expect(result.code, result.stderr).toBe(0);
      const log = await readFile(join(work, 'logs', 'long.log'), 'utf8');
      expect(log.match(/^done: 2000 steps/gm)?.length ?? 0).toBe(1);
      await expectUninterruptedWeights(images, work);
      worker.child.kill('SIGTERM');
      expect((await worker.done).stderr).toMatch(/lost the lock of job .*stopping it at a checkpoint/);
    } finally {
      await queue.close();
      await stopWorkers();
    }
  }, 300_000);

  it('a job that always fails is attempted the configured number of times, reported once with its error, and its dependants are blocked', async () => {
    const work = await tempDir('grids-queue-fail-');
    await mkdir(join(work, 'empty'));
    await writeFile(join(work, 'q.json'), JSON.stringify({ jobs: [
      { id: 'doomed', args: trainArgs('empty', 'runs/doomed', 10) },
      { id: 'export-doomed', args: ['export', 'runs/doomed/model.ckpt', 'runs/doomed/model.onnx'], after: ['doomed'] },
    ] }));
    startWorker(work);
    const result = await runCli(['jobs', join(work, 'q.json'), '--queue', redis.url, '--attempts', '3', '--backoff', '0.2']);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as QueueSummary;
    expect(summary.failed.map((f) => f.id)).toEqual(['doomed']);
    expect(summary.failed[0].lastLines[0]).toMatch(/exit code 1: .*no PNG, JPEG or WebP|exit code 1: .*empty.*\(after 3 attempts\)/);
    expect(summary.blocked).toEqual(['export-doomed']);
    expect(result.stderr.match(/FAILED doomed/g)!.length).toBe(1);
    const log = await readFile(join(work, 'logs', 'doomed.log'), 'utf8');
    expect(log.match(/=== doomed attempt/g)!.length).toBe(3);

    const status = await runCli(['jobs', 'status', '--queue', redis.url]);
    const rows = (JSON.parse(status.stdout) as JobStatusRow[]).filter((r) => r.queue === 'q.json' && ['doomed', 'export-doomed'].includes(r.id));
    expect(rows.find((r) => r.id === 'doomed')).toMatchObject({ state: 'failed', attempts: 3 });
    expect(rows.find((r) => r.id === 'doomed')!.error).toMatch(/exit code 1/);
    expect(rows.find((r) => r.id === 'export-doomed')).toMatchObject({ state: 'blocked', error: 'blocked: "doomed" did not succeed' });
    await stopWorkers();
  }, 180_000);

  it('refuses, and logs, a job with a path outside the work folder, an unknown kind, or another code version', async () => {
    const work = await tempDir('grids-queue-refuse-');
    const outside = await tempDir('grids-queue-outside-');
    const workId = await ensureWorkId(work);
    const worker = startWorker(work);
    const queue = bullQueue();
    const payload = { version: codeVersion(), workId, id: 'probe', kind: 'train', args: trainArgs('inputs', join(outside, 'written'), 5), log: 'logs/probe.log' };
    const cases = [
      { name: 'train', data: payload, reason: /refused by worker .*: --out ".*grids-queue-outside-.*written" is outside the work folder/ },
      { name: 'train', data: { ...payload, args: trainArgs('inputs', '../escape', 5) }, reason: /--out "\.\.\/escape" is outside the work folder/ },
      { name: 'shell', data: { ...payload, kind: 'shell', args: ['sh', '-c', 'touch pwned'] }, reason: /refused by worker .*: invalid job data: .*kind/ },
      { name: 'train', data: { ...payload, version: '0.0.1+other' }, reason: /it comes from code version 0\.0\.1\+other, and this worker runs / },
    ];
    try {
      for (const [i, c] of cases.entries()) {
        const job = await queue.add(c.name, c.data, { jobId: `refuse-${Date.now()}-${i}`, attempts: 3, backoff: { type: 'fixed', delay: 100 } });
        const failed = await until(`job ${i} to be refused`, async () => ((await job.getState()) === 'failed' ? (await Job.fromId(queue, job.id!))! : null), 60);
        expect(failed.failedReason).toMatch(c.reason);
        expect(failed.attemptsMade).toBe(1); // a refusal is final, never retried
      }
      expect(existsSync(join(outside, 'written'))).toBe(false);
      expect(existsSync(join(work, 'pwned'))).toBe(false);
      expect(existsSync(join(work, 'escape'))).toBe(false);
      worker.child.kill('SIGTERM');
      const { stderr } = await worker.done;
      expect(stderr.match(/refused job refuse-\d+-\d \((train|shell)\): /g)!.length).toBe(cases.length);
    } finally {
      await queue.close();
      await stopWorkers();
    }
  }, 120_000);

  it('an unreachable Redis or a wrong URL is reported, not waited on', async () => {
    const dead = await runCli(['jobs', 'status', '--queue', `redis://:secret@127.0.0.1:${await freePort()}`]);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ within 10 s \(connect ECONNREFUSED/);
    expect(dead.stderr).not.toMatch(/secret/);
    const wrong = await runCli(['zoo', '--preset', 'tiny', '--images', 'x', '--val-images', 'y', '--queue', 'http://queue-host:6379']);
    expect(wrong.stderr).toMatch(/--queue must start with redis:\/\/ or rediss:\/\/ \(TLS\), got "http:\/\/"/);
  }, 60_000);

  it('a worker whose --work is not the producer\'s folder refuses to run and says so; a rerun skips a job whose output is valid and redoes one whose output is gone', async () => {
    const work = await tempDir('grids-queue-work-');
    const other = await tempDir('grids-queue-other-');
    const images = await makeImageFolder(2, 64, 6);
    await writeFile(join(work, 'q.json'), JSON.stringify({ jobs: [{ id: 'solo', args: trainArgs(images, 'runs/solo', 5) }] }));
    const stranger = startWorker(other);
    const producer = startCli(['jobs', join(work, 'q.json'), '--queue', redis.url, '--backoff', '0.2']);
    const refused = await stranger.done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/this worker's work folder .*grids-queue-other-.* is not the one the producer uses .*give every worker the shared folder/);
    startWorker(work);
    const result = await producer.done;
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(work, 'runs', 'solo', 'model.ckpt'))).toBe(true);
    expect(existsSync(join(other, 'runs'))).toBe(false);

    // Run again: the output is there and valid, so nothing runs. Without it, the job runs again.
    const runs = async () => ((await readFile(join(work, 'logs', 'solo.log'), 'utf8')).match(/grids train/g) ?? []).length;
    const before = await runs();
    const again = await runCli(['jobs', join(work, 'q.json'), '--queue', redis.url]);
    expect((JSON.parse(again.stdout) as QueueSummary).skipped).toEqual(['solo']);
    expect(await runs()).toBe(before);
    await rm(join(work, 'runs', 'solo', 'model.ckpt'));
    const redo = await runCli(['jobs', join(work, 'q.json'), '--queue', redis.url]);
    expect(redo.code, redo.stderr).toBe(0);
    expect((JSON.parse(redo.stdout) as QueueSummary).skipped).toEqual([]);
    expect(await runs()).toBe(before + 1);
    expect(existsSync(join(work, 'runs', 'solo', 'model.ckpt'))).toBe(true);
    await stopWorkers();
  }, 120_000);
});

async function stopWorkersAndRead(): Promise<string[]> {
  const logs: string[] = [];
  for (const w of workers.splice(0)) {
    w.child.kill('SIGTERM');
    logs.push((await w.done).stderr);
  }
  return logs;
}
