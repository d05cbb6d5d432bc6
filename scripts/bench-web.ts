/**
 * npm run bench:web — the inference worker in headless Chromium on wasm (no WebGPU flag) on a
 * ~1 MP degraded photo, against onnxruntime-node on the same ONNX file, image and tiles:
 *
 *   (a) restoration ms per megapixel, web (the app's client + worker) vs node; aim node/web ≥ 0.5;
 *       also node at graph levels 'extended' and 'basic' (no NCHWc layout, which the wasm build lacks)
 *   (b) the app's whole restore call vs a bare onnxruntime-web session over the same tiles
 *       (same threads, tensors prepared beforehand); aim app/bare ≤ 1.15
 *   (c) analysis under the default rule (descriptor + DDR statistic + KL + router) ms per megapixel;
 *       aim ≤ 0.6 s/MP and ≤ 10 % of the restore time; and under the paper's KL rule, which reads every
 *       planned descriptor patch where the router reads fewer (npm run study:patch-count)
 *   (d) levers: the app's restore with 1 wasm thread, with tiles twice and half as large, and with the
 *       overlap halved and doubled; per tiling, how far its output is from one untiled pass (seams, Node)
 *   (e) where the time goes, on one tile: the restorer's graph without its activations, its Adds, or
 *       both (convolutions only), in both runtimes; what the convolutions run at (GFLOP/s)
 *   (f) graph levers, on one tile: the input shape fixed to the tile, 2 or 4 tiles per session run, and
 *       a static int8 QDQ version (scripts/qdq-model.ts; activation ranges from another synthetic scene),
 *       with its output's PSNR against the float model's on the tile
 *   (g) the ceiling: what one thread of wasm SIMD computes at most on this machine (a register-blocked
 *       kernel, with and without relaxed SIMD's fused multiply-add), against ORT-web's convolutions
 *
 * It builds and serves the e2e worker harness (e2e/fixtures/vite.harness.config.ts: the app's Vite
 * config, the real client and worker, one test page), prints figures and asserts nothing.
 *
 *   npm run bench:web -- [--runs 3] [--size 1152x864] [--group <id>] [--tile 256] [--overlap 16] [--models public/models]
 *   GRIDS_HARNESS_PREBUILT=1 npm run bench:web   # reuse .tmp/e2e-harness
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { analyseImage, descriptorPatchesFor, routerOnPatches } from '../src/core/analysis';
import { defaultRule } from '../src/core/routing';
import { createFeatureExtractor } from '../src/cli/onnx/descriptor';
import { ortCentredGram, ortRouter, restoreImage, runOnImage } from '../src/cli/onnx/ort-node';
import { timed } from '../e2e/harness/timing';
import { browserBenchSetup, openHarnessPage } from './bench-browser-setup';
import { graphAblations, withFixedShape } from './graph-variants';
import { FLOPS_PER_STEP, PEAK_STEPS, simdKernelModule } from './wasm-simd-peak';
import { activationRanges, quantiseQdq } from './qdq-model';
import { degrade } from '../src/core/degradations/registry';
import { generateTestScene } from '../src/core/degradations/test-scenes';
import { cropImage, fromPlanar } from '../src/core/image';
import { psnr } from '../src/core/metrics';

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
// Seams: each tiling's output against one pass of the model over the whole photo (PSNR, dB).
const [untiledOut] = await runOnImage(nodeRestoreSession, photo);
const untiled = fromPlanar(untiledOut.data as Float32Array, width, height);
const seams: Record<string, number> = {};
for (const [label, options] of [
  [`tile ${tile}/${overlap} (as the app)`, { tile, overlap }],
  [`tile ${tile * 2}`, { tile: tile * 2, overlap }],
  [`tile ${tile / 2}`, { tile: tile / 2, overlap }],
  [`overlap ${overlap / 2}`, { tile, overlap: overlap / 2 }],
  [`overlap ${overlap * 2}`, { tile, overlap: overlap * 2 }],
] as const) seams[label] = psnr(await restoreImage(nodeRestoreSession, photo, options), untiled);
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

// (e) and (f): variants of the restorer's graph, each timed whole on tiles of fixed inputs.
const restorerBytes = new Uint8Array(bytes[group.model.file]);
const tileDims = (batch: number) => [batch, 3, tile, tile];
const ablations = graphAblations(restorerBytes, tile, tile);
const ablationRuns = ablations.map((a) => ({ bytes: a.bytes, batch: 1 }));
// int8: activation ranges from another synthetic scene (min and max of each tensor on one tile).
const calibrationTile = degrade(generateTestScene({ width: tile, height: tile, seed: 5 }), 'jpeg', 5).image;
const ranges = await activationRanges(restorerBytes, [calibrationTile]);
const int8Bytes = quantiseQdq(restorerBytes, ranges);
// How far the int8 output is from the float one, on the bench photo's first tile.
const firstTile = cropImage(photo, 0, 0, tile, tile);
const restoreFirstTile = async (model: Uint8Array) => {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads });
  const [out] = await runOnImage(session, firstTile);
  await session.release();
  return fromPlanar(out.data as Float32Array, tile, tile);
};
const int8Agreement = psnr(await restoreFirstTile(restorerBytes), await restoreFirstTile(int8Bytes));
const graphLevers = [
  { label: 'dynamic shape, 1 tile per run (as the app)', bytes: restorerBytes, batch: 1 },
  { label: `input fixed to 1×3×${tile}×${tile}`, bytes: withFixedShape(restorerBytes, tileDims(1)), batch: 1 },
  { label: '2 tiles per run', bytes: restorerBytes, batch: 2 },
  { label: '4 tiles per run', bytes: restorerBytes, batch: 4 },
  { label: 'int8 QDQ', bytes: int8Bytes, batch: 1 },
];
const variantRuns = [...ablationRuns, ...graphLevers];
const fixedInput = (batch: number) => {
  const data = new Float32Array(batch * 3 * tile * tile);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
  return data;
};
/**
 * Median ms per run of each variant in onnxruntime-node, one session at a time: sessions left open
 * side by side keep their idle threads spinning, which on 2 cores slows whichever one runs.
 */
const nodeVariants = async (variants: { bytes: Uint8Array; batch: number }[], level: 'all' | 'basic') => {
  const out: number[] = [];
  for (const variant of variants) {
    const session = await ort.InferenceSession.create(variant.bytes, { intraOpNumThreads: threads, graphOptimizationLevel: level });
    const input = new ort.Tensor('float32', fixedInput(variant.batch), tileDims(variant.batch));
    out.push(median(await timed(() => session.run({ input }, ['output']), runs * 3)));
    await session.release();
  }
  return out;
};
const nodeAblations = { all: await nodeVariants(ablationRuns, 'all'), basic: await nodeVariants(ablationRuns, 'basic') };
const nodeInt8 = await nodeVariants([{ bytes: restorerBytes, batch: 1 }, { bytes: int8Bytes, batch: 1 }], 'all');

// Web: headless Chromium, wasm only.
const { page, close } = await openHarnessPage(port);
try {
  const models = Object.fromEntries(Object.entries(bytes).map(([f, b]) => [f, b.toString('base64')]));
  const web = await page.evaluate(
    async ({ manifestJson, models, wire, groupId, modelFile, tile, overlap, runs, variantModels, peakModules, peakSteps }) => {
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
      const gramTimes: number[] = [];
      const routerTimes: number[] = [];
      const analysis = await time(async () => {
        const result = await client.analyse(image);
        descriptorTimes.push(result.descriptorMilliseconds);
        gramTimes.push(result.gramMilliseconds);
        routerTimes.push(result.routerMilliseconds);
      });
      // The paper's KL rule, which reads every planned descriptor patch (the default rule may read fewer).
      const analysisKl = await time(() => client.analyse(image, 'kl'));
      const bare = await h.bareTiles(models[modelFile], 'wasm', wire, tile, overlap, runs);
      const breakdown = await h.engineBreakdown(manifestJson, models, wire, groupId, tile, overlap, runs);
      // Levers, each the app's whole restore with one setting changed.
      const levers: { label: string; times: number[] }[] = [];
      for (const lever of [
        { label: '1 wasm thread', wasmThreads: 1, tile, overlap: undefined as number | undefined },
        { label: `tile ${tile * 2}`, wasmThreads: threads, tile: tile * 2 },
        { label: `tile ${tile / 2}`, wasmThreads: threads, tile: tile / 2 },
        { label: `overlap ${overlap / 2}`, wasmThreads: threads, tile, overlap: overlap / 2 },
        { label: `overlap ${overlap * 2}`, wasmThreads: threads, tile, overlap: overlap * 2 },
      ]) {
        const variant = await h.configure(manifestJson, models, { preferWebgpu: false, wasmThreads: lever.wasmThreads, tile: lever.tile, overlap: lever.overlap ?? overlap });
        levers.push({ label: lever.label, times: await time(() => variant.restore(image, { kind: 'group', id: groupId }, () => undefined)) });
      }
      // (e) and (f): the graph variants on bare sessions, inputs prepared as in Node.
      const variants = await h.timeModels(variantModels.map((v) => ({ bytes: v.bytes, inputs: [{ name: 'input', dims: [v.batch, 3, tile, tile] }], output: 'output' })), 'wasm', runs * 3);
      // (g) wasm SIMD's own limit, one thread in the page.
      const peaks: (number[] | null)[] = [];
      for (const module of peakModules) {
        const bytes = Uint8Array.from(atob(module), (c) => c.charCodeAt(0));
        const compiled = await WebAssembly.instantiate(bytes).catch(() => null);
        if (!compiled) {
          peaks.push(null);
          continue;
        }
        const kernel = compiled.instance.exports.run as (steps: number) => number;
        peaks.push(await h.timed(async () => kernel(peakSteps), runs * 3));
      }
      return { peaks, variants, levers, restore, analysis, analysisKl, descriptor: descriptorTimes.slice(1), gram: gramTimes.slice(1), router: routerTimes.slice(1), bare: bare.times, breakdown, backend, threads, isolated: self.crossOriginIsolated };
    },
    {
      manifestJson, models, wire, groupId: group.id, modelFile: group.model.file, tile, overlap, runs,
      variantModels: variantRuns.map((v) => ({ bytes: Buffer.from(v.bytes).toString('base64'), batch: v.batch })),
      peakModules: [false, true].map((fused) => Buffer.from(simdKernelModule(fused)).toString('base64')),
      peakSteps: PEAK_STEPS,
    },
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
  const rule = defaultRule(manifest);
  console.log(`(c) analysis under the default rule, ${rule}: ${descriptorPatchesFor(manifest, rule)} descriptor patches + DDR statistic + KL${manifest.router ? ' + router' : ''}`);
  row('onnxruntime-web, app (client.analyse)', webAnalysis);
  const webDescriptor = median(web.descriptor);
  const webGram = median(web.gram);
  const webRouter = median(web.router);
  console.log(`  in the worker: ${webDescriptor.toFixed(0)} ms inside the descriptor's session runs, ${webGram.toFixed(0)} ms the Gram matrix, ${webRouter.toFixed(0)} ms the router (patch features, tone cues and its session run), ${(webAnalysis - webDescriptor - webGram - webRouter).toFixed(0)} ms the rest (decode, crops, JPEG summary, eigenvectors, GGD fit, KL, messages)`);
  row('onnxruntime-node (CLI analyseImage)', nodeAnalysis);
  console.log(`  web: ${(webAnalysis / megapixels / 1000).toFixed(3)} s/MP (aim ≤ 0.6), ${((100 * webAnalysis) / webRestore).toFixed(1)} % of the restore time (aim ≤ 10 %)`);
  const webKl = median(web.analysisKl);
  row(`the KL rule's analysis (${descriptorPatchesFor(manifest, 'kl')} patches)`, webKl, `   × ${(webKl / webAnalysis).toFixed(2)}, ${((100 * webKl) / webRestore).toFixed(1)} % of the restore (what fewer patches change: npm run study:patch-count)`);
  console.log(`(d) levers: the app's restore with one setting changed (${tile} px tiles and ${web.threads} threads above)`);
  const seamNote = (label: string) => (seams[label] === undefined ? '' : `   seams: ${seams[label].toFixed(1)} dB from one untiled pass`);
  console.log(`  the app's tiling: output ${seams[`tile ${tile}/${overlap} (as the app)`].toFixed(1)} dB (PSNR) from one untiled pass over the photo (Node)`);
  for (const lever of web.levers) row(lever.label, median(lever.times), `   × ${(median(lever.times) / webRestore).toFixed(2)}${seamNote(lever.label)}`);

  const webVariant = web.variants.map(median);
  const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;
  console.log(`(e) where the time goes: the restorer's graph on one ${tile} px tile, bare sessions, median of ${runs * 3}`);
  console.log(`  ${''.padEnd(24)} ${'web'.padStart(10)} ${"node 'all'".padStart(10)} ${"node 'basic'".padStart(12)}   convolutions at (web / node 'all' / 'basic')`);
  const gflops = (flops: number, t: number) => (flops / t / 1e6).toFixed(0);
  ablations.forEach((a, i) => {
    console.log(`  ${a.label.padEnd(24)} ${ms(webVariant[i])} ${ms(nodeAblations.all[i])} ${ms(nodeAblations.basic[i]).padStart(12)}   ${gflops(a.convFlops, webVariant[i])} / ${gflops(a.convFlops, nodeAblations.all[i])} / ${gflops(a.convFlops, nodeAblations.basic[i])} GFLOP/s`);
  });
  const [full, , , convs] = webVariant;
  const convShare = convs / full;
  // Were everything but the convolutions free on the web, the restore would take webRestore × convShare.
  const convCeiling = nodeRestore / (webRestore * convShare);
  console.log(`  on the web the convolutions take ${(100 * convShare).toFixed(0)} % of a tile; activations ${(full - webVariant[1]).toFixed(1)} ms, Adds ${(full - webVariant[2]).toFixed(1)} ms`);
  console.log(`  ceiling with ORT-web's convolution kernel as it is: node_ms / web_ms ≤ ${convCeiling.toFixed(2)} (section (a)'s node restore against the web's restore times the convolutions' share)`);
  console.log(`(f) graph levers on one ${tile} px tile (per tile, web, bare sessions)`);
  const perTile = graphLevers.map((lever, i) => webVariant[ablations.length + i] / lever.batch);
  graphLevers.forEach((lever, i) => console.log(`  ${lever.label.padEnd(44)} ${ms(perTile[i])}   × ${(perTile[i] / perTile[0]).toFixed(2)}`));
  console.log(`  int8 QDQ in Node ('all'): ${nodeInt8[1].toFixed(1)} ms against ${nodeInt8[0].toFixed(1)} ms float (× ${(nodeInt8[1] / nodeInt8[0]).toFixed(2)}); its output is ${int8Agreement.toFixed(1)} dB PSNR from the float model's on the photo's first tile (not shipped: it fails the quality check, RESULTS §2, npm run study:int8)`);
  const peak = web.peaks.map((times) => (times === null ? null : (FLOPS_PER_STEP * PEAK_STEPS) / median(times) / 1e6));
  const convRate = ablations[3].convFlops / convs / 1e6;
  console.log('(g) the ceiling of wasm SIMD on this machine: a register-blocked kernel on one thread, in the page');
  console.log(`  f32x4.mul + f32x4.add (what ORT-web's wasm uses): ${peak[0]!.toFixed(1)} GFLOP/s per thread`);
  console.log(`  f32x4.relaxed_madd (relaxed SIMD): ${peak[1] === null ? 'not available in this browser' : `${peak[1].toFixed(1)} GFLOP/s per thread`}`);
  const kernelShare = convRate / (peak[0]! * web.threads);
  console.log(`  ORT-web's convolutions: ${convRate.toFixed(1)} GFLOP/s on ${web.threads} threads, ${(100 * kernelShare).toFixed(0)} % of ${web.threads} × the mul + add kernel`);
  console.log(`  so even convolutions at wasm SIMD's own limit, and nothing else costing anything, would give node_ms / web_ms ≤ ${(convCeiling / kernelShare).toFixed(2)}`);
  console.log(`\nraw (ms): web restore ${web.restore.map((t) => t.toFixed(0)).join(', ')}; bare ${web.bare.map((t) => t.toFixed(0)).join(', ')}; web analysis ${web.analysis.map((t) => t.toFixed(0)).join(', ')}; KL rule ${web.analysisKl.map((t) => t.toFixed(0)).join(', ')}`);
} finally {
  await close();
}
