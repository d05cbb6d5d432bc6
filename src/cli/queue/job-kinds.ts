import { isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';

/**
 * What a queue worker agrees to run: Redis is a trust boundary, so a job is a known grids command
 * whose every option is on this list, whose every path stays inside the shared work folder, and
 * which is spawned without a shell. The table is checked against the commands' own options by
 * job-kinds.test.ts, so an option added to a command must be classified here before a queue job can
 * use it.
 */
export interface JobKind {
  /** The grids command words, e.g. ['router', 'data']. */
  command: readonly string[];
  /** Options whose value is a file or folder (confined to the work folder). */
  pathOptions: readonly string[];
  /** Options whose value is a comma-separated list of `name=file` or `file` entries (eval --models). */
  modelListOptions?: readonly string[];
  /** Options that take a value that is not a path. */
  valueOptions: readonly string[];
  /** Options without a value. */
  flags: readonly string[];
  /** How many positional arguments, all paths (export: checkpoint and output). */
  positionalPaths: number;
}

export const JOB_KINDS = {
  train: {
    command: ['train'],
    pathOptions: ['--images', '--out', '--init'],
    valueOptions: ['--tasks', '--arch', '--width', '--depth', '--activation', '--lr-degradations', '--scale', '--steps', '--batch', '--patch', '--lr', '--min-lr', '--warmup', '--optimizer', '--weight-decay', '--seed', '--checkpoint-every', '--log-every', '--image-limit', '--backend'],
    flags: ['--resume'],
    positionalPaths: 0,
  },
  export: {
    command: ['export'],
    pathOptions: [],
    valueOptions: ['--features'],
    flags: ['--features-only'],
    positionalPaths: 2,
  },
  eval: {
    command: ['eval'],
    pathOptions: ['--images', '--out'],
    modelListOptions: ['--models'],
    valueOptions: ['--tasks', '--seed', '--crop', '--tile'],
    flags: [],
    positionalPaths: 0,
  },
  'router-data': {
    command: ['router', 'data'],
    pathOptions: ['--images', '--work'],
    valueOptions: ['--draws', '--seed', '--shard'],
    flags: ['--outliers'],
    positionalPaths: 0,
  },
} as const satisfies Record<string, JobKind>;

export type JobKindName = keyof typeof JOB_KINDS;
export const JOB_KIND_NAMES = Object.keys(JOB_KINDS) as JobKindName[];

/** A job refused for what it is (not for where it ran): never retried. */
export class JobRefusedError extends Error {}

/** The kind of a grids command line, or null when it is not one a queue job may run. */
export function kindOf(args: readonly string[]): JobKindName | null {
  return JOB_KIND_NAMES.find((name) => JOB_KINDS[name].command.every((word, i) => args[i] === word)) ?? null;
}

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// No NUL and no control characters: a job's strings end up as argv entries and file names.
const safeString = z.string().min(1).max(4096).regex(/^[^\u0000-\u001f\u007f]*$/, 'contains control characters');

/** The data of a queue job, as the producer writes it and a worker must find it. */
export const jobPayloadSchema = z.object({
  /** The code version of the producer (see code-version.ts); a worker runs only its own. */
  version: safeString,
  /** The work folder's id (its marker file): proves the worker sees the producer's folder. */
  workId: z.uuid(),
  /** The job's id in its queue file (names its log). */
  id: safeString.regex(JOB_ID),
  kind: z.enum(JOB_KIND_NAMES as [JobKindName, ...JobKindName[]]),
  /** The grids command line; its paths are relative to the work folder. */
  args: z.array(safeString).min(1).max(256),
  /** The job's log file, relative to the work folder: a .log file in a logs/ folder, nothing else. */
  log: safeString.regex(/(^|\/)logs\/[A-Za-z0-9][A-Za-z0-9._-]*\.log$/, 'must be a .log file in a logs/ folder'),
}).strict();

export type JobPayload = z.infer<typeof jobPayloadSchema>;

/** Whether `path` (resolved against `folder`) is the folder or inside it. */
export function isInsideFolder(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(folder, path));
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** `path` resolved in the work folder, or a refusal when it leaves it (`..`, an absolute path elsewhere). */
export function confinedPath(work: string, path: string, what: string): string {
  const root = resolve(work);
  const full = resolve(root, path);
  if (!isInsideFolder(root, full)) {
    throw new JobRefusedError(`${what} "${path}" is outside the work folder ${root}; a queue job may only read and write there`);
  }
  return full;
}

function modelListPaths(value: string): string[] {
  return value.split(',').map((entry) => (entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry));
}

/**
 * Walks a job's command line against its kind's allow-list and calls `onPath` on every path in it
 * (option values and positionals). Throws JobRefusedError on an unknown option, a missing value or
 * an extra positional.
 */
export function visitJobArgs(kind: JobKindName, args: readonly string[], onPath: (path: string, what: string, index: number, entry?: number) => void): void {
  const spec: JobKind = JOB_KINDS[kind];
  if (!spec.command.every((word, i) => args[i] === word)) {
    throw new JobRefusedError(`a "${kind}" job must run "grids ${spec.command.join(' ')}", not "grids ${args.slice(0, spec.command.length).join(' ')}"`);
  }
  let positionals = 0;
  for (let i = spec.command.length; i < args.length; i++) {
    const token = args[i];
    if (!token.startsWith('-')) {
      if (positionals >= spec.positionalPaths) throw new JobRefusedError(`unexpected argument "${token}" for "grids ${spec.command.join(' ')}"`);
      positionals++;
      onPath(token, `argument ${positionals}`, i);
      continue;
    }
    if (spec.flags.includes(token)) continue;
    const takesValue = spec.pathOptions.includes(token) || spec.valueOptions.includes(token) || (spec.modelListOptions ?? []).includes(token);
    if (!takesValue) throw new JobRefusedError(`option "${token}" is not one a "${kind}" queue job may use`);
    const value = args[++i];
    if (value === undefined) throw new JobRefusedError(`option ${token} needs a value`);
    if (spec.pathOptions.includes(token)) onPath(value, token, i);
    else if ((spec.modelListOptions ?? []).includes(token)) modelListPaths(value).forEach((p, entry) => onPath(p, token, i, entry));
  }
  if (positionals !== spec.positionalPaths) throw new JobRefusedError(`"grids ${spec.command.join(' ')}" needs ${spec.positionalPaths} arguments, got ${positionals}`);
}

/** Refuses a job whose command line is not allowed or names a path outside `work`. */
export function checkJobArgs(kind: JobKindName, args: readonly string[], work: string): void {
  visitJobArgs(kind, args, (path, what) => confinedPath(work, path, what));
}

/**
 * The producer's side: the same command line with every path rewritten relative to the work folder
 * (paths are resolved against `cwd` first, as the local runner runs jobs there), so that workers
 * that mount the shared folder elsewhere find the same files. Throws naming the path that is not
 * inside the work folder.
 */
export function relativiseJobArgs(kind: JobKindName, args: readonly string[], cwd: string, work: string): string[] {
  const out = [...args];
  const lists = new Map<number, string[]>();
  visitJobArgs(kind, args, (path, what, index, entry) => {
    const full = resolve(cwd, path);
    confinedPath(work, full, what);
    const rel = relative(resolve(work), full).split(sep).join('/') || '.';
    if (entry === undefined) {
      out[index] = rel;
      return;
    }
    // eval --models: rewrite each entry's file, keeping its name.
    const entries = lists.get(index) ?? args[index].split(',');
    const old = entries[entry];
    entries[entry] = old.includes('=') ? `${old.slice(0, old.indexOf('='))}=${rel}` : rel;
    lists.set(index, entries);
  });
  for (const [index, entries] of lists) out[index] = entries.join(',');
  return out;
}
