import cliProgress from 'cli-progress';

/**
 * A progress bar with ETA on a terminal; on a pipe or log file (nohup runs), one plain line per
 * 5 % instead of a redraw per step.
 */
export interface Progress {
  update(done: number, extra?: string): void;
  stop(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {extra}`, stream, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { extra: '' });
    return { update: (done, extra = '') => bar.update(done, { extra }), stop: () => bar.stop() };
  }
  const started = Date.now();
  let lastBucket = -1;
  return {
    update(done, extra = '') {
      const bucket = Math.floor((done / total) * 20);
      if (bucket === lastBucket && done !== total) return;
      lastBucket = bucket;
      const elapsed = (Date.now() - started) / 1000;
      const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
      stream.write(`${label} ${done}/${total} (${((done / total) * 100).toFixed(0)}%) elapsed ${formatSeconds(elapsed)} ETA ${formatSeconds(eta)} ${extra}\n`);
    },
    stop() {},
  };
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
