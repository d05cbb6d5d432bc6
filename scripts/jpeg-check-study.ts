/**
 * `npm run study:jpeg-check`: how the shipped JPEG check (src/core/jpeg-check.ts) responds to real
 * JPEG files rather than the core degradation: validation photos (384 px wide) encoded by libjpeg
 * (sharp) at several qualities, and the same photo at quality 30 cropped 3 px off its block grid.
 * Prints P(JPEG) per photo and encode, and how many encodes reach the check's threshold.
 *
 *   npm run study:jpeg-check -- [--photos ../shared/data/photos/val] [--count 6]
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { analyseImage } from '../src/core/analysis';
import { fromRgb8 } from '../src/core/image';
import { parseManifest } from '../src/core/manifest';
import { createFeatureExtractor } from '../src/cli/onnx/descriptor';
import { loadSession, ortCentredGram, releaseSessions } from '../src/cli/onnx/ort-node';

const { values } = parseArgs({ options: { photos: { type: 'string', default: '../shared/data/photos/val' }, count: { type: 'string', default: '6' }, manifest: { type: 'string', default: 'public/models/manifest.json' } } });
const manifest = parseManifest(JSON.parse(await readFile(values.manifest!, 'utf8')));
const check = manifest.selection.jpegCheck;
if (!check) throw new Error(`${values.manifest} has no JPEG check: build the zoo again`);
const root = join(values.manifest!, '..');
const extract = createFeatureExtractor(await loadSession(join(root, manifest.descriptor.file)), manifest.descriptor.layer);
const files = (await readdir(values.photos!)).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort().slice(0, Number(values.count));
if (!files.length) throw new Error(`no photos in ${values.photos}`);

const probability = async (encoded: Buffer) => {
  const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const analysis = await analyseImage(fromRgb8(data, info.width, info.height), manifest, extract, { gram: ortCentredGram() });
  return analysis.selection.jpegCheck!.probability;
};

const columns = ['q10', 'q20', 'q30', 'q40', 'q60', 'q75', 'q90', 'q30, crop 3 px'];
const qualities = [10, 20, 30, 40, 60, 75, 90];
const fired = new Array<number>(columns.length).fill(0);
console.log(`P(JPEG) of the shipped check (fires at ≥ ${check.threshold}), ${files.length} photos of ${values.photos} at 384 px wide, encoded by libjpeg (sharp)\n`);
console.log(['photo'.padEnd(24), ...columns.map((c) => c.padStart(c.length > 6 ? c.length + 1 : 7))].join(''));
for (const file of files) {
  const base = sharp(join(values.photos!, file)).resize({ width: 384 }).removeAlpha();
  const row: number[] = [];
  for (const quality of qualities) row.push(await probability(await base.clone().jpeg({ quality }).toBuffer()));
  const q30 = await base.clone().jpeg({ quality: 30 }).toBuffer();
  const { width, height } = await sharp(q30).metadata();
  row.push(await probability(await sharp(q30).extract({ left: 3, top: 3, width: width! - 3, height: height! - 3 }).png().toBuffer()));
  row.forEach((p, i) => (fired[i] += p >= check.threshold ? 1 : 0));
  console.log([file.padEnd(24), ...row.map((p, i) => p.toFixed(3).padStart(columns[i].length > 6 ? columns[i].length + 1 : 7))].join(''));
}
console.log(['fired'.padEnd(24), ...fired.map((n, i) => `${n}/${files.length}`.padStart(columns[i].length > 6 ? columns[i].length + 1 : 7))].join(''));
await releaseSessions();
