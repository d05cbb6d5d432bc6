// Runs the shared routing protocol (../shared/tools/routing-protocol.ts) on a folder of photos with the app's default
// rule (the learned router), and measures the paper's KL rule on the same crops, side by side, for docs/RESULTS.md §8:
//
//   npm run routing:validation
//   (= node --import ./bin/register.mjs scripts/routing-validation.ts <photos> <protocol.ts> <out.json> [work folder])
//
// The protocol restores every crop with every group and the baseline; the KL column reuses those PSNRs (the KL rule's
// automatic model is always one of them) and restores only what differs: the clean crops and the two-degradation
// crops, with `grids restore --rule kl`. The protocol's OOD AUROC is that of `nearestGroupDistance`, which is the score
// the `ood` flag thresholds under either rule: the KL distance to the nearest group, or the router's P(OOD).
// OOD crops: each photo's 256 px centre crop under each out-of-distribution kind of
// src/core/degradations/out-of-distribution.ts (seed 7000 + photo), and clean. A work folder given as the 4th argument
// is kept, and a protocol result already in it is reused.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { degrade, DEGRADATION_IDS, type DegradationId } from '../src/core/degradations/index';
import { applyOodDegradation, OOD_DEGRADATION_IDS } from '../src/core/degradations/out-of-distribution';
import { auroc, mean, pearson } from '../src/core/calibration-stats';
import { cropImage, quantize8, type RgbImage } from '../src/core/image';
import { psnr } from '../src/core/metrics';
import { readImage, writePng } from '../src/cli/io/images';
import type { ProtocolSummary } from '../src/cli/report/router-md';

const [photosArg, protocolArg, outArg, workArg] = process.argv.slice(2);
if (!photosArg || !protocolArg || !outArg) throw new Error('usage: routing-validation.ts <photos> <routing-protocol.ts> <out.json> [work folder]');
const photos = resolve(photosArg);
const work = resolve(workArg ?? `/tmp/routing-validation-${process.pid}`);
const dirs = { ood: join(work, 'ood'), in: join(work, 'in'), clean: join(work, 'ood', 'clean'), combo: join(work, 'combo') };
for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });

// The protocol's inputs, with its seeds: 256² centre crops, each degraded once by each of the 11, and three pairs.
const combos: [DegradationId, DegradationId][] = [['gaussian_noise', 'gaussian_blur'], ['jpeg', 'sr'], ['motion_blur', 'gaussian_noise']];
const names = readdirSync(photos).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort();
const clean: Record<string, RgbImage> = {};
for (const [k, f] of names.entries()) {
  const image = await readImage(join(photos, f));
  const s = Math.min(256, image.width, image.height);
  const crop = quantize8(cropImage(image, (image.width - s) >> 1, (image.height - s) >> 1, s, s));
  const stem = f.replace(/\.\w+$/, '');
  clean[stem] = crop;
  await writePng(join(dirs.clean, `${stem}.png`), crop);
  for (const kind of OOD_DEGRADATION_IDS) {
    mkdirSync(join(dirs.ood, kind), { recursive: true });
    await writePng(join(dirs.ood, kind, `${stem}.png`), applyOodDegradation(crop, kind, 7000 + k).image);
  }
  for (const [i, id] of DEGRADATION_IDS.entries()) await writePng(join(dirs.in, `${stem}__${id}.png`), degrade(crop, id, 1000 + k * 11 + i).image);
  for (const [j, [d1, d2]] of combos.entries()) {
    await writePng(join(dirs.combo, `${stem}__${d1}+${d2}.png`), quantize8(degrade(quantize8(degrade(crop, d2, 5000 + k * 7 + j).image), d1, 6000 + k * 7 + j).image));
  }
}

const cli = (args: string[], rule: 'router' | 'kl'): string => {
  try {
    return execFileSync(process.execPath, ['bin/grids.mjs', ...args], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GRIDS_RULE: rule } }).toString();
  } catch (error) {
    // `select` exits 1 when some file was refused, after printing every result.
    const stdout = (error as { stdout?: Buffer }).stdout;
    if (stdout?.length) return stdout.toString();
    throw error;
  }
};
type Selected = { image: string; error?: string; ood: boolean; nearestGroupDistance: number; chosen: string; automatic: string; automaticPredictedGain: number | null };
const select = (files: string[], rule: 'router' | 'kl'): Selected[] => (files.length ? JSON.parse(cli(['select', ...files], rule)) : []);
const filesOf = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.png')).sort().map((f) => join(dir, f));

// A crop the analysis refuses (e.g. over-exposure that clips a bright crop to white: "the image looks flat") would
// stop the protocol, whose `grids select` call fails as a whole; such crops are left out and listed.
const refused: string[] = [];
for (const kind of readdirSync(dirs.ood)) {
  for (const r of select(filesOf(join(dirs.ood, kind)), 'router')) {
    if (!r.error) continue;
    refused.push(`${kind}/${r.image.replace(/^.*\//, '')}: ${r.error}`);
    rmSync(r.image);
  }
}

// 1. The protocol, with the default rule (the router).
const protocolOut = join(work, 'protocol-router.json');
if (!existsSync(protocolOut)) {
  const protocolCopy = resolve('scripts/.routing-protocol.ts');
  copyFileSync(resolve(protocolArg), protocolCopy);
  process.stderr.write('routing protocol, rule router…\n');
  execFileSync(process.execPath, ['--import', './bin/register.mjs', protocolCopy, protocolOut], { env: { ...process.env, PHOTOS: photos, OOD: dirs.ood, GRIDS_RULE: 'router' }, stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(protocolCopy, { force: true });
}
type Row = { name: string; degradation: string; pin: number; pbase: number; pown: number; poracle: number; psnr: Record<string, number> };
const protocolRun = JSON.parse(readFileSync(protocolOut, 'utf8')) as { summary: ProtocolSummary; rows: Row[]; ood: Record<string, { dist: number[] }> };

// 2. The KL rule on the same crops.
process.stderr.write('KL rule…\n');
const manifest = JSON.parse(readFileSync('public/models/manifest.json', 'utf8')) as { groups: { id: string; members: string[] }[] };
const stemOf = (path: string) => path.replace(/^.*\//, '').replace(/\.png$/, '');
const kl = new Map(select(filesOf(dirs.in), 'kl').map((r) => [stemOf(r.image), r]));
const rows = protocolRun.rows.map((row) => {
  const r = kl.get(row.name)!;
  return { ...row, chosen: r.chosen, auto: r.automatic, pauto: row.psnr[r.automatic], routed: manifest.groups.find((g) => g.id === r.chosen)!.members.includes(row.degradation), predicted: r.automaticPredictedGain, ood: r.ood, dist: r.nearestGroupDistance };
});
const restoreKl = (dir: string) => {
  const out = join(work, `kl-${dir.replace(/^.*\//, '')}`);
  cli(['restore', '--in', dir, '--out', out], 'kl');
  return out;
};
const readPng = async (path: string) => readImage(path);
const cleanOut = restoreKl(dirs.clean);
const cleanKept: number[] = [];
for (const stem of Object.keys(clean)) cleanKept.push(+(psnr(await readPng(join(cleanOut, `${stem}.png`)), clean[stem]) > 60));
const comboOut = restoreKl(dirs.combo);
const comboAuto: Record<string, number[]> = {};
for (const file of filesOf(dirs.combo)) {
  const stem = stemOf(file);
  const [photo, pair] = stem.split('__');
  (comboAuto[pair] ??= []).push(psnr(await readPng(join(comboOut, `${stem}.png`)), clean[photo]));
}
const oodKinds = OOD_DEGRADATION_IDS.filter((k) => existsSync(join(dirs.ood, k)));
const klOod = Object.fromEntries(['clean', ...oodKinds].map((k) => [k, select(filesOf(join(dirs.ood, k)), 'kl')]));
const klOodPositives = oodKinds.flatMap((k) => klOod[k].map((r) => r.nearestGroupDistance));
const predicted = rows.filter((x) => x.predicted !== null);
const router = protocolRun.summary;
const klSummary: ProtocolSummary = {
  crops: rows.length,
  routing: mean(rows.map((x) => +x.routed)),
  psnr: { input: mean(rows.map((x) => x.pin)), auto: mean(rows.map((x) => x.pauto)), chosen: mean(rows.map((x) => x.psnr[x.chosen])), baseline: mean(rows.map((x) => x.pbase)), ownGroup: mean(rows.map((x) => x.pown)), oracle: mean(rows.map((x) => x.poracle)) },
  autoMinusBaseline: mean(rows.map((x) => x.pauto - x.pbase)),
  regretAuto: mean(rows.map((x) => x.poracle - x.pauto)),
  worseThanInputAuto: mean(rows.map((x) => +(x.pauto < x.pin))),
  autoBaselineShare: mean(rows.map((x) => +(x.auto === 'baseline'))),
  gainPredictionR: predicted.length > 2 ? pearson(predicted.map((x) => x.predicted!), predicted.map((x) => x.pauto - x.pin)) : null,
  falseOodInDist: mean(rows.map((x) => +x.ood)),
  // The KL rule's OOD score is the distance to the nearest group, the protocol's own score, here from the KL
  // rule's analysis (the protocol's run reads the router rule's, which may use fewer descriptor patches).
  oodAurocVsDegraded: auroc(klOodPositives, rows.map((x) => x.dist)),
  oodAurocVsClean: auroc(klOodPositives, klOod.clean.map((r) => r.nearestGroupDistance)),
  oodAurocPerKind: Object.fromEntries(oodKinds.map((k) => [k, auroc(klOod[k].map((r) => r.nearestGroupDistance), rows.map((x) => x.dist))])),
  oodFlagged: Object.fromEntries(Object.entries(klOod).map(([k, v]) => [k, `${v.filter((r) => r.ood).length}/${v.length}`])),
  clean: { n: cleanKept.length, keptAsIs: mean(cleanKept), models: [] },
  combos: Object.fromEntries(Object.entries(router.combos).map(([pair, v]) => [pair, { ...v, auto: mean(comboAuto[pair]) }])),
  byDeg: Object.fromEntries(DEGRADATION_IDS.map((id) => {
    const r = rows.filter((x) => x.degradation === id);
    return [id, { n: r.length, routed: mean(r.map((x) => +x.routed)), pin: mean(r.map((x) => x.pin)), auto: mean(r.map((x) => x.pauto)), base: mean(r.map((x) => x.pbase)), own: mean(r.map((x) => x.pown)), oracle: mean(r.map((x) => x.poracle)) }];
  })),
};

// 3. The router's OOD figures are the protocol's own (its run above used the router rule), in the OOD table's order.
const flagShare = (flagged: string) => { const [n, of] = flagged.split('/').map(Number); return n / of; };
const routerOod = {
  aurocVsDegraded: router.oodAurocVsDegraded!,
  aurocVsClean: router.oodAurocVsClean!,
  aurocPerKind: Object.fromEntries(oodKinds.map((k) => [k, router.oodAurocPerKind[k]])),
  falseFlagsDegraded: router.falseOodInDist,
  falseFlagsClean: flagShare(router.oodFlagged.clean),
  flagged: Object.fromEntries(oodKinds.map((k) => [k, router.oodFlagged[k]])),
};
writeFileSync(outArg, JSON.stringify({ photos: photosArg, createdAt: new Date().toISOString(), protocol: { router, kl: klSummary }, routerOod, refused }, null, 1) + '\n');
if (!workArg) rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify({ router, kl: { ...klSummary, byDeg: undefined }, routerOod }, null, 1));
