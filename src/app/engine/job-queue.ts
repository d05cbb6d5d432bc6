/**
 * One inference job at a time. The worker is shared and cancelling a job terminates it, so jobs must
 * never overlap: a cancel then only stops the job it was meant for, and the queued ones run next on
 * a fresh worker (the client re-sends its configuration by itself).
 */
export type JobKind = 'analyse' | 'restore' | 'baseline';

export interface Job {
  itemId: string;
  kind: JobKind;
  /** Does the work and reports its own outcome (the queue ignores results and errors). */
  run(signal: AbortSignal): Promise<unknown>;
  /** Called once when the job is cancelled, queued or running. */
  onCancel?(): void;
}

export interface JobQueue {
  /** False (and nothing queued) when the same item already has this kind of job queued or running. */
  enqueue(job: Job): boolean;
  /** Cancels the item's jobs of these kinds (all kinds when omitted), queued or running. */
  cancel(itemId: string, kinds?: readonly JobKind[]): void;
  cancelAll(): void;
  /** Moves the item's queued jobs (in their order) ahead of everyone else's: what the user just asked for runs next. */
  prioritise(itemId: string): void;
  has(itemId: string, kind: JobKind): boolean;
  readonly busy: boolean;
  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void>;
}

export function createJobQueue(onBusyChange: (busy: boolean) => void = () => {}): JobQueue {
  const queued: Job[] = [];
  let running: { job: Job; controller: AbortController } | null = null;
  let idleWaiters: (() => void)[] = [];
  let busy = false;

  const setBusy = (value: boolean) => {
    if (value === busy) return;
    busy = value;
    onBusyChange(value);
    if (!value) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  };

  const matches = (job: Job, itemId: string, kinds?: readonly JobKind[]) =>
    job.itemId === itemId && (!kinds || kinds.includes(job.kind));

  async function pump(): Promise<void> {
    if (running) return;
    const job = queued.shift();
    if (!job) {
      setBusy(false);
      return;
    }
    setBusy(true);
    const controller = new AbortController();
    running = { job, controller };
    // A cancelled job may take a moment to settle; the queue moves on at once.
    const aborted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
    try {
      await Promise.race([job.run(controller.signal), aborted]);
    } catch {
      // The job reported its own failure.
    } finally {
      running = null;
    }
    void pump();
  }

  return {
    enqueue(job) {
      if (this.has(job.itemId, job.kind)) return false;
      queued.push(job);
      setBusy(true);
      queueMicrotask(() => void pump());
      return true;
    },
    cancel(itemId, kinds) {
      for (let i = queued.length - 1; i >= 0; i--) {
        if (matches(queued[i], itemId, kinds)) queued.splice(i, 1)[0].onCancel?.();
      }
      if (running && matches(running.job, itemId, kinds)) {
        const { job, controller } = running;
        controller.abort();
        job.onCancel?.();
      }
      if (!running && queued.length === 0) setBusy(false);
    },
    cancelAll() {
      for (const job of queued.splice(0)) job.onCancel?.();
      if (running) {
        running.controller.abort();
        running.job.onCancel?.();
      }
      if (!running) setBusy(false);
    },
    prioritise(itemId) {
      const mine = queued.filter((job) => job.itemId === itemId);
      const others = queued.filter((job) => job.itemId !== itemId);
      queued.splice(0, queued.length, ...mine, ...others);
    },
    has(itemId, kind) {
      return (running?.job.itemId === itemId && running.job.kind === kind) || queued.some((j) => j.itemId === itemId && j.kind === kind);
    },
    get busy() {
      return busy;
    },
    whenIdle() {
      return busy ? new Promise((resolve) => idleWaiters.push(resolve)) : Promise.resolve();
    },
  };
}
