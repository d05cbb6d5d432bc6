/**
 * Measures how well a DDR protocol (descriptor layer, patch size, patch count, PCA k) tells the 11
 * degradations apart, the two figures the protocol is chosen by:
 * - separation: held-out draws nearest their own reference (as `grids similarity` reports);
 * - per-crop selection: each validation photo (centre crop) degraded once, analysed alone, and
 *   routed to the nearest single degradation (top-1) or at least to its family (blur / noise /
 *   JPEG / inpainting).
 *
 *   node --import ./bin/register.mjs scripts/explore-ddr-protocol.ts \
 *     --descriptor public/models/descriptor.onnx --layer last_block --patch-size 16 --patches 384 --k 96
 */
import { parseArgs } from 'node:util';
import { centreCrop } from '../src/cli/eval/evaluate';
import { readImageFolder } from '../src/cli/io/images';
import { createFeatureExtractor } from '../src/cli/onnx/descriptor';
import { loadSession } from '../src/cli/onnx/ort-node';
import { measureProtocol } from '../src/cli/similarity/protocol-measure';

const { values: a } = parseArgs({
  options: {
    descriptor: { type: 'string', default: 'public/models/descriptor.onnx' },
    layer: { type: 'string', default: 'last_block' },
    'patch-size': { type: 'string', default: '16' },
    patches: { type: 'string', default: '384' },
    k: { type: 'string', default: '96' },
    images: { type: 'string', default: '../shared/data/photos/train' },
    'reference-images': { type: 'string', default: '32' },
    'reference-crop': { type: 'string', default: '160' },
    'val-images': { type: 'string', default: '../shared/data/photos/val' },
    'val-crop': { type: 'string', default: '128' },
    seed: { type: 'string', default: '2' },
  },
});
const protocol = { patchSize: Number(a['patch-size']), patchCount: Number(a.patches), seed: 0, k: Number(a.k), trimSigmas: 5 };
const extract = createFeatureExtractor(await loadSession(a.descriptor!), a.layer!);
const quiet = { warn: () => {} };
const referenceImages = (await readImageFolder(a.images!, { ...quiet, limit: Number(a['reference-images']) })).map((l) => centreCrop(l.image, Number(a['reference-crop'])));
const validation = (await readImageFolder(a['val-images']!, quiet)).map((l) => centreCrop(l.image, Number(a['val-crop'])));

const started = performance.now();
const m = await measureProtocol({ referenceImages, validation, protocol, extract, seed: Number(a.seed) });
const seconds = (performance.now() - started) / 1000;
console.log(
  `${a.layer} patch ${protocol.patchSize} × ${protocol.patchCount}, k ${protocol.k}: ` +
    `${m.separatedCount}/11 held-out draws nearest their own reference; per-crop top-1 ${(m.top1 * 100).toFixed(0)} %, ` +
    `family ${(m.family * 100).toFixed(0)} % (${m.crops} crops); ${seconds.toFixed(0)} s`,
);
