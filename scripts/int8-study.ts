/**
 * npm run study:int8 — what static int8 (QDQ) costs each group model in quality, with the
 * evaluation protocol of RESULTS §2 (validation photos, 256 px centre crops, seed 0, outputs
 * quantised to 8 bits): per degradation, the float model's PSNR, the int8 model's, and the loss.
 * Activation ranges are calibrated on training photos only (centre crops degraded by each of the
 * group's members); nothing is fitted on the validation photos. Two variants: every convolution in
 * int8, and the first and last in float (the two that touch the image's own values).
 *
 *   npm run study:int8 -- [--models public/models] [--calibration-photos 16] [--out campaign/int8-study/int8.json]
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { degrade } from '../src/core/degradations/registry';
import { parseManifest } from '../src/core/manifest';
import type { DegradationId } from '../src/core/degradations/ids';
import { centreCrop, evaluate } from '../src/cli/eval/evaluate';
import { imageFileNames, readImage } from '../src/cli/io/images';
import { releaseSessions } from '../src/cli/onnx/ort-node';
import type { Int8Study } from '../src/cli/report/int8-md';
import { activationRanges, quantiseQdq, type QdqOptions } from './qdq-model';

const { values } = parseArgs({
  options: { models: { type: 'string', default: 'public/models' }, 'calibration-photos': { type: 'string', default: '16' }, out: { type: 'string', default: 'campaign/int8-study/int8.json' } },
});
const out = String(values.out);
const models = String(values.models);
const manifest = parseManifest(JSON.parse(await readFile(join(models, 'manifest.json'), 'utf8')));
const data = join('..', 'shared', 'data', 'photos');
const trainNames = (await imageFileNames(join(data, 'train'))).slice(0, Number(values['calibration-photos']));
const train = await Promise.all(trainNames.map(async (name) => centreCrop(await readImage(join(data, 'train', name)), 256)));
const valNames = await imageFileNames(join(data, 'val'));
const val = await Promise.all(valNames.map(async (name) => ({ name, image: await readImage(join(data, 'val', name)) })));
const variants: { label: string; options: QdqOptions }[] = [
  { label: 'all int8', options: {} },
  { label: 'first and last conv float', options: { floatConvs: (i, n) => i === 0 || i === n - 1 } },
];
const dir = await mkdtemp(join(tmpdir(), 'int8-study-'));
const rows: Int8Study['rows'] = [];
try {
  for (const group of manifest.groups) {
    const bytes = new Uint8Array(await readFile(join(models, group.model.file)));
    // Calibration: min and max of every tensor over the training crops, each degraded by every member.
    let draw = 0;
    const ranges = await activationRanges(bytes, (group.members as DegradationId[]).flatMap((member) => train.map((photo) => degrade(photo, member, 7919 + draw++).image)));
    const files = [{ name: 'float', file: join(models, group.model.file) }];
    for (const [k, variant] of variants.entries()) {
      const file = join(dir, `${group.id}-${k}.onnx`);
      await writeFile(file, quantiseQdq(bytes, ranges, variant.options));
      files.push({ name: variant.label, file });
    }
    const result = await evaluate({ images: val, tasks: group.members as DegradationId[], models: files, seed: 0, crop: 256 });
    await releaseSessions();
    for (const task of group.members as DegradationId[]) {
      const row = { group: group.id, task, float: result.models.float.perTask[task]!.psnr, int8: variants.map((v) => result.models[v.label].perTask[task]!.psnr) };
      rows.push(row);
      console.log(`${group.id} ${task}: float ${row.float.toFixed(2)}, int8 ${row.int8.map((q) => q.toFixed(2)).join(' / ')}`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const study: Int8Study = { protocol: { photos: val.length, crop: 256, seed: 0, calibrationPhotos: train.length }, variants: variants.map((v) => v.label), rows };
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(study, null, 1)}\n`);
console.log(`wrote ${out} (npm run docs:results puts it in RESULTS.md)`);
