import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '../../..');
/** What a job's outcome depends on: the CLI and core sources, the launcher and the locked dependencies. */
const SOURCES = ['src/cli', 'src/core', 'bin', 'package-lock.json'];

function files(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(path, entry.name)) : /\.test\.ts$|\.e2e\.test\.ts$/.test(entry.name) ? [] : [join(path, entry.name)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return [path];
    throw error;
  }
}

let cached: string | null = null;

/**
 * The version a queue job carries and a worker must share: the package version and a hash of the
 * sources (tests left out), so two checkouts of the same commit agree with or without git, and an
 * edited file on one machine is told apart.
 */
export function codeVersion(): string {
  if (cached) return cached;
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((s) => files(join(ROOT, s))).sort()) {
    hash.update(relative(ROOT, file).split('\\').join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  cached = `${version}+${hash.digest('hex').slice(0, 12)}`;
  return cached;
}
