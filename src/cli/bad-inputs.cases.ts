import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { Manifest } from '../core/manifest';
import { makeImageFolder, runCli, startCli, tempDir, type CliResult } from './test-support';

/**
 * The CLI's bad and unusual inputs, as one table: each case prepares files, names the command, and
 * states its outcome the same way (exit code, a message in the user's terms, the files in the output
 * folder afterwards, the images listed as failed). cli.e2e.test.ts runs them on its tiny zoo, with
 * {@link expectOutcome} for every case and a case's own `check` for what only it can show.
 */

/** What a case gets: the tiny zoo the e2e test built, and a few generated photos. */
export interface Zoo {
  /** The folder of manifest.json and its ONNX files. */
  dir: string;
  manifest: Manifest;
  /** PNG photos, 64 px. */
  photos: string[];
}

export interface Expected {
  code: number;
  /** Found in stderr: a string as it is, or a pattern (for messages with temp paths in them). */
  message: string | RegExp;
  /** Not found in stderr. */
  absent?: string;
  /** The files in the output folder afterwards, in any order; null: the folder does not exist. */
  written: string[] | null;
  /** The images listed as failed (file name → error), in the JSON on stdout and in the report. */
  failed?: Record<string, string>;
}

export interface Arranged {
  args: string[];
  /** The folder whose files `written` lists. */
  out: string;
  /** The JSON report the run writes (report.json, select's --report), where `failed` is checked too. */
  report?: string;
  /** Runs it another way than once (an interrupted run, then the rerun); returns the last run. */
  run?: () => Promise<CliResult>;
  /** What only this case can show, after the common checks. */
  check?: (result: CliResult) => Promise<void>;
}

export interface BadInputCase {
  name: string;
  arrange: (zoo: Zoo) => Promise<Arranged>;
  expected: Expected;
}

/** The common assertion: exit code, message, files written, failures listed; a refused run prints no JSON. */
export async function expectOutcome(result: CliResult, arranged: Arranged, expected: Expected): Promise<void> {
  const context = `stderr:\n${result.stderr}`;
  expect(result.code, context).toBe(expected.code);
  if (typeof expected.message === 'string') expect(result.stderr).toContain(expected.message);
  else expect(result.stderr).toMatch(expected.message);
  if (expected.absent !== undefined) expect(result.stderr).not.toContain(expected.absent);
  expect(await listing(arranged.out), context).toEqual(expected.written === null ? null : [...expected.written].sort());
  if (expected.failed) {
    expect(failures(JSON.parse(result.stdout))).toEqual(expected.failed);
    if (arranged.report) expect(failures(await readJson(arranged.report))).toEqual(expected.failed);
  } else if (expected.code !== 0) {
    expect(result.stdout).toBe('');
  }
}

type Entry = { image: string; error?: string; output?: string; used?: string; settings?: Record<string, unknown> };

const failures = (entries: Entry[]) => Object.fromEntries(entries.filter((e) => e.error !== undefined).map((e) => [basename(e.image), e.error]));

async function listing(dir: string): Promise<string[] | null> {
  return readdir(dir).then((names) => names.sort(), () => null);
}

async function readJson<T = Entry[]>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

const manifestOf = (zoo: Zoo) => join(zoo.dir, 'manifest.json');
const restore = (zoo: Zoo, input: string, out: string, ...more: string[]) => ['restore', '--in', input, '--out', out, '--manifest', manifestOf(zoo), ...more];
const groupModel = (zoo: Zoo) => zoo.manifest.groups[0].model.file;

/** A folder of these files: a photo's path (copied), text, or bytes. */
async function folderWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir('grids-in-');
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' && content.startsWith('/') ? await readFile(content) : content);
  }
  return dir;
}

/** A copy of the zoo, with `damage` done to it. */
async function zooCopy(zoo: Zoo, damage: (dir: string) => Promise<void>): Promise<string> {
  const dir = await tempDir('grids-zoo-copy-');
  for (const name of await readdir(zoo.dir)) await writeFile(join(dir, name), await readFile(join(zoo.dir, name)));
  await damage(dir);
  return join(dir, 'manifest.json');
}

const halfOf = (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2));

/** A run of `args` killed with SIGKILL as soon as `ready` says so. */
async function killedWhen(args: string[], ready: () => Promise<boolean>): Promise<CliResult> {
  const { child, done } = startCli(args);
  let exited = false;
  void done.then(() => (exited = true));
  while (!exited && !(await ready())) await new Promise((resolve) => setTimeout(resolve, 10));
  child.kill('SIGKILL');
  return done;
}

const listsAnImage = (report: string) => async () => (await readJson(report).catch(() => [])).length > 0;

/** A file's identity and content: a kept file has the same inode and mtime, not only the same bytes. */
async function fingerprint(path: string) {
  const s = await stat(path);
  return { ino: s.ino, mtimeMs: s.mtimeMs, bytes: (await readFile(path)).toString('base64') };
}

/** The lines of stderr that say an image was kept, by the image's name. */
const keptIn = (stderr: string, verb: 'restored' | 'selected') =>
  [...stderr.matchAll(new RegExp(`^(.*): already ${verb}, kept$`, 'gm'))].map((m) => basename(m[1])).sort();

/** Root reads any file whatever its mode (the CI runs as root), so chmod 000 only makes a file unreadable for others. */
const canLockFiles = process.getuid?.() !== 0;

export const BAD_INPUT_CASES: BadInputCase[] = [
  {
    name: 'restore: the --in folder does not exist',
    arrange: async (zoo) => {
      const base = await tempDir();
      const out = join(base, 'out');
      return { args: restore(zoo, join(base, 'no-such-folder'), out), out };
    },
    expected: { code: 1, message: /^grids: the folder \S+\/no-such-folder does not exist$/m, written: null },
  },
  {
    name: 'restore: a folder with no image in it (a text file, a sub-folder)',
    arrange: async (zoo) => {
      const input = await folderWith({ 'notes.txt': 'hello' });
      await mkdir(join(input, 'sub'));
      const out = join(await tempDir(), 'out');
      return { args: restore(zoo, input, out), out };
    },
    expected: { code: 1, message: /^grids: no image in \S+ \(PNG, JPEG or WebP files\)$/m, written: null },
  },
  {
    name: 'eval: a folder with no usable image',
    arrange: async (zoo) => {
      const input = await folderWith({ 'notes.txt': 'hello', 'empty.png': '' });
      const out = join(await tempDir(), 'out');
      return { args: ['eval', '--models', join(zoo.dir, zoo.manifest.baseline!.file), '--images', input, '--out', out], out };
    },
    expected: { code: 1, message: /^grids: no usable image in \S+ \(PNG, JPEG or WebP\)$/m, written: null },
  },
  {
    name: 'restore: unreadable files only (a dangling link, a folder named .png, a file without read permission)',
    arrange: async (zoo) => {
      const input = await tempDir();
      await symlink(join(input, 'gone.png'), join(input, 'photo.png'));
      await mkdir(join(input, 'album.png'));
      if (canLockFiles) {
        await writeFile(join(input, 'locked.png'), await readFile(zoo.photos[0]));
        await chmod(join(input, 'locked.png'), 0o000);
      }
      const out = join(await tempDir(), 'out');
      return { args: restore(zoo, input, out), out, report: join(out, 'report.json') };
    },
    expected: {
      code: 1,
      message: `images failed (listed in report.json): album.png, ${canLockFiles ? 'locked.png, ' : ''}photo.png`,
      written: ['report.json'],
      failed: {
        'album.png': 'cannot be read: it is a folder',
        'photo.png': 'cannot be read: it is missing, or a link to a missing file',
        ...(canLockFiles ? { 'locked.png': 'cannot be read: permission denied' } : {}),
      },
    },
  },
  {
    name: 'restore: a text file named .png',
    arrange: async (zoo) => {
      const input = await folderWith({ 'notes.png': 'not an image' });
      const out = join(await tempDir(), 'out');
      return { args: restore(zoo, input, out), out, report: join(out, 'report.json') };
    },
    expected: {
      code: 1,
      message: 'notes.png: failed, not a readable image (Input buffer contains unsupported image format)',
      written: ['report.json'],
      failed: { 'notes.png': 'not a readable image (Input buffer contains unsupported image format)' },
    },
  },
  {
    name: 'restore: a truncated PNG and a truncated JPEG beside a good photo',
    arrange: async (zoo) => {
      const png = await readFile(zoo.photos[0]);
      const jpeg = await sharp(png).jpeg().toBuffer();
      const input = await folderWith({ 'good.png': png, 'cut-png.png': halfOf(png), 'cut-jpeg.jpg': halfOf(jpeg) });
      const out = join(await tempDir(), 'out');
      return { args: restore(zoo, input, out), out, report: join(out, 'report.json') };
    },
    expected: {
      code: 1,
      message: '2 of 3 images failed (listed in report.json; the others are written): cut-jpeg.jpg, cut-png.png',
      written: ['good.png', 'report.json'],
      failed: { 'cut-png.png': 'not a readable image (vipspng: libpng read error)', 'cut-jpeg.jpg': 'not a readable image (VipsJpeg: premature end of JPEG image)' },
    },
  },
  {
    name: 'restore: mixed good and bad files: the good ones written, the bad ones listed, exit code 1',
    arrange: async (zoo) => {
      const input = await folderWith({ 'a.png': zoo.photos[0], 'b.png': zoo.photos[1], 'c.png': zoo.photos[2], 'broken.png': 'not an image' });
      await symlink(join(input, 'gone.png'), join(input, 'link.png'));
      const out = join(await tempDir(), 'out');
      return {
        args: restore(zoo, input, out),
        out,
        report: join(out, 'report.json'),
        check: async () => {
          // Every image of the folder is in the report, in name order; each good one with its PNG, of its size.
          const report = await readJson(join(out, 'report.json'));
          expect(report.map((e) => e.image)).toEqual(['a.png', 'b.png', 'broken.png', 'c.png', 'link.png']);
          for (const name of ['a.png', 'b.png', 'c.png']) {
            const entry = report.find((e) => e.image === name)!;
            expect(entry.output).toBe(join(out, name));
            const size = async (path: string) => sharp(path).metadata().then(({ width, height }) => ({ width, height }));
            expect(await size(entry.output!)).toEqual(await size(join(input, name)));
          }
        },
      };
    },
    expected: {
      code: 1,
      message: '2 of 5 images failed (listed in report.json; the others are written): broken.png, link.png',
      written: ['a.png', 'b.png', 'c.png', 'report.json'],
      failed: { 'broken.png': 'not a readable image (Input buffer contains unsupported image format)', 'link.png': 'cannot be read: it is missing, or a link to a missing file' },
    },
  },
  {
    name: 'restore: two photos that would write the same PNG (photo.jpg, photo.png)',
    arrange: async (zoo) => {
      const jpeg = await sharp(await readFile(zoo.photos[1])).jpeg({ quality: 95 }).toBuffer();
      const input = await folderWith({ 'photo.png': zoo.photos[0], 'photo.jpg': jpeg });
      const out = join(await tempDir(), 'out');
      return { args: restore(zoo, input, out), out, report: join(out, 'report.json') };
    },
    expected: {
      code: 1,
      message: 'photo.png: failed, its output photo.png is also that of photo.jpg: rename one of them',
      written: ['photo.png', 'report.json'],
      failed: { 'photo.png': 'its output photo.png is also that of photo.jpg: rename one of them' },
    },
  },
  {
    name: 'restore: --out is the --in folder (refused, the photos untouched)',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      return {
        args: restore(zoo, input, join(input, '.')),
        out: input,
        check: async () => expect(Buffer.compare(await readFile(join(input, 'photo.png')), await readFile(zoo.photos[0]))).toBe(0),
      };
    },
    expected: { code: 1, message: 'the restored PNGs would overwrite the photos. Choose another folder.', written: ['photo.png'] },
  },
  {
    name: 'restore: --out is a file (refused, the file untouched)',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const dir = await tempDir();
      const file = join(dir, 'not-a-folder');
      await writeFile(file, 'x');
      return { args: restore(zoo, input, file), out: dir, check: async () => expect(await readFile(file, 'utf8')).toBe('x') };
    },
    expected: { code: 1, message: /^grids: --out \S+\/not-a-folder is a file, not a folder\. Choose a folder \(a missing one is created\)\.$/m, written: ['not-a-folder'] },
  },
  {
    name: 'restore: the manifest does not exist',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const out = join(await tempDir(), 'out');
      return { args: [...restore(zoo, input, out), '--manifest', join(input, 'manifest.json')], out };
    },
    expected: { code: 1, message: /^grids: the model manifest \S+\/manifest\.json does not exist: build the models with `grids zoo --out <folder>`, or name their manifest with --manifest$/m, written: null },
  },
  {
    name: 'restore: the manifest is not JSON',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const manifest = await zooCopy(zoo, (dir) => writeFile(join(dir, 'manifest.json'), '<html>Not Found</html>'));
      const out = join(await tempDir(), 'out');
      return { args: [...restore(zoo, input, out), '--manifest', manifest], out };
    },
    expected: { code: 1, message: /^grids: the model manifest \S+ is not JSON \(.+\): rebuild the models \(`grids zoo`\) or download them again$/m, written: null },
  },
  {
    name: 'restore: the manifest is of another schema version',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const manifest = await zooCopy(zoo, async (dir) => {
        const json = await readJson<Record<string, unknown>>(join(dir, 'manifest.json'));
        await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...json, version: 2 }));
      });
      const out = join(await tempDir(), 'out');
      return { args: [...restore(zoo, input, out), '--manifest', manifest], out };
    },
    expected: { code: 1, message: 'manifest.version: the models were built for manifest version 2, and this version of GRIDS reads version 1: update GRIDS to use them', written: null },
  },
  {
    name: 'restore: a model file the manifest names is missing',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const manifest = await zooCopy(zoo, (dir) => rm(join(dir, groupModel(zoo))));
      const out = join(await tempDir(), 'out');
      return {
        args: [...restore(zoo, input, out), '--manifest', manifest],
        out,
        check: async (result) => expect(result.stderr).toContain(`model (${groupModel(zoo)}) is missing from `),
      };
    },
    expected: { code: 1, message: /^grids: The group .+ model \(\S+\.onnx\) is missing from \S+: the manifest names it\. Rebuild the models \(`grids zoo`\) or download them again\.$/m, written: null },
  },
  {
    name: 'select: a corrupt model (one flipped byte in the router)',
    arrange: async (zoo) => {
      const router = zoo.manifest.router!.file;
      const manifest = await zooCopy(zoo, async (dir) => {
        const bytes = await readFile(join(dir, router));
        bytes[bytes.length - 1] ^= 0xff;
        await writeFile(join(dir, router), bytes);
      });
      const out = await tempDir();
      return { args: ['select', '--manifest', manifest, '--report', join(out, 'selection.json'), zoo.photos[0]], out };
    },
    expected: { code: 1, message: /^grids: The degradation router model \(router\.onnx\) is damaged: its SHA-256 does not match the manifest's\. Reinstall or rebuild the models\.$/m, written: [] },
  },
  {
    name: 'restore --group: a truncated model (the group model cut to 100 bytes)',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const manifest = await zooCopy(zoo, async (dir) => writeFile(join(dir, groupModel(zoo)), (await readFile(join(dir, groupModel(zoo)))).subarray(0, 100)));
      const out = join(await tempDir(), 'out');
      return {
        args: [...restore(zoo, input, out, '--group', zoo.manifest.groups[0].id), '--manifest', manifest],
        out,
        check: async (result) => expect(result.stderr).toContain(`(${groupModel(zoo)}) has 100 bytes but the manifest says ${zoo.manifest.integrity[groupModel(zoo)].sizeBytes}: it is incomplete`),
      };
    },
    expected: { code: 1, message: /model \(\S+\) has 100 bytes but the manifest says \d+: it is incomplete or from another build of the models\. Reinstall or rebuild the models\./, written: null },
  },
  {
    name: 'restore: an unknown --group',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const out = join(await tempDir(), 'out');
      return { args: restore(zoo, input, out, '--group', 'G9'), out };
    },
    expected: { code: 1, message: /^grids: unknown group "G9"; the manifest has: (\S+, )+baseline$/m, written: null },
  },
  {
    name: 'restore: a bad --tile',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const out = join(await tempDir(), 'out');
      return { args: restore(zoo, input, out, '--tile', '4'), out };
    },
    expected: { code: 1, message: 'argument \'4\' is invalid. --tile must be an integer ≥ 16, got "4"', written: null },
  },
  {
    name: 'restore: an unknown --rule',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const out = join(await tempDir(), 'out');
      return { args: restore(zoo, input, out, '--rule', 'magic'), out };
    },
    expected: { code: 1, message: '--rule must be one of router, kl, got "magic"', written: null },
  },
  {
    name: 'select: an unreadable image among good ones (listed with its error, the others selected)',
    arrange: async (zoo) => {
      const out = await tempDir();
      const gone = join(out, 'gone.png');
      return { args: ['select', '--manifest', manifestOf(zoo), '--report', join(out, 'selection.json'), zoo.photos[0], gone, zoo.photos[1]], out, report: join(out, 'selection.json') };
    },
    expected: { code: 1, message: /gone\.png: skipped, cannot be read: it is missing, or a link to a missing file$/m, written: ['selection.json'], failed: { 'gone.png': 'cannot be read: it is missing, or a link to a missing file' } },
  },
  {
    name: 'select: a --report file that is not a report (refused, the file untouched)',
    arrange: async (zoo) => {
      const out = await tempDir();
      const notes = join(out, 'notes.json');
      await writeFile(notes, '{"mine": true}');
      return { args: ['select', '--manifest', manifestOf(zoo), '--report', notes, zoo.photos[0]], out, check: async () => expect(await readFile(notes, 'utf8')).toBe('{"mine": true}') };
    },
    expected: { code: 1, message: /^grids: \S+\/notes\.json exists and is not a grids report; choose another file, or delete it$/m, written: ['notes.json'] },
  },
  {
    name: 'restore: a damaged report.json in --out is started over',
    arrange: async (zoo) => {
      const input = await folderWith({ 'photo.png': zoo.photos[0] });
      const out = await folderWith({ 'report.json': '[{"image": "photo.png", "inp' });
      return { args: restore(zoo, input, out), out, check: async () => expect((await readJson(join(out, 'report.json'))).map((e) => e.image)).toEqual(['photo.png']) };
    },
    expected: { code: 0, message: /report\.json is not a grids report: starting over$/m, absent: 'already restored', written: ['photo.png', 'report.json'] },
  },
  {
    name: 'restore: kill -9 in the middle of a folder, then a rerun finishes the rest without redoing or losing finished files',
    arrange: async (zoo) => {
      const input = await makeImageFolder(8, 192, 70);
      const out = join(await tempDir(), 'out');
      const reference = join(await tempDir(), 'reference');
      // Tiles of 32 px through a group model: a few hundred ms an image, so the kill lands mid-folder.
      const args = (to: string) => restore(zoo, input, to, '--group', zoo.manifest.groups[0].id, '--tile', '32');
      let finished: Entry[] = [];
      const before: Record<string, Awaited<ReturnType<typeof fingerprint>>> = {};
      return {
        args: args(out),
        out,
        report: join(out, 'report.json'),
        run: async () => {
          const uninterrupted = await runCli(args(reference));
          expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
          const killed = await killedWhen(args(out), listsAnImage(join(out, 'report.json')));
          expect(killed.signal).toBe('SIGKILL');
          finished = await readJson(join(out, 'report.json'));
          expect(finished.length).toBeGreaterThan(0);
          expect(finished.length).toBeLessThan(8);
          for (const entry of finished) before[entry.image] = await fingerprint(join(out, entry.image));
          return runCli(args(out));
        },
        check: async (result) => {
          // The images finished before the kill are kept: said so, same inode, mtime and bytes.
          expect(keptIn(result.stderr, 'restored')).toEqual(finished.map((e) => e.image).sort());
          for (const entry of finished) expect(await fingerprint(join(out, entry.image)), entry.image).toEqual(before[entry.image]);
          // The result is the uninterrupted run's: the same PNGs byte for byte, the same report but for the folder.
          const names = (await readdir(input)).sort();
          for (const name of names) expect(Buffer.compare(await readFile(join(out, name)), await readFile(join(reference, name))), name).toBe(0);
          const withoutOutput = (entries: Entry[]) => entries.map(({ output: _output, ...rest }) => rest);
          expect(withoutOutput(await readJson(join(out, 'report.json')))).toEqual(withoutOutput(await readJson(join(reference, 'report.json'))));
          expect((await readJson(join(out, 'report.json'))).map((e) => e.image)).toEqual(names);
        },
      };
    },
    expected: {
      code: 0,
      message: 'already restored, kept',
      written: ['report.json', ...Array.from({ length: 8 }, (_, i) => `scene-${i}.png`)],
    },
  },
  {
    name: 'select --report: kill -9 in the middle, then a rerun keeps the finished entries and selects the rest',
    arrange: async (zoo) => {
      const photos = await makeImageFolder(12, 192, 90);
      const images = (await readdir(photos)).sort().map((name) => join(photos, name));
      const out = await tempDir();
      const reference = join(await tempDir(), 'reference.json');
      const args = (report: string) => ['select', '--manifest', manifestOf(zoo), '--report', report, ...images];
      let finished: Entry[] = [];
      let uninterrupted: CliResult;
      return {
        args: args(join(out, 'selection.json')),
        out,
        report: join(out, 'selection.json'),
        run: async () => {
          uninterrupted = await runCli(args(reference));
          expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
          const killed = await killedWhen(args(join(out, 'selection.json')), listsAnImage(join(out, 'selection.json')));
          expect(killed.signal).toBe('SIGKILL');
          finished = await readJson(join(out, 'selection.json'));
          expect(finished.length).toBeGreaterThan(0);
          expect(finished.length).toBeLessThan(images.length);
          return runCli(args(join(out, 'selection.json')));
        },
        check: async (result) => {
          // Finished entries kept as they were (not analysed again); the rest selected; the same file and stdout as without the kill.
          expect(keptIn(result.stderr, 'selected')).toEqual(finished.map((e) => basename(e.image)).sort());
          const report = await readJson(join(out, 'selection.json'));
          for (const entry of finished) expect(report.find((e) => e.image === entry.image)).toEqual(entry);
          expect(await readFile(join(out, 'selection.json'), 'utf8')).toBe(await readFile(reference, 'utf8'));
          expect(JSON.parse(result.stdout)).toEqual(JSON.parse(uninterrupted.stdout));
          expect(report.map((e) => e.image)).toEqual(images);
        },
      };
    },
    expected: { code: 0, message: 'already selected, kept', written: ['selection.json'] },
  },
  {
    name: 'restore: a rerun with other settings (--group baseline after a group) redoes every image; the same settings again keep them',
    arrange: async (zoo) => {
      const input = await folderWith({ 'a.png': zoo.photos[0], 'b.png': zoo.photos[1] });
      const out = join(await tempDir(), 'out');
      let first: Record<string, Awaited<ReturnType<typeof fingerprint>>> = {};
      return {
        args: restore(zoo, input, out, '--group', 'baseline'),
        out,
        run: async () => {
          const byGroup = await runCli(restore(zoo, input, out, '--group', zoo.manifest.groups[0].id));
          expect(byGroup.code, byGroup.stderr).toBe(0);
          first = { a: await fingerprint(join(out, 'a.png')), b: await fingerprint(join(out, 'b.png')) };
          return runCli(restore(zoo, input, out, '--group', 'baseline'));
        },
        check: async () => {
          const report = await readJson(join(out, 'report.json'));
          expect(report.map((e) => [e.image, e.used, e.settings?.group])).toEqual([['a.png', 'baseline', 'baseline'], ['b.png', 'baseline', 'baseline']]);
          // Rewritten (a new file renamed into place), not kept.
          expect((await fingerprint(join(out, 'a.png'))).ino).not.toBe(first.a.ino);
          expect((await fingerprint(join(out, 'b.png'))).ino).not.toBe(first.b.ino);
          const again = await runCli(restore(zoo, input, out, '--group', 'baseline'));
          expect(keptIn(again.stderr, 'restored')).toEqual(['a.png', 'b.png']);
        },
      };
    },
    expected: { code: 0, message: /^restore 2\/2 /m, absent: 'already restored', written: ['a.png', 'b.png', 'report.json'] },
  },
  {
    name: 'restore: a rerun redoes a photo whose bytes changed under the same name, and keeps the others',
    arrange: async (zoo) => {
      const input = await folderWith({ 'a.png': zoo.photos[0], 'b.png': zoo.photos[1] });
      const out = join(await tempDir(), 'out');
      return {
        args: restore(zoo, input, out),
        out,
        run: async () => {
          const first = await runCli(restore(zoo, input, out));
          expect(first.code, first.stderr).toBe(0);
          await writeFile(join(input, 'b.png'), await readFile(zoo.photos[2]));
          return runCli(restore(zoo, input, out));
        },
        check: async (result) => {
          expect(keptIn(result.stderr, 'restored')).toEqual(['a.png']);
          const report = await readJson<(Entry & { inputSha256: string })[]>(join(out, 'report.json'));
          expect(report[1].inputSha256).toBe(createHash('sha256').update(await readFile(zoo.photos[2])).digest('hex'));
        },
      };
    },
    expected: { code: 0, message: 'a.png: already restored, kept', written: ['a.png', 'b.png', 'report.json'] },
  },
];
