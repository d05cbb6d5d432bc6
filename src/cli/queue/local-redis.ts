import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../io/free-port';

/**
 * A private redis-server (Debian's `redis-server` package) on a free port in a temporary folder, for
 * the queue's tests and `npm run bench:queue`: never a mock. Persistence is on (append-only file,
 * fsync on every write), so a stop and a start keep every job.
 */
export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  /** Starts it again on the same port and folder (after `stop`), with its data. */
  start(): Promise<void>;
  /** Stops it (SIGTERM: it writes its data first) and waits until it has exited. */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function startLocalRedis(binary = process.env.REDIS_SERVER ?? 'redis-server'): Promise<LocalRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'grids-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    let output = '';
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const failed = new Promise<never>((_, reject) => {
      child!.once('error', (error) => reject(new Error(`cannot start ${binary} (install Debian's redis-server package): ${error.message}`)));
      child!.once('exit', (code) => reject(new Error(`${binary} exited with code ${code} at start:\n${output}`)));
    });
    failed.catch(() => {});
    exited = new Promise((resolve) => child!.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await Promise.race([answersPing(port), failed]))) {
      if (Date.now() > deadline) throw new Error(`${binary} did not answer on port ${port} within 10 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
