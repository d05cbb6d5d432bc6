import { open } from 'node:fs/promises';

const TAIL_BYTES = 64 * 1024;
const TAIL_LINES = 20;

/** The last lines a job wrote to its log since byte `from`, without the runners' "=== " header lines. */
export async function lastLogLines(log: string, from: number): Promise<string[]> {
  try {
    const handle = await open(log, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(from, size - TAIL_BYTES);
      const buffer = Buffer.alloc(Math.max(0, size - start));
      await handle.read(buffer, 0, buffer.length, start);
      return buffer
        .toString('utf8')
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l) => l && !l.startsWith('=== '))
        .slice(-TAIL_LINES);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
}
