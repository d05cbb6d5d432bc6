/** The benchmarks' timing, in the page, a worker or Node: one warm-up call (sessions, first allocations), then `runs` timed calls (ms). */
export async function timed(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}
