/**
 * npm run bench:web — the inference worker in headless Chromium on wasm (no WebGPU flag) on a
 * ~1 MP degraded photo, against onnxruntime-node on the same ONNX file, image and tiles:
 *
 *   (a) restoration ms per megapixel, web (the app's client + worker) vs node; aim node/web ≥ 0.5
 *   (b) the app's whole restore call vs a bare onnxruntime-web session over the same tiles
 *       (same threads, tensors prepared beforehand); aim app/bare ≤ 1.15
 *   (c) analysis (descriptor + DDR statistic + KL + router) ms per megapixel; aim ≤ 0.6 s/MP and ≤ 10 % of
 *       the restore time
 *
 * It builds and serves the e2e worker harness (e2e/fixtures/vite.harness.config.ts: the app's Vite
 * config, the real client and worker, one test page), prints figures and asserts nothing.
 *
 *   npm run bench:web -- [--runs 3] [--size 1152x864] [--group <id>] [--tile 256] [--overlap 16] [--models public/models]
 *   GRIDS_HARNESS_PREBUILT=1 npm run bench:web   # reuse .tmp/e2e-harness
 */
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import * as ort from 'onnxruntime-node';
import { analyseImage, routerOnPatches } from '../src/core/analysis';
import { degrade } from '../src/core/degradations/registry';
import { generateTestScene } from '../src/core/degradations/test-scenes';
import { toRgba8 } from '../src/core/image';
import { parseManifest } from '../src/core/manifest';
import { planTiles } from '../src/core/tiling';
import { createFeatureExtractor } from '../src/cli/onnx/descriptor';
import { ortCentredGram, ortRouter, restoreImage } from '../src/cli/onnx/ort-node';
import { chromiumPath } from '../playwright.config';
import { ROOT, startHarness } from '../e2e/fixtures/harness-server';
import type { WireImage } from '../e2e/harness/harness';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    size: { type: 'string', default: '1152x864' },
    group: { type: 'string' },
    tile: { type: 'string', default: '256' },
    overlap: { type: 'string', default: '16' },
    models: { type: 'string', default: 'public/models' },
    port: { type: 'string', default: '4182' },
  },
});

const runs = Number(args.runs);
const [width, height] = args.size!.split('x').map(Number);
const tile = Number(args.tile);
const overlap = Number(args.overlap);
const megapixels = (width * height) / 1e6;
const threads = availableParallelism();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timed<T>(fn: () => Promise<T>, count: number): Promise<number[]> {
  await fn(); // warm-up: session creation, first-run allocations
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

// The zoo and the photo.
const modelsDir = join(ROOT, args.models!);
const manifestJson = JSON.parse(await readFile(join(modelsDir, 'manifest.json'), 'utf8'));
const manifest = parseManifest(manifestJson);
const group = manifest.groups.find((g) => g.id === (args.group ?? manifest.groups[0].id));
if (!group) throw new Error(`no group "${args.group}" in ${modelsDir}; it has ${manifest.groups.map((g) => g.id).join(', ')}`);
const files = [...new Set([manifest.descriptor.file, ...(manifest.router ? [manifest.router.file] : []), group.model.file])];
const bytes = Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(join(modelsDir, f))] as const)));
const photo = degrade(generateTestScene({ width, height, seed: 11 }), 'jpeg', 11).image;
const rgba = toRgba8(photo);
const wire: WireImage = { width, height, rgba: Buffer.from(rgba.buffer).toString('base64') };
const tiles = planTiles(width, height, { tile, overlap }).length;

console.log(`bench:web — ${width}×${height} (${megapixels.toFixed(2)} MP) JPEG-degraded scene, ${group.id} (${group.model.arch} w${group.model.width} d${group.model.depth}), tile ${tile}/${overlap} (${tiles} tiles), ${threads} threads, ${runs} timed runs after a warm-up (median)`);

// Node: onnxruntime-node, the CLI's own tiled restoration and analysis.
const nodeRestoreSession = await ort.InferenceSession.create(bytes[group.model.file], { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
const nodeRestore = median(await timed(() => restoreImage(nodeRestoreSession, photo, { tile, overlap }), runs));
// Where the gap comes from: the same graph natively without the x86-only NCHWc layout transform
// ('extended' and 'basic' skip it), i.e. with the convolution kernels the wasm build also has.
const nodeByLevel: Record<string, number> = {};
for (const level of ['extended', 'basic'] as const) {
  const session = await ort.InferenceSession.create(bytes[group.model.file], { intraOpNumThreads: threads, graphOptimizationLevel: level });
  nodeByLevel[level] = median(await timed(() => restoreImage(session, photo, { tile, overlap }), runs));
  await session.release();
}
const nodeDescriptor = await ort.InferenceSession.create(bytes[manifest.descriptor.file], { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
const extract = createFeatureExtractor(nodeDescriptor, manifest.descriptor.layer);
const nodeRouter = manifest.router ? await ort.InferenceSession.create(bytes[manifest.router.file], { intraOpNumThreads: threads, graphOptimizationLevel: 'all' }) : null;
const nodeAnalysis = median(await timed(() => analyseImage(photo, manifest, extract, { gram: ortCentredGram(threads), router: nodeRouter ? routerOnPatches(ortRouter(nodeRouter)) : undefined }), runs));
await nodeRestoreSession.release();
await nodeDescriptor.release();
await nodeRouter?.release();

// Web: headless Chromium, wasm only.
const server = await startHarness(Number(args.port));
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  // tsx (esbuild keepNames) wraps named functions in __name(); functions sent to the page need it.
  await page.addInitScript('globalThis.__name = (fn) => fn');
  await page.goto(server.url);
  await page.locator('#harness-status', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
  const models = Object.fromEntries(Object.entries(bytes).map(([f, b]) => [f, b.toString('base64')]));
  const web = await page.evaluate(
    async ({ manifestJson, models, wire, groupId, modelFile, tile, overlap, runs }) => {
      const h = window.gridsHarness;
      const threads = self.crossOriginIsolated ? navigator.hardwareConcurrency : 1;
      const client = await h.configure(manifestJson, models, { preferWebgpu: false, wasmThreads: threads, tile, overlap });
      const image = h.image(wire);
      const time = async (fn: () => Promise<unknown>) => {
        await fn();
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const start = performance.now();
          await fn();
          times.push(performance.now() - start);
        }
        return times;
      };
      let backend = '';
      const restore = await time(async () => {
        const result = await client.restore(image, { kind: 'group', id: groupId }, () => undefined);
        backend = result.backend;
      });
      const descriptorTimes: number[] = [];
      const routerTimes: number[] = [];
      const analysis = await time(async () => {
        const result = await client.analyse(image);
        descriptorTimes.push(result.descriptorMilliseconds);
        routerTimes.push(result.routerMilliseconds);
      });
      const bare = await h.bareTiles(models[modelFile], 'wasm', wire, tile, overlap, runs);
      const breakdown = await h.engineBreakdown(manifestJson, models, wire, groupId, tile, overlap, runs);
      return { restore, analysis, descriptor: descriptorTimes.slice(1), router: routerTimes.slice(1), bare: bare.times, breakdown, backend, threads, isolated: self.crossOriginIsolated };
    },
    { manifestJson, models, wire, groupId: group.id, modelFile: group.model.file, tile, overlap, runs },
  );

  const webRestore = median(web.restore);
  const bare = median(web.bare);
  const webAnalysis = median(web.analysis);
  const perMp = (ms: number) => `${(ms / megapixels).toFixed(0).padStart(6)} ms/MP`;
  const row = (label: string, ms: number, extra = '') => console.log(`  ${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms ${perMp(ms)}${extra}`);
  console.log(`\nweb: backend ${web.backend}, ${web.threads} wasm thread(s), cross-origin isolated: ${web.isolated}`);
  console.log('(a) restoration');
  row('onnxruntime-node (CLI restoreImage)', nodeRestore);
  row('onnxruntime-web, app (client.restore)', webRestore);
  console.log(`  node_ms / web_ms = ${(nodeRestore / webRestore).toFixed(2)}   (aim ≥ 0.5)`);
  for (const [level, ms] of Object.entries(nodeByLevel)) {
    row(`onnxruntime-node, level '${level}' (no NCHWc)`, ms, `   node/web ${(ms / webRestore).toFixed(2)}`);
  }
  console.log('(b) app overhead');
  row('bare onnxruntime-web session over the tiles', bare);
  row('app: decode, tiles, blend, encode, messages', webRestore);
  console.log(`  app / bare = ${(webRestore / bare).toFixed(3)}   (aim ≤ 1.15)`);
  const engineTotal = median(web.breakdown.map((b) => b.total));
  const engineRun = median(web.breakdown.map((b) => b.inRun));
  console.log(`  the worker's engine alone (no messages): ${engineTotal.toFixed(0)} ms, of which ${engineRun.toFixed(0)} ms inside session.run and ${(engineTotal - engineRun).toFixed(0)} ms our JS (decode, crop, pack, blend, encode)`);
  console.log(`(c) analysis (descriptor + DDR statistic + KL${manifest.router ? ' + router' : ''})`);
  row('onnxruntime-web, app (client.analyse)', webAnalysis);
  const webDescriptor = median(web.descriptor);
  const webRouter = median(web.router);
  console.log(`  in the worker: ${webDescriptor.toFixed(0)} ms inside the descriptor's session runs, ${webRouter.toFixed(0)} ms the router (patch features, tone cues and its session run), ${(webAnalysis - webDescriptor - webRouter).toFixed(0)} ms the rest (decode, crops, Gram PCA, GGD fit, KL, messages)`);
  row('onnxruntime-node (CLI analyseImage)', nodeAnalysis);
  console.log(`  web: ${(webAnalysis / megapixels / 1000).toFixed(3)} s/MP (aim ≤ 0.6), ${((100 * webAnalysis) / webRestore).toFixed(1)} % of the restore time (aim ≤ 10 %)`);
  console.log(`\nraw (ms): web restore ${web.restore.map((t) => t.toFixed(0)).join(', ')}; bare ${web.bare.map((t) => t.toFixed(0)).join(', ')}; web analysis ${web.analysis.map((t) => t.toFixed(0)).join(', ')}`);
} finally {
  await browser.close();
  await server.close();
}
