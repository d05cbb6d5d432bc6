/**
 * What a router does to clean photos with an ordinary history (a JPEG, sharpening, softness, an
 * enlargement): the held-out training photos' clean corner crops (the router calibration's), each
 * given one history step, through each router and its own calibration (temperature, gain table,
 * no-damage threshold). Prints and records the share left as they are ("none") and the most likely class.
 *
 *   npm run study:camera-history -- <label>=<router.onnx>,<calibration.json> [...] [--out file.json]
 *
 * The two routers compared in campaign/camera-history-study/ are the zoo's before and after the
 * camera histories of src/core/router/camera-history.ts (the earlier one is in git history:
 * `git show 1595dfd:campaign/zoo-full/router/router.onnx`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { atomicWrite } from '../src/cli/io/images';
import { loadSession, ortRouter } from '../src/cli/onnx/ort-node';
import { decidingProbabilities, routerCandidate, storedCropInputs, type RouterCalibration } from '../src/cli/router/calibrate';
import { jpegRoundTrip } from '../src/core/degradations/jpeg';
import type { RgbImage } from '../src/core/image';
import { createRng } from '../src/core/random';
import { enlarge, sensorNoise, soften, unsharpMask } from '../src/core/router/camera-history';
import { CLEAN, ROUTER_CLASSES } from '../src/core/router/classes';
import { patchFeatures } from '../src/core/router/patch-features';
import { mostLikely } from '../src/core/router/router';
import { readGainTableImages } from '../src/cli/zoo/pipeline';
import { PRESETS } from '../src/cli/zoo/presets';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args.splice(outAt, 2)[1] : 'campaign/camera-history-study/camera-history.json';
const routers = args.map((a) => {
  const [label, files] = a.split('=');
  const [onnx, calibration] = (files ?? '').split(',');
  if (!label || !onnx || !calibration) throw new Error(`expected <label>=<router.onnx>,<calibration.json>, got "${a}"`);
  return { label, onnx, calibration: JSON.parse(readFileSync(calibration, 'utf8')) as RouterCalibration };
});
if (!routers.length) throw new Error('give at least one <label>=<router.onnx>,<calibration.json>');

// The clean crops of the calibration, rebuilt exactly as the zoo's full preset cut them.
const preset = PRESETS.full;
const images = await readGainTableImages('../shared/data/photos/train', preset);
for (const r of routers) if (r.calibration.images.join() !== images.map((i) => i.name).join()) throw new Error(`${r.label}: its calibration was measured on other photos`);
const inputOf = storedCropInputs(images, preset.eval.crop, preset.calibrationCrops, preset.eval.seed + 5);
const cleanCrops = routers[0].calibration.crops.filter((c) => c.source === CLEAN);

// Steps inside the training histories' ranges, and two beyond them (JPEG q50, an enlargement by 1.5).
const histories: [string, (im: RgbImage, seed: number) => RgbImage][] = [
  ['as it is', (im) => im],
  ['JPEG q90', (im) => jpegRoundTrip(im, 90, '4:4:4')],
  ['JPEG q75', (im) => jpegRoundTrip(im, 75, '4:4:4')],
  ['JPEG q50', (im) => jpegRoundTrip(im, 50, '4:4:4')],
  ['sharpened (amount 1, σ 1)', (im) => unsharpMask(im, 1, 1)],
  ['softened (σ 0.6 px)', (im) => soften(im, 0.6)],
  ['sensor noise (σ 4 levels)', (im, seed) => sensorNoise(im, 4, createRng(seed))],
  ['enlarged 1.25×', (im) => enlarge(im, 1.25)],
  ['enlarged 1.5×', (im) => enlarge(im, 1.5)],
];

const results: Record<string, Record<string, { leftAsIs: number; of: number; mostLikely: Record<string, number> }>> = {};
for (const r of routers) {
  const router = ortRouter(await loadSession(r.onnx));
  results[r.label] = {};
  for (const [name, apply] of histories) {
    const row = { leftAsIs: 0, of: 0, mostLikely: {} as Record<string, number> };
    for (const [i, c] of cleanCrops.entries()) {
      const p = decidingProbabilities({ logits: Array.from(await router(patchFeatures(apply(inputOf(c), 1000 + i)))) }, r.calibration);
      row.leftAsIs += +(routerCandidate(p, r.calibration.gain, r.calibration.noDamageThreshold) === 'none');
      row.of++;
      const top = mostLikely(p, ROUTER_CLASSES);
      row.mostLikely[top] = (row.mostLikely[top] ?? 0) + 1;
    }
    results[r.label][name] = row;
    console.log(`${r.label.padEnd(10)} ${name.padEnd(28)} left as is ${row.leftAsIs}/${row.of}  most likely ${JSON.stringify(row.mostLikely)}`);
  }
}
mkdirSync(dirname(out), { recursive: true });
await atomicWrite(out, JSON.stringify({ createdAt: new Date().toISOString(), crops: cleanCrops.length, routers: routers.map((r) => ({ label: r.label, onnx: r.onnx })), results }, null, 1));
console.log(`written ${out}`);
