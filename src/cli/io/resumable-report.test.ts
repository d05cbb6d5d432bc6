import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support';
import { removeStaleTemps } from './images';
import { digestOf, openResumableReport, sameSettings, type ReportEntry } from './resumable-report';

const quiet = { ifNotReport: 'refuse', warn: () => {} } as const;
const settings = { manifestSha256: 'abc', rule: 'router', tile: 256 };

describe('resumable report', () => {
  it('digests bytes: size and SHA-256', () => {
    expect(digestOf(new TextEncoder().encode('abc'))).toEqual({ inputBytes: 3, inputSha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
  });

  it('compares settings whatever the order of their keys, and nothing matches missing settings', () => {
    expect(sameSettings({ tile: 256, rule: 'router', manifestSha256: 'abc' }, settings)).toBe(true);
    expect(sameSettings({ ...settings, tile: 128 }, settings)).toBe(false);
    expect(sameSettings({ ...settings, group: 'g1' }, settings)).toBe(false);
    expect(sameSettings(undefined, settings)).toBe(false);
  });

  it('writes after each entry, in the order of the images, and a reopened report reuses only what matches', async () => {
    const path = join(await tempDir(), 'report.json');
    const a = digestOf(Buffer.from('a')), b = digestOf(Buffer.from('b'));
    const first = await openResumableReport<ReportEntry>(path, ['a.png', 'b.png', 'c.png'], quiet);
    await first.record({ image: 'b.png', ...b, settings });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual([{ image: 'b.png', ...b, settings }]);
    await first.record({ image: 'a.png', ...a, settings, error: 'not a readable image' });
    expect(JSON.parse(await readFile(path, 'utf8')).map((e: ReportEntry) => e.image)).toEqual(['a.png', 'b.png']);

    // A rerun over b.png and d.png: b.png is reusable with the same bytes and settings only; a failed a.png never is.
    const again = await openResumableReport<ReportEntry>(path, ['b.png', 'd.png'], quiet);
    expect(again.reusable('b.png', b, settings)).toEqual({ image: 'b.png', ...b, settings });
    expect(again.reusable('b.png', a, settings)).toBeUndefined();
    expect(again.reusable('b.png', b, { ...settings, rule: 'kl' })).toBeUndefined();
    expect(again.reusable('d.png', b, settings)).toBeUndefined();
    // Entries of images no longer asked for are dropped.
    expect(again.entries().map((e) => e.image)).toEqual(['b.png']);
    const failedBefore = await openResumableReport<ReportEntry>(path, ['a.png'], quiet);
    expect(failedBefore.reusable('a.png', a, settings)).toBeUndefined();
  });

  it('refuses a file that is not such a report, or starts over when told to, saying so', async () => {
    const dir = await tempDir();
    const path = join(dir, 'notes.json');
    for (const text of ['{"image": "a.png"}', '[{"name": "a.png"}]', 'not json']) {
      await writeFile(path, text);
      await expect(openResumableReport(path, ['a.png'], quiet)).rejects.toThrow(`${path} exists and is not a grids report; choose another file, or delete it`);
      const warnings: string[] = [];
      const report = await openResumableReport(path, ['a.png'], { ifNotReport: 'start-over', warn: (l) => warnings.push(l) });
      expect(report.entries()).toEqual([]);
      expect(warnings).toEqual([`${path} is not a grids report: starting over`]);
    }
    await mkdir(join(dir, 'folder.json'));
    await expect(openResumableReport(join(dir, 'folder.json'), [], quiet)).rejects.toThrow('is a folder; name a file');
  });

  it('removes the temp files of dead processes only', async () => {
    const dir = await tempDir();
    const dead = 2 ** 22 + 12345; // above the largest pid Linux allows (2^22), so no such process
    const names = ['report.json', `report.json.tmp-${dead}-1`, `a.png.tmp-${dead}-2`, `a.png.tmp-${process.pid}-3`, 'photo.tmp-x.png'];
    for (const name of names) await writeFile(join(dir, name), 'x');
    await removeStaleTemps(dir, join(dir, 'report.json'));
    expect((await readdir(dir)).sort()).toEqual(names.filter((n) => n !== `report.json.tmp-${dead}-1`).sort());
    await removeStaleTemps(dir);
    expect((await readdir(dir)).sort()).toEqual(['photo.tmp-x.png', 'report.json', `a.png.tmp-${process.pid}-3`].sort());
  });
});
