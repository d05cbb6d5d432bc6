import type { RedisOptions } from 'bullmq';

/** The queue every grids job goes through, under its own key prefix. */
export const QUEUE_NAME = 'jobs';
export const QUEUE_PREFIX = 'grids';

export interface QueueTarget {
  /** ioredis options: reconnect forever, never give up on a command (a Redis restart is survived). */
  connection: RedisOptions;
  /** The URL with its password masked, for messages and logs. */
  display: string;
}

/**
 * Parses `redis://[:password@]host:port[/db]` or `rediss://…` (TLS). Throws a message in the user's
 * terms for anything else.
 */
export function parseQueueUrl(url: string): QueueTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--queue must be a Redis URL such as redis://host:6379 or rediss://:password@host:6380/0, got "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`--queue must start with redis:// or rediss:// (TLS), got "${parsed.protocol}//"`);
  }
  if (!parsed.hostname) throw new Error(`--queue names no host: "${url}"`);
  const db = parsed.pathname && parsed.pathname !== '/' ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`--queue: the database number must be an integer ≥ 0, got "${parsed.pathname.slice(1)}"`);
  const port = parsed.port ? Number(parsed.port) : 6379;
  const masked = new URL(url);
  if (masked.password) masked.password = '***';
  return {
    connection: {
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port,
      db,
      username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      tls: parsed.protocol === 'rediss:' ? { servername: parsed.hostname } : undefined,
      // BullMQ's workers need commands to wait through a reconnection rather than fail.
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      retryStrategy: (times) => Math.min(200 * times, 5000),
    },
    display: masked.toString(),
  };
}

/** `--queue`, else the GRIDS_QUEUE environment variable, else none (everything runs locally). */
export function queueUrlFrom(option: string | undefined): string | null {
  return option ?? (process.env.GRIDS_QUEUE || null);
}

/**
 * Waits until a BullMQ queue's connection is up, or fails after `seconds` with the last connection
 * error, so that a wrong URL or a Redis that is down is reported instead of waited on forever.
 * (Once connected, the connection rides out a Redis restart: see parseQueueUrl.)
 */
export async function connected(queue: { waitUntilReady(): Promise<void>; on(event: 'error', listener: (error: Error) => void): unknown }, target: QueueTarget, seconds = 20): Promise<void> {
  let last = '';
  queue.on('error', (error) => (last = error.message));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.waitUntilReady(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${target.display} within ${seconds} s${last ? ` (${last})` : ''}: is it running, and is the URL right?`)), seconds * 1000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
