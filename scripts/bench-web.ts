/**
 * npm run bench:web — the inference worker in headless Chromium on wasm (no WebGPU flag) on a
 * ~1 MP degraded photo, against onnxruntime-node on the same ONNX file, image and tiles:
 *
 *   (a) restoration ms per megapixel, web (the app's client + worker) vs node; aim node/web ≥ 0.5;
 *       also node at graph levels 'extended' and 'basic' (no NCHWc layout, which the wasm build lacks)
 *   (b) the app's whole restore call vs a bare onnxruntime-web session over the same tiles
 *       (same threads, tensors prepared beforehand); aim app/bare ≤ 1.15
 *   (c) analysis (descriptor + DDR statistic + KL + router) ms per megapixel; aim ≤ 0.6 s/MP and ≤ 10 % of
 *       the restore time
 *   (d) levers: the app's restore with 1 wasm thread, and with tiles twice and half as large
 *
 * It builds and serves the e2e worker harness (e2e/fixtures/vite.harness.config.ts: the app's Vite
 * config, the real client and worker, one test page), prints figures and asserts nothing.
 *
 *   npm run bench:web -- [--runs 3] [--size 1152x864] [--group <id>] [--tile 256] [--overlap 16] [--models public/models]
 *   GRIDS_HARNESS_PREBUILT=1 npm run bench:web   # reuse .tmp/e2e-harness
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { analyseImage, routerOnPatches } from '../src/core/analysis';
import { createFeatureExtractor } from '../src/cli/onnx/descriptor';
import { ortCentredGram, ortRouter, restoreImage } from '../src/cli/onnx/ort-node';
import { timed } from '../e2e/harness/timing';
import { browserBenchSetup, openHarnessPage } from './bench-browser-setup';

const { runs, width, height, tile, overlap, megapixels, port, manifestJson, manifest, group, bytes, photo, wire, tiles } = await browserBenchSetup({ port: '4182' });
const threads = availableParallelism();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

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
const { page, close } = await openHarnessPage(port);
try {
  const models = Object.fromEntries(Object.entries(bytes).map(([f, b]) => [f, b.toString('base64')]));
  const web = await page.evaluate(
    async ({ manifestJson, models, wire, groupId, modelFile, tile, overlap, runs }) => {
      const h = window.gridsHarness;
      const threads = self.crossOriginIsolated ? navigator.hardwareConcurrency : 1;
      const client = await h.configure(manifestJson, models, { preferWebgpu: false, wasmThreads: threads, tile, overlap });
      const image = h.image(wire);
      const time = (fn: () => Promise<unknown>) => h.timed(fn, runs);
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
      // Levers, each the app's whole restore with one setting changed.
      const levers: { label: string; times: number[] }[] = [];
      for (const lever of [
        { label: '1 wasm thread', wasmThreads: 1, tile },
        { label: `tile ${tile * 2}`, wasmThreads: threads, tile: tile * 2 },
        { label: `tile ${tile / 2}`, wasmThreads: threads, tile: tile / 2 },
      ]) {
        const variant = await h.configure(manifestJson, models, { preferWebgpu: false, wasmThreads: lever.wasmThreads, tile: lever.tile, overlap });
        levers.push({ label: lever.label, times: await time(() => variant.restore(image, { kind: 'group', id: groupId }, () => undefined)) });
      }
      return { levers, restore, analysis, descriptor: descriptorTimes.slice(1), router: routerTimes.slice(1), bare: bare.times, breakdown, backend, threads, isolated: self.crossOriginIsolated };
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
  console.log(`(d) levers: the app's restore with one setting changed (${tile} px tiles and ${web.threads} threads above)`);
  for (const lever of web.levers) row(lever.label, median(lever.times), `   × ${(median(lever.times) / webRestore).toFixed(2)}`);
  console.log(`\nraw (ms): web restore ${web.restore.map((t) => t.toFixed(0)).join(', ')}; bare ${web.bare.map((t) => t.toFixed(0)).join(', ')}; web analysis ${web.analysis.map((t) => t.toFixed(0)).join(', ')}`);
} finally {
  await close();
}
