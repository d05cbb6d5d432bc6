import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The work folder's marker: a random id written once by the first producer. Jobs carry it, and a
 * worker compares it with the marker in its own --work, so a worker that mounted another folder (or
 * none) refuses instead of training into a folder nobody reads.
 */
export const WORK_MARKER = '.grids-work-id';

export async function readWorkId(work: string): Promise<string | null> {
  try {
    return (await readFile(join(work, WORK_MARKER), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** The folder's id, created (exclusively, so two producers agree) when it has none. */
export async function ensureWorkId(work: string): Promise<string> {
  await mkdir(work, { recursive: true });
  const existing = await readWorkId(work);
  if (existing) return existing;
  try {
    await writeFile(join(work, WORK_MARKER), randomUUID() + '\n', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readWorkId(work))!;
}

export function workMismatchMessage(work: string, found: string | null, expected: string): string {
  return existsSync(resolve(work))
    ? `this worker's work folder ${resolve(work)} is not the one the producer uses (its ${WORK_MARKER} is ${found ?? 'missing'}, the job expects ${expected}): ` +
        'give every worker the shared folder (an NFS mount or similar) as --work'
    : `this worker's work folder ${resolve(work)} does not exist: give every worker the shared folder (an NFS mount or similar) as --work`;
}
