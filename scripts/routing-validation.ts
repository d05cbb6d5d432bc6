// Runs the shared routing protocol (../shared/tools/routing-protocol.ts) on a folder of photos under both routing
// rules, and adds what the protocol does not measure: the router's own OOD score (P(OOD) from `grids select`),
// scored on the same kinds of crops. The result feeds docs/RESULTS.md §8 (npm run docs:results).
//
//   node --import ./bin/register.mjs scripts/routing-validation.ts <photos> <protocol.ts> <out.json>
//
// OOD crops: each photo's 256 px centre crop under each out-of-distribution kind of
// src/core/degradations/out-of-distribution.ts (seed 7000 + photo), and clean.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { degrade, DEGRADATION_IDS } from '../src/core/degradations/index';
import { applyOodDegradation, OOD_DEGRADATION_IDS } from '../src/core/degradations/out-of-distribution';
import { auroc } from '../src/core/calibration-stats';
import { cropImage, quantize8 } from '../src/core/image';
import { readImage, writePng } from '../src/cli/io/images';

const [photosArg, protocolArg, outArg] = process.argv.slice(2);
if (!photosArg || !protocolArg || !outArg) throw new Error('usage: routing-validation.ts <photos> <routing-protocol.ts> <out.json>');
const photos = resolve(photosArg);
const work = `/tmp/routing-validation-${process.pid}`;
const oodDir = join(work, 'ood');
const inDir = join(work, 'in');
for (const d of [oodDir, inDir]) mkdirSync(d, { recursive: true });

const names = readdirSync(photos).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort();
for (const [k, f] of names.entries()) {
  const image = await readImage(join(photos, f));
  const s = Math.min(256, image.width, image.height);
  // The protocol's crop: 256² at the centre, 8-bit.
  const crop = quantize8(cropImage(image, (image.width - s) >> 1, (image.height - s) >> 1, s, s));
  const stem = f.replace(/\.\w+$/, '');
  mkdirSync(join(oodDir, 'clean'), { recursive: true });
  await writePng(join(oodDir, 'clean', `${stem}.png`), crop);
  for (const kind of OOD_DEGRADATION_IDS) {
    mkdirSync(join(oodDir, kind), { recursive: true });
    await writePng(join(oodDir, kind, `${stem}.png`), applyOodDegradation(crop, kind, 7000 + k).image);
  }
  // The protocol's degraded crops (same seeds), for the router's OOD score on in-distribution crops.
  for (const [i, id] of DEGRADATION_IDS.entries()) await writePng(join(inDir, `${stem}__${id}.png`), degrade(crop, id, 1000 + k * 11 + i).image);
}

// A crop the analysis refuses (e.g. over-exposure that clips a bright crop to white: "the image looks flat")
// would stop the protocol, whose `grids select` call fails as a whole; such crops are left out and counted.
const refused: string[] = [];
for (const kind of readdirSync(oodDir)) {
  const files = readdirSync(join(oodDir, kind)).map((f) => join(oodDir, kind, f));
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, ['bin/grids.mjs', 'select', ...files], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch (error) {
    stdout = String((error as { stdout?: Buffer }).stdout ?? '[]');
  }
  for (const r of JSON.parse(stdout) as { image: string; error?: string }[]) {
    if (r.error) {
      refused.push(`${kind}/${r.image.replace(/^.*\//, '')}: ${r.error}`);
      rmSync(r.image);
    }
  }
}

const protocolCopy = resolve('scripts/.routing-protocol.ts');
copyFileSync(resolve(protocolArg), protocolCopy);
const protocol: Record<string, unknown> = {};
for (const rule of ['router', 'kl']) {
  const out = join(work, `protocol-${rule}.json`);
  process.stderr.write(`routing protocol, rule ${rule}…\n`);
  execFileSync(process.execPath, ['--import', './bin/register.mjs', protocolCopy, out], { env: { ...process.env, PHOTOS: photos, OOD: oodDir, GRIDS_RULE: rule }, stdio: ['ignore', 'ignore', 'inherit'] });
  protocol[rule] = JSON.parse(readFileSync(out, 'utf8')).summary;
}

type Selected = { image: string; ood: boolean; oodScore: number; automatic: string };
const select = (files: string[]): Selected[] => JSON.parse(execFileSync(process.execPath, ['bin/grids.mjs', 'select', '--rule', 'router', ...files], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
const inDist = select(readdirSync(inDir).sort().map((f) => join(inDir, f)));
const byKind: Record<string, Selected[]> = {};
for (const kind of readdirSync(oodDir).sort()) byKind[kind] = select(readdirSync(join(oodDir, kind)).sort().map((f) => join(oodDir, kind, f)));
const oodKinds = Object.keys(byKind).filter((k) => k !== 'clean');
const positives = oodKinds.flatMap((k) => byKind[k].map((r) => r.oodScore));
const routerOod = {
  aurocVsDegraded: auroc(positives, inDist.map((r) => r.oodScore)),
  aurocVsClean: auroc(positives, byKind.clean.map((r) => r.oodScore)),
  aurocPerKind: Object.fromEntries(oodKinds.map((k) => [k, auroc(byKind[k].map((r) => r.oodScore), inDist.map((r) => r.oodScore))])),
  falseFlagsDegraded: inDist.filter((r) => r.ood).length / inDist.length,
  falseFlagsClean: byKind.clean.filter((r) => r.ood).length / byKind.clean.length,
  flagged: Object.fromEntries(oodKinds.map((k) => [k, `${byKind[k].filter((r) => r.ood).length}/${byKind[k].length}`])),
};
writeFileSync(outArg, JSON.stringify({ photos: photosArg, createdAt: new Date().toISOString(), protocol, routerOod, refused }, null, 1) + '\n');
rmSync(work, { recursive: true, force: true });
rmSync(protocolCopy, { force: true });
console.log(JSON.stringify({ routerOod }, null, 1));
