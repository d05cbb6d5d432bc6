/**
 * The child side of a queue job. A worker runs each job as `grids …` in its own process with an IPC
 * channel: the job reports its progress over it, and stops (SIGTERM: a training saves a checkpoint)
 * when the channel closes, i.e. when its worker died, so that no orphan trains on beside the job's
 * next delivery.
 */
export const QUEUE_JOB_ENV = 'GRIDS_QUEUE_JOB';

export interface JobProgressMessage {
  type: 'progress';
  done: number;
  total: number;
}

export function isJobProgressMessage(value: unknown): value is JobProgressMessage {
  const m = value as JobProgressMessage;
  return typeof m === 'object' && m !== null && m.type === 'progress' && Number.isFinite(m.done) && Number.isFinite(m.total);
}

const inQueueJob = () => process.env[QUEUE_JOB_ENV] === '1' && typeof process.send === 'function';

/** Called once at start-up by the CLI. */
export function stopWithWorker(): void {
  if (!inQueueJob()) return;
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // The channel must not keep the job alive once its work is done.
  process.channel?.unref();
}

let lastSent = 0;

/** Tells the worker how far the job is (at most about once a second, and always at the end). */
export function reportJobProgress(done: number, total: number): void {
  if (!inQueueJob() || !process.connected) return;
  const now = Date.now();
  if (done < total && now - lastSent < 1000) return;
  lastSent = now;
  const message: JobProgressMessage = { type: 'progress', done, total };
  process.send!(message, undefined, undefined, () => {});
}
