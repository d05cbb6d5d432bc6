import { describe, expect, it } from 'vitest';
import { createJobQueue, type Job, type JobKind } from './job-queue';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function recordingJob(log: string[], itemId: string, kind: JobKind, gate?: Promise<void>): Job {
  return {
    itemId,
    kind,
    async run(signal) {
      log.push(`start ${itemId}:${kind}`);
      await gate;
      log.push(`${signal.aborted ? 'aborted' : 'end'} ${itemId}:${kind}`);
    },
    onCancel: () => log.push(`cancel ${itemId}:${kind}`),
  };
}

describe('job queue', () => {
  it('runs jobs one at a time, in order', async () => {
    const log: string[] = [];
    const queue = createJobQueue();
    const first = deferred();
    queue.enqueue(recordingJob(log, 'a', 'analyse', first.promise));
    queue.enqueue(recordingJob(log, 'b', 'analyse'));
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['start a:analyse']);
    first.resolve();
    await queue.whenIdle();
    expect(log).toEqual(['start a:analyse', 'end a:analyse', 'start b:analyse', 'end b:analyse']);
  });

  it('ignores a duplicate of a queued or running job', () => {
    const queue = createJobQueue();
    expect(queue.enqueue(recordingJob([], 'a', 'restore', new Promise(() => {})))).toBe(true);
    expect(queue.enqueue(recordingJob([], 'a', 'restore'))).toBe(false);
    expect(queue.enqueue(recordingJob([], 'a', 'baseline'))).toBe(true);
    expect(queue.has('a', 'restore')).toBe(true);
  });

  it('cancelling the running job moves on at once and keeps the other items queued', async () => {
    const log: string[] = [];
    const busy: boolean[] = [];
    const queue = createJobQueue((b) => busy.push(b));
    queue.enqueue(recordingJob(log, 'a', 'restore', new Promise(() => {}))); // never settles by itself
    queue.enqueue(recordingJob(log, 'a', 'baseline'));
    queue.enqueue(recordingJob(log, 'b', 'analyse'));
    await new Promise((r) => setTimeout(r, 0));
    queue.cancel('a');
    await queue.whenIdle();
    expect(log).toEqual(['start a:restore', 'cancel a:baseline', 'cancel a:restore', 'start b:analyse', 'end b:analyse']);
    expect(busy).toEqual([true, false]);
    expect(queue.busy).toBe(false);
  });

  it('cancels only the named kinds', async () => {
    const log: string[] = [];
    const queue = createJobQueue();
    const gate = deferred();
    queue.enqueue(recordingJob(log, 'a', 'analyse', gate.promise));
    queue.enqueue(recordingJob(log, 'a', 'restore'));
    queue.cancel('a', ['restore', 'baseline']);
    gate.resolve();
    await queue.whenIdle();
    expect(log).toEqual(['cancel a:restore', 'start a:analyse', 'end a:analyse']);
  });

  it('a failing job does not stop the queue', async () => {
    const log: string[] = [];
    const queue = createJobQueue();
    queue.enqueue({ itemId: 'a', kind: 'analyse', run: () => Promise.reject(new Error('boom')) });
    queue.enqueue(recordingJob(log, 'b', 'analyse'));
    await queue.whenIdle();
    expect(log).toEqual(['start b:analyse', 'end b:analyse']);
  });

  it('prioritise moves one item\'s jobs ahead, keeping their order', async () => {
    const log: string[] = [];
    const queue = createJobQueue();
    const gate = deferred();
    queue.enqueue(recordingJob(log, 'a', 'analyse', gate.promise));
    queue.enqueue(recordingJob(log, 'b', 'analyse'));
    queue.enqueue(recordingJob(log, 'c', 'analyse'));
    queue.enqueue(recordingJob(log, 'c', 'restore'));
    await new Promise((r) => setTimeout(r, 0)); // a is running
    queue.prioritise('c');
    gate.resolve();
    await queue.whenIdle();
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a:analyse', 'start c:analyse', 'start c:restore', 'start b:analyse']);
  });
});
