import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atomicWrite, removeStaleTemps } from './images';

/**
 * A JSON array report (one entry per image) that survives kill -9: it is rewritten atomically after
 * each image, and read back by a rerun, so that an image whose bytes and settings have not changed
 * since it was done is kept instead of done again. `grids restore` (report.json) and
 * `grids select --report` use it.
 */

/** The input's identity: its bytes, not its name or mtime (a copied or touched photo is the same photo). */
export interface InputDigest {
  inputBytes: number;
  inputSha256: string;
}

/** Everything besides the input that decides an image's result (manifest digest, rule, group, tile...). */
export type Settings = Readonly<Record<string, string | number>>;

export interface ReportEntry extends Partial<InputDigest> {
  image: string;
  settings?: Settings;
  /** Why the image failed; a failed image is always tried again. */
  error?: string;
}

export function digestOf(bytes: Uint8Array): InputDigest {
  return { inputBytes: bytes.byteLength, inputSha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Whether two settings are the same, whatever the order of their keys. */
export function sameSettings(a: Settings | undefined, b: Settings): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return Object.keys(a).length === keys.length && keys.every((key) => a[key] === b[key]);
}

export interface ResumableReport<E extends ReportEntry> {
  /** The earlier entry for this image when it can be reused: it did not fail, same input bytes, same settings. */
  reusable(image: string, input: InputDigest, settings: Settings): E | undefined;
  /** Records the image's entry and rewrites the file. */
  record(entry: E): Promise<void>;
  /** One entry per image, in the order given; an image not reached yet keeps its earlier entry, if any. */
  entries(): E[];
  /** Rewrites the file with {@link entries} (entries of images no longer asked for are dropped). */
  save(): Promise<void>;
}

export interface OpenOptions {
  /** What to do with a file that is not such a report: refuse it (someone else's file), or start over and say so. */
  ifNotReport: 'refuse' | 'start-over';
  warn: (line: string) => void;
}

/** Opens the report at `path` for `images` (names or paths, as the entries' `image`), reading what an earlier run left. */
export async function openResumableReport<E extends ReportEntry>(path: string, images: readonly string[], options: OpenOptions): Promise<ResumableReport<E>> {
  await removeStaleTemps(dirname(path), path);
  const current = new Map<string, E>();
  for (const entry of await readEarlierEntries<E>(path, options)) current.set(entry.image, entry);
  const entries = () => images.flatMap((image) => current.get(image) ?? []);
  const save = () => atomicWrite(path, JSON.stringify(entries(), null, 2));
  return {
    reusable(image, input, settings) {
      const entry = current.get(image);
      const same = entry && entry.error === undefined && entry.inputSha256 === input.inputSha256 && entry.inputBytes === input.inputBytes;
      return same && sameSettings(entry.settings, settings) ? entry : undefined;
    },
    async record(entry) {
      current.set(entry.image, entry);
      await save();
    },
    entries,
    save,
  };
}

async function readEarlierEntries<E extends ReportEntry>(path: string, options: OpenOptions): Promise<E[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'EISDIR') throw new Error(`the report ${path} is a folder; name a file`);
    throw new Error(`cannot read the report ${path}: ${code ?? String(error)}`);
  }
  const entries = parseEntries(text);
  if (entries) return entries as E[];
  if (options.ifNotReport === 'refuse') throw new Error(`${path} exists and is not a grids report; choose another file, or delete it`);
  options.warn(`${path} is not a grids report: starting over`);
  return [];
}

function parseEntries(text: string): ReportEntry[] | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const isEntry = (e: unknown) => typeof e === 'object' && e !== null && typeof (e as ReportEntry).image === 'string';
  return Array.isArray(json) && json.every(isEntry) ? (json as ReportEntry[]) : null;
}
