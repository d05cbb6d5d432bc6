/**
 * Damage the project never trains on: the validation photos damaged by implementations outside the
 * project's code (ImageMagick, libjpeg's cjpeg/djpeg, libwebp, ffmpeg, Pillow and numpy; the kinds
 * and their commands are in scripts/foreign-kinds.ts), each kind labelled with the project class it
 * imitates or none, then restored through the public CLI as the shared routing protocol does
 * (`grids restore` automatic, `--group baseline`, `--group <group>`; report.json's `chosen`, `used`,
 * `ood`). Measures, per kind, on each photo's 256 px centre crop and on the whole photo (downscaled
 * with sharp so that its longer side is at most 1024 px BEFORE it is damaged; PSNR over the whole
 * photo): routing (the chosen group holds the imitated class), the PSNR gain over the damaged input
 * of the automatic choice, the mix baseline, the best single group (crops only) and the group of
 * the imitated class, the share left worse than the input (the protocol's rule: lower PSNR than
 * the input), flagged OOD and left alone (`used: "none"`); and, as controls, the clean photos as
 * they are and saved as JPEG q90 by libjpeg (automatic choice only).
 *
 * The crops go through every group; the whole photos only through the automatic choice, the
 * baseline and the group holding the imitated class (none for a kind that imitates none), so the
 * record's whole-photo rows say `measured: "own-group"` and have no best group. The automatic
 * restore runs no model on an image it leaves alone (`used: "none"`): `grids restore` writes the
 * input's pixels as they are.
 *
 *   npm run study:foreign [-- out.json]     (default campaign/foreign-study/foreign.json)
 *   LIMIT=1 npm run study:foreign -- /tmp/foreign.json     (a quick check on the first photo)
 *   env: PHOTOS (default ../shared/data/photos/val), WORK (default <tmpdir>/grids-foreign-study), LIMIT,
 *        SCOPES (default crop,whole), GRIDS_RULE
 *
 * Time on 2 cores: about 6.5 min per photo (2.5 min for its 15 crops through the 12 models; about
 * 4 min for its whole photo through the automatic choice, the baseline and the group of each imitated
 * class, where all 12 models took 11 min), so about 1.2 h for the 11 validation photos.
 *
 * Needs: apt-get install -y imagemagick webp libjpeg-turbo-progs netpbm ffmpeg python3-pil python3-numpy.
 * The damaged images stay in WORK (outside the repository). A rerun reuses them and, through
 * `grids restore`'s own resumable report, every restore already done with the same bytes and manifest:
 * only new photos, changed commands or a new manifest cost time. Delete WORK to start over.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { atomicWrite, readImage } from '../src/cli/io/images';
import { FOREIGN_VERSION, foreignLines, foreignSummaries, WORSE_BELOW_DB, type ForeignControlRow, type ForeignMeasured, type ForeignRow, type ForeignScope, type ForeignStudy } from '../src/cli/report/foreign-md';
import { degradationName } from '../src/cli/report/markdown';
import { createRng } from '../src/core/random';
import { psnr } from '../src/core/metrics';
import { CONTROLS, expand, findTools, KINDS } from './foreign-kinds';

const CROP = 256;
const WHOLE_MAX_SIDE = 1024;
const outPath = resolve(process.argv[2] ?? 'campaign/foreign-study/foreign.json');
const photosDir = resolve(process.env.PHOTOS ?? '../shared/data/photos/val');
const work = resolve(process.env.WORK ?? join(tmpdir(), 'grids-foreign-study'));
const limit = process.env.LIMIT ? Number(process.env.LIMIT) : null;
const manifestPath = 'public/models/manifest.json';
const log = (line: string) => process.stderr.write(`${line}\n`);

// 1. The tools, before anything is written.
const { found, missing } = findTools([...KINDS, ...CONTROLS].flatMap((k) => k.needs));
if (missing.length) {
  const packages = [...new Set(missing.flatMap((m) => m.package.split(' ')))];
  console.error(`study:foreign needs tools that are not installed: ${missing.map((m) => `${m.tool} (apt package ${m.package})`).join(', ')}.\nInstall them with: apt-get install -y ${packages.join(' ')}`);
  process.exit(1);
}
const bins = { magick: found.magick!.bin, py: found.py!.bin };

const manifestText = readFileSync(manifestPath, 'utf8');
const manifest = JSON.parse(manifestText);
const groups: { id: string; members: string[] }[] = manifest.groups.map((g: { id: string; members: string[] }) => ({ id: g.id, members: g.members }));
const allPhotos = readdirSync(photosDir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort();
const photos = allPhotos.slice(0, limit ?? undefined);
if (!photos.length) throw new Error(`no photos in ${photosDir}`);
const stemOf = (f: string) => f.replace(/\.\w+$/, '');

// 2. Clean images and their damaged copies, in WORK; a file is remade only when its command changed.
const SCOPES = (process.env.SCOPES ?? 'crop,whole').split(',') as ForeignScope[];
if (!SCOPES.length || SCOPES.some((s) => s !== 'crop' && s !== 'whole')) throw new Error(`SCOPES is a comma-separated list of crop and whole, got "${process.env.SCOPES}"`);
const dir = (name: string) => { const d = join(work, name); mkdirSync(d, { recursive: true }); return d; };
const madePath = join(work, 'made.json');
const made: Record<string, string> = existsSync(madePath) ? JSON.parse(readFileSync(madePath, 'utf8')) : {};

function run(command: string, out: string): void {
  if (made[out] === command && existsSync(out)) return;
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`failed (${r.status}): ${command}\n${r.stderr}`);
  made[out] = command;
}

async function writeClean(file: string, scope: ForeignScope, to: string): Promise<{ w: number; h: number }> {
  const { data, info } = await sharp(join(photosDir, file)).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  let s = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
  if (scope === 'crop') {
    const w = Math.min(CROP, info.width), h = Math.min(CROP, info.height);
    s = s.extract({ left: (info.width - w) >> 1, top: (info.height - h) >> 1, width: w, height: h });
  } else s = s.resize({ width: WHOLE_MAX_SIDE, height: WHOLE_MAX_SIDE, fit: 'inside', withoutEnlargement: true });
  const out = await s.png().toBuffer({ resolveWithObject: true });
  if (!existsSync(to)) writeFileSync(to, out.data);
  return { w: out.info.width, h: out.info.height };
}

const paramsOf = new Map<string, Record<string, number | string>>();
const commandOf = new Map<string, string>();
const expected = new Set<string>();
for (const f of allPhotos) for (const k of KINDS) expected.add(`${stemOf(f)}__${k.id}.png`);
for (const f of allPhotos) for (const c of CONTROLS) expected.add(`${stemOf(f)}__${c.id}.${c.ext}`);
for (const [k, f] of photos.entries()) {
  const stem = stemOf(f);
  for (const scope of SCOPES) {
    const clean = join(dir(`clean-${scope}`), `${stem}.png`);
    const { w, h } = await writeClean(f, scope, clean);
    for (const [j, kind] of KINDS.entries()) {
      const seed = 20_000 + 100 * j + k;
      const params = kind.draw(createRng(seed));
      const name = `${stem}__${kind.id}`;
      const out = join(dir(`in-${scope}`), `${name}.png`);
      const command = expand(kind.command, { ...bins, ...params, ...kind.sized?.(params, w, h), in: clean, out, tmp: join(dir('tmp'), `${name}-${scope}`), w, h, seed });
      run(command, out);
      const got = await sharp(out).metadata();
      if (got.width !== w || got.height !== h) throw new Error(`${out} is ${got.width}×${got.height}, not ${w}×${h}: ${command}`);
      paramsOf.set(name, params);
      commandOf.set(`${scope}/${name}`, command);
    }
    for (const c of CONTROLS) {
      const out = join(dir(`control-${scope}`), `${stem}__${c.id}.${c.ext}`);
      run(expand(c.command, { in: clean, out }), out);
    }
  }
  writeFileSync(madePath, JSON.stringify(made, null, 1));
  log(`damaged: ${stem} (${k + 1}/${photos.length})`);
}
// Files of kinds no longer in the list would be restored for nothing: remove them.
for (const scope of SCOPES) for (const folder of [`in-${scope}`, `control-${scope}`]) {
  for (const f of readdirSync(dir(folder))) if (!expected.has(f)) rmSync(join(work, folder, f));
}

// 3. The CLI, as the routing protocol calls it.
function restore(inDir: string, tag: string, group?: string): string {
  const out = join(work, 'out', tag);
  const t0 = Date.now();
  const r = spawnSync('node', ['bin/grids.mjs', 'restore', '--in', inDir, '--out', out, ...(group ? ['--group', group] : [])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`grids restore --in ${inDir}${group ? ` --group ${group}` : ''} failed (${r.status}):\n${r.stderr.split('\n').slice(-12).join('\n')}`);
  log(`restored ${tag} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return out;
}
type Entry = { image: string; chosen: string; used: string; ood: boolean; rule: string; automaticReason?: string };
const report = (out: string): Record<string, Entry> => Object.fromEntries(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).map((e: Entry) => [stemOf(e.image.replace(/^.*\//, '')), e]));
const finite = (x: number) => (Number.isFinite(x) ? x : null);

const ownGroupOf = (kind: (typeof KINDS)[number]) => (kind.imitates ? groups.find((g) => g.members.includes(kind.imitates!))!.id : null);
/**
 * Which groups restore a scope's images: every group for the crops (their best group is measured);
 * for the whole photos, which cost about 4/5 of the time, only the group holding the imitated class.
 */
const MEASURED: Record<ForeignScope, ForeignMeasured> = { crop: 'all-groups', whole: 'own-group' };

/**
 * The images a group restores in a scope: all of them, or (own-group) those of the kinds it imitates,
 * as links in a folder of their own, so that `grids restore --group` sees only them. The output folder
 * stays `out/<scope>-<group>`, so that restores an earlier run did there are kept.
 */
function groupInput(scope: ForeignScope, inDir: string, group: string): string | null {
  if (MEASURED[scope] === 'all-groups') return inDir;
  const kinds = KINDS.filter((k) => ownGroupOf(k) === group);
  if (!kinds.length) return null;
  const linked = join(work, `in-${scope}-by-group`, group);
  rmSync(linked, { recursive: true, force: true });
  mkdirSync(linked, { recursive: true });
  for (const f of photos) for (const k of kinds) symlinkSync(join(inDir, `${stemOf(f)}__${k.id}.png`), join(linked, `${stemOf(f)}__${k.id}.png`));
  return linked;
}

const rows: ForeignRow[] = [];
const controlRows: ForeignControlRow[] = [];
let rule = 'unknown';
for (const scope of SCOPES) {
  const inDir = join(work, `in-${scope}`);
  // Without --group, `grids restore` runs no model on an image it leaves alone (used: "none"): it writes the input's pixels.
  const autoOut = restore(inDir, `${scope}-auto`);
  const byModel: Record<string, string> = { baseline: restore(inDir, `${scope}-baseline`, 'baseline') };
  for (const g of groups) {
    const groupIn = groupInput(scope, inDir, g.id);
    if (groupIn) byModel[g.id] = restore(groupIn, `${scope}-${g.id}`, g.id);
  }
  const auto = report(autoOut);
  for (const f of photos) {
    const stem = stemOf(f);
    const clean = await readImage(join(work, `clean-${scope}`, `${stem}.png`));
    const at = async (folder: string, name: string) => psnr(clean, await readImage(join(folder, `${name}.png`)));
    for (const kind of KINDS) {
      const name = `${stem}__${kind.id}`;
      const e = auto[name];
      rule = e.rule ?? rule;
      const own = ownGroupOf(kind);
      const groupPsnr: Record<string, number> = {};
      for (const g of groups) if (MEASURED[scope] === 'all-groups' || g.id === own) groupPsnr[g.id] = await at(byModel[g.id], name);
      const input = await at(inDir, name);
      rows.push({
        photo: stem, kind: kind.id, scope, params: paramsOf.get(name)!, command: commandOf.get(`${scope}/${name}`)!.replaceAll(`${work}/`, ''),
        input, auto: await at(autoOut, name), baseline: await at(byModel.baseline, name), groups: groupPsnr, measured: MEASURED[scope],
        chosen: e.chosen, used: e.used, reason: e.automaticReason, ood: !!e.ood, ownGroup: own, routedRight: kind.imitates ? groups.find((g) => g.id === e.chosen)?.members.includes(kind.imitates) ?? false : null,
      });
    }
  }
  const controlDir = join(work, `control-${scope}`);
  const controlOut = restore(controlDir, `${scope}-controls`);
  const controls = report(controlOut);
  for (const f of photos) for (const c of CONTROLS) {
    const stem = stemOf(f), name = `${stem}__${c.id}`, e = controls[name];
    const clean = await readImage(join(work, `clean-${scope}`, `${stem}.png`));
    controlRows.push({
      photo: stem, kind: c.id, scope, chosen: e.chosen, used: e.used, reason: e.automaticReason, ood: !!e.ood,
      input: finite(psnr(clean, await readImage(join(controlDir, `${name}.${c.ext}`)))), auto: finite(psnr(clean, await readImage(join(controlOut, `${name}.png`)))),
    });
  }
}

// 4. The record and the table.
const study: ForeignStudy = {
  version: FOREIGN_VERSION,
  createdAt: new Date().toISOString(),
  photos: { dir: photosDir, count: photos.length, total: allPhotos.length, limit },
  crop: CROP, wholeMaxSide: WHOLE_MAX_SIDE, worseBelowDb: WORSE_BELOW_DB,
  manifest: { path: manifestPath, createdAt: manifest.createdAt, sha256: createHash('sha256').update(manifestText).digest('hex') },
  rule,
  tools: found as ForeignStudy['tools'],
  kinds: KINDS.map(({ id, tool, imitates, why, command, params }) => ({ id, tool, imitates, why, command, params })),
  controls: CONTROLS.map(({ id, tool, command }) => ({ id, tool, command })),
  rows, controlRows,
};
study.summary = foreignSummaries(study);
mkdirSync(dirname(outPath), { recursive: true });
await atomicWrite(outPath, JSON.stringify(study, null, 1));
console.log(foreignLines(study, degradationName).join('\n'));
log(`written ${outPath}; the damaged images stay in ${work}`);
