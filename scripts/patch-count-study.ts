/**
 * npm run study:patch-count — fewer descriptor patches per photo for the same answer? The photo's
 * DDR statistic is computed from N patches instead of the manifest's (the references stay as
 * published), and on held-out training crops (the router calibration's photos, never the validation
 * ones) we measure what changes: the KL rule's routing, the router rule's choice and OOD score
 * (which reads the KL distance), and the analysis time in Node.
 *
 *   npm run study:patch-count -- [--models public/models] [--counts 384,192,128,96] [--photos 24]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyseImage, routerOnPatches } from '../src/core/analysis';
import { auroc } from '../src/core/calibration-stats';
import { DEGRADATION_IDS } from '../src/core/degradations/ids';
import { applyOodDegradation, OOD_DEGRADATION_IDS } from '../src/core/degradations/out-of-distribution';
import { degrade } from '../src/core/degradations/registry';
import { parseManifest, type Manifest } from '../src/core/manifest';
import { centreCrop, evalSeed } from '../src/cli/eval/evaluate';
import { readImage } from '../src/cli/io/images';
import { createFeatureExtractor } from '../src/cli/onnx/descriptor';
import { loadSession, ortCentredGram, ortRouter } from '../src/cli/onnx/ort-node';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'public/models' },
    counts: { type: 'string', default: '384,192,128,96' },
    photos: { type: 'string', default: '24' },
    out: { type: 'string', default: 'campaign/patch-count-study/patch-count.json' },
  },
});
const models = String(values.models);
const manifest = parseManifest(JSON.parse(await readFile(join(models, 'manifest.json'), 'utf8')));
const counts = String(values.counts).split(',').map(Number);
const calibration = JSON.parse(await readFile('campaign/zoo-full/router/calibration.json', 'utf8')) as { images: string[] };
const names = calibration.images.slice(0, Number(values.photos));
const photos = await Promise.all(names.map(async (name) => centreCrop(await readImage(join('..', 'shared', 'data', 'photos', 'train', name)), 256)));
const extract = createFeatureExtractor(await loadSession(join(models, manifest.descriptor.file)), manifest.descriptor.layer);
const router = routerOnPatches(ortRouter(await loadSession(join(models, manifest.router!.file))));
// Both rules read n patches (the first n of the plan), whatever the manifest's router reads.
const withPatches = (n: number): Manifest => ({
  ...manifest,
  descriptor: { ...manifest.descriptor, input: { ...manifest.descriptor.input, patchCount: n } },
  router: { ...manifest.router!, descriptorPatches: n },
});

// The crops: each photo degraded by each of the 11, and by each out-of-distribution kind.
const crops = photos.flatMap((clean, i) => [
  ...DEGRADATION_IDS.map((id) => ({ source: id as string, ood: false, image: degrade(clean, id, evalSeed(3, id, i)).image })),
  ...OOD_DEGRADATION_IDS.map((id, k) => ({ source: id as string, ood: true, image: applyOodDegradation(clean, id, evalSeed(3, 'gaussian_blur', i) + 7 + k).image })),
]);
const groupOf = (id: string) => manifest.groups.find((g) => g.members.includes(id as never))?.id;

const perCount = [];
let reference: { kl: string[]; router: string[] } | null = null;
for (const n of counts) {
  const m = withPatches(n);
  const kl: string[] = [], chosen: string[] = [], oodScores: number[] = [], flagged: boolean[] = [];
  const started = performance.now();
  for (const crop of crops) {
    const a = await analyseImage(crop.image, m, extract, { gram: ortCentredGram(), router, rule: 'router' });
    kl.push(a.selection.chosen);
    chosen.push(a.automatic.chosen);
    oodScores.push(a.automatic.oodScore);
    flagged.push(a.automatic.ood);
  }
  const milliseconds = (performance.now() - started) / crops.length;
  reference ??= { kl, router: chosen };
  const inDist = crops.map((c, i) => ({ c, i })).filter(({ c }) => !c.ood);
  const out = crops.map((c, i) => ({ c, i })).filter(({ c }) => c.ood);
  const row = {
    patches: n,
    klRouting: inDist.filter(({ c, i }) => kl[i] === groupOf(c.source)).length / inDist.length,
    klSameAsReference: kl.filter((g, i) => g === reference!.kl[i]).length / kl.length,
    routerSameAsReference: chosen.filter((g, i) => g === reference!.router[i]).length / chosen.length,
    oodAuroc: auroc(out.map(({ i }) => oodScores[i]), inDist.map(({ i }) => oodScores[i])),
    flaggedInDistribution: inDist.filter(({ i }) => flagged[i]).length / inDist.length,
    flaggedOod: out.filter(({ i }) => flagged[i]).length / out.length,
    millisecondsPerAnalysis: milliseconds,
  };
  perCount.push(row);
  console.log(`${n} patches: KL routing ${(100 * row.klRouting).toFixed(1)} %, KL choice as with ${counts[0]} ${(100 * row.klSameAsReference).toFixed(1)} %, router choice as with ${counts[0]} ${(100 * row.routerSameAsReference).toFixed(1)} %, OOD AUROC ${row.oodAuroc.toFixed(3)}, flagged ${(100 * row.flaggedInDistribution).toFixed(1)} % in / ${(100 * row.flaggedOod).toFixed(1)} % OOD, ${milliseconds.toFixed(0)} ms per analysis (Node)`);
}
const out = String(values.out);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify({ photos: names.length, crop: 256, crops: crops.length, perCount }, null, 1)}\n`);
console.log(`wrote ${out}`);
