import { existsSync } from 'node:fs';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder, startCli, tempDir } from '../test-support';
import { planOrder, runQueue, statusPathFor, validateQueue, writeQueue, type QueueEvent, type QueueJob, type QueueStatus, type QueueSummary } from './runner';

// Real child processes running tiny `grids degrade` commands (each ~1.5 s, mostly CLI start-up).

const noise = (id: string, input: string, output: string, after?: string[]): QueueJob => ({
  id, args: ['degrade', '--type', 'gaussian_noise', '--seed', String(id.length), input, output], ...(after ? { after } : {}),
});

async function readStatusFile(queue: string): Promise<QueueStatus> {
  return JSON.parse(await readFile(statusPathFor(queue), 'utf8')) as QueueStatus;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let input: string;

beforeAll(async () => {
  input = join(await makeImageFolder(1, 32), 'scene-0.png');
});

describe('grids jobs: running a queue', () => {
  let dir: string, queue: string, summary: QueueSummary, status: QueueStatus;
  const events: QueueEvent[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    queue = join(dir, 'queue.json');
    await writeQueue(queue, [noise('a', input, 'a.png'), noise('bb', input, 'b.png'), noise('ccc', input, join(dir, 'out/c.png'))]);
    summary = await runQueue(queue, { workers: 2, onEvent: (e) => events.push(e) });
    status = await readStatusFile(queue);
  }, 60_000);

  it('runs every job: outputs written, status done, summary correct', async () => {
    for (const name of ['a.png', 'b.png', 'out/c.png']) expect(existsSync(join(dir, name)), name).toBe(true); // relative paths: queue folder
    expect(summary).toMatchObject({ done: ['a', 'bb', 'ccc'], skipped: [], failed: [], blocked: [], pending: [], interrupted: false });
    expect(summary.seconds).toBeGreaterThan(0);
    expect(status.runner).toBeNull();
    for (const id of ['a', 'bb', 'ccc']) {
      expect(status.jobs[id]).toMatchObject({ state: 'done', attempts: 1, exitCode: 0, signal: null, pid: null, log: join(dir, 'logs', `${id}.log`) });
      const log = await readFile(status.jobs[id].log, 'utf8');
      expect(log).toMatch(new RegExp(`^=== ${id} attempt 1 started .*: grids degrade --type gaussian_noise`));
      expect(log).toContain('gaussian_noise (seed'); // the CLI's own stderr line
    }
    expect(events.filter((e) => e.type === 'start').map((e) => (e as { id: string }).id).sort()).toEqual(['a', 'bb', 'ccc']);
    expect(events.filter((e) => e.type === 'end')).toHaveLength(3);
  });

  it('runs two jobs at the same time with 2 workers, never three', () => {
    const intervals = Object.values(status.jobs).map((s) => [Date.parse(s.startedAt!), Date.parse(s.finishedAt!)]);
    const overlap = ([s1, f1]: number[], [s2, f2]: number[]) => s1 < f2 && s2 < f1;
    expect(overlap(intervals[0], intervals[1])).toBe(true); // a and bb start together
    // The third starts only when one of the first two has ended.
    expect(intervals[2][0]).toBeGreaterThanOrEqual(Math.min(intervals[0][1], intervals[1][1]));
  });
});

describe('grids jobs: failures, blocked jobs and resume', () => {
  let dir: string, queue: string, first: QueueSummary;
  const missing = () => join(dir, 'missing.png');

  beforeAll(async () => {
    dir = await tempDir();
    queue = join(dir, 'queue.json');
    await writeQueue(queue, [
      noise('ok', input, join(dir, 'ok.png')),
      noise('bad', missing(), join(dir, 'bad.png')), // its input does not exist (yet)
      noise('after-bad', join(dir, 'bad.png'), join(dir, 'after-bad.png'), ['bad']),
    ]);
    first = await runQueue(queue, { workers: 2 });
  }, 60_000);

  it('reports a failing job with its exit code and error line, runs the others, blocks its dependants', async () => {
    expect(first.done).toEqual(['ok']);
    expect(first.blocked).toEqual(['after-bad']);
    expect(first.failed).toHaveLength(1);
    const failed = first.failed[0];
    expect(failed).toMatchObject({ id: 'bad', exitCode: 1, signal: null, log: join(dir, 'logs', 'bad.log') });
    expect(failed.lastLines.join('\n')).toMatch(/grids: cannot read .*missing\.png/);
    expect(await readFile(failed.log, 'utf8')).toMatch(/grids: cannot read .*missing\.png[^]*=== bad attempt 1 ended after .*exit code 1/);
    const status = await readStatusFile(queue);
    expect(status.jobs.bad).toMatchObject({ state: 'failed', attempts: 1, exitCode: 1 });
    expect(status.jobs['after-bad']).toMatchObject({ state: 'pending', attempts: 0 });
    expect(existsSync(join(dir, 'ok.png'))).toBe(true);
    expect(existsSync(join(dir, 'after-bad.png'))).toBe(false);
  });

  it('re-running skips done jobs and retries failed ones, then runs what they blocked', async () => {
    const okTime = (await stat(join(dir, 'ok.png'))).mtimeMs;
    await copyFile(input, missing()); // fix the cause of the failure
    const second = await runQueue(queue, { workers: 2 });
    expect(second).toMatchObject({ done: ['ok', 'bad', 'after-bad'], skipped: ['ok'], failed: [], blocked: [], interrupted: false });
    const status = await readStatusFile(queue);
    expect(status.jobs.ok).toMatchObject({ state: 'done', attempts: 1 });
    expect((await stat(join(dir, 'ok.png'))).mtimeMs).toBe(okTime);
    expect(status.jobs.bad).toMatchObject({ state: 'done', attempts: 2, exitCode: 0 });
    expect(status.jobs['after-bad']).toMatchObject({ state: 'done', attempts: 1 });
    expect(Date.parse(status.jobs['after-bad'].startedAt!)).toBeGreaterThanOrEqual(Date.parse(status.jobs.bad.finishedAt!));
    const log = await readFile(join(dir, 'logs', 'bad.log'), 'utf8');
    expect(log.match(/^=== bad attempt \d started/gm)).toEqual(['=== bad attempt 1 started', '=== bad attempt 2 started']);
  }, 60_000);
});

describe('grids jobs: interrupted runner', () => {
  it('SIGTERM stops the running job, marks it pending (exit 130), and a re-run completes everything', async () => {
    const dir = await tempDir();
    const queue = join(dir, 'queue.json');
    await writeQueue(queue, [noise('a', input, 'a.png'), noise('b', input, 'b.png')]);
    const { child, done } = startCli(['jobs', queue, '--workers', '1']);
    await waitFor(async () => existsSync(statusPathFor(queue)) && (await readStatusFile(queue)).jobs.a.state === 'running', 30_000);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/SIGTERM: stopping the running jobs/);
    const summary = JSON.parse(result.stdout) as QueueSummary;
    expect(summary).toMatchObject({ interrupted: true, done: [], failed: [], blocked: [], pending: ['a', 'b'] });

    const status = await readStatusFile(queue);
    expect(status.runner).toBeNull();
    expect(status.jobs.a).toMatchObject({ state: 'pending', attempts: 1, signal: 'SIGTERM', pid: null }); // interrupted, not failed
    expect(status.jobs.b).toMatchObject({ state: 'pending', attempts: 0 }); // never started
    expect(await readFile(join(dir, 'logs', 'a.log'), 'utf8')).toMatch(/killed by SIGTERM; interrupted by the runner, back to pending/);

    const rerun = await runQueue(queue, { workers: 2 });
    expect(rerun).toMatchObject({ done: ['a', 'b'], failed: [], blocked: [], interrupted: false });
    expect((await readStatusFile(queue)).jobs.a).toMatchObject({ state: 'done', attempts: 2 });
    for (const id of ['a', 'b']) expect(existsSync(join(dir, `${id}.png`))).toBe(true);
  }, 60_000);
});

describe('grids jobs: queue validation', () => {
  const job = (id: string, after?: string[]): QueueJob => ({ id, args: ['degrade', '--type', 'jpeg', 'in.png', `${id}.png`], ...(after ? { after } : {}) });

  async function queueFile(content: unknown): Promise<string> {
    const path = join(await tempDir(), 'queue.json');
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  it('rejects unknown "after" ids, cycles, duplicate ids, bad ids and missing or malformed files, naming the job', async () => {
    const unknown = await queueFile({ jobs: [job('a'), job('b', ['a', 'nope'])] });
    await expect(runQueue(unknown, { workers: 1 })).rejects.toThrow(/job "b": "after" names unknown job "nope"/);
    expect(existsSync(statusPathFor(unknown))).toBe(false); // nothing ran, nothing written

    await expect(runQueue(await queueFile({ jobs: [job('a', ['c']), job('b', ['a']), job('c', ['b']), job('d')] }), { workers: 1 })).rejects.toThrow(
      /dependency cycle: "a" after "c" after "b" after "a"/,
    );
    await expect(runQueue(await queueFile({ jobs: [job('self', ['self'])] }))).rejects.toThrow(/cycle: "self" after "self"/);
    await expect(runQueue(await queueFile({ jobs: [job('a'), job('b'), job('a')] }))).rejects.toThrow(/duplicate job id "a" \(jobs #1 and #3\)/);
    await expect(runQueue(await queueFile({ jobs: [job('../x')] }))).rejects.toThrow(/job #1: "id" must be/);
    await expect(runQueue(await queueFile({ jobs: [{ id: 'x', args: [] }] }))).rejects.toThrow(/job "x": "args" must be a non-empty array/);
    await expect(runQueue(await queueFile({ jobs: [{ id: 'x', args: ['jobs', 'q.json'] }] }))).rejects.toThrow(/cannot run "grids jobs"/);
    await expect(runQueue(await queueFile({ tasks: [] }))).rejects.toThrow(/expected an object \{ "jobs": \[/);
    await expect(runQueue(await queueFile('{ "jobs": [ '))).rejects.toThrow(/is not valid JSON/);
    await expect(runQueue(join(await tempDir(), 'absent.json'))).rejects.toThrow(/cannot read the queue file .*absent\.json: ENOENT/);
    await expect(writeQueue(join(await tempDir(), 'q.json'), [job('a', ['zz'])])).rejects.toThrow(/job "a": "after" names unknown job "zz"/);
    await expect(runQueue(await queueFile({ jobs: [job('a')] }), { workers: 0 })).rejects.toThrow(/workers must be an integer ≥ 1/);
  });

  it('plans jobs in file order, each after its dependencies', () => {
    const queue = validateQueue({ jobs: [job('eval', ['train-b', 'train-a']), job('train-a'), job('train-b', ['train-a']), job('other')] });
    expect(planOrder(queue).map((j) => j.id)).toEqual(['train-a', 'train-b', 'eval', 'other']);
  });
});
