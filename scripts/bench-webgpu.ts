/**
 * npm run bench:webgpu — the app's restoration and analysis in headless Chromium on WebGPU, on
 * whatever adapter Chromium finds (it prints it), against wasm on the same photo, tiles and worker,
 * in one run. Here (no GPU) the adapter is SwiftShader, a CPU emulation 20–100× slower than wasm:
 * use a small --size. On a GPU machine, run it with Chromium's Vulkan backend:
 *
 *   npm run bench:webgpu -- --size 256x256 --runs 1                    # SwiftShader, this machine
 *   npm run bench:webgpu -- --flags=--enable-features=Vulkan --flags=--use-angle=vulkan   # a real GPU
 *
 * Prints figures and asserts nothing. Options: --size WxH (1152x864), --runs N (3), --tile (256),
 * --overlap (16), --group <id>, --models (public/models), --flags <chromium flag> (repeatable).
 */
import { browserBenchSetup, openHarnessPage } from './bench-browser-setup';

const { args, runs, width, height, tile, overlap, megapixels, port, manifestJson, group, bytes, wire, tiles } =
  await browserBenchSetup({ port: '4183' }, { flags: { type: 'string', multiple: true, default: [] } });
const models = Object.fromEntries(Object.entries(bytes).map(([f, b]) => [f, b.toString('base64')]));
const chromiumFlags = ['--enable-unsafe-webgpu', ...(args.flags as string[])];
console.log(`bench:webgpu — ${width}×${height} (${megapixels.toFixed(3)} MP), ${group.id} (${group.model.arch} w${group.model.width} d${group.model.depth}), tile ${tile}/${overlap} (${tiles} tiles), ${runs} timed run(s) after a warm-up (median); Chromium ${chromiumFlags.join(' ')}`);

const { page, close } = await openHarnessPage(port, chromiumFlags);
try {
  const result = await page.evaluate(
    async ({ manifestJson, models, wire, groupId, tile, overlap, runs }) => {
      const h = window.gridsHarness;
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string>; features: Set<string> } | null> } }).gpu;
      const adapter = gpu ? await gpu.requestAdapter() : null;
      const info = adapter?.info ? { vendor: adapter.info.vendor, architecture: adapter.info.architecture, device: adapter.info.device, description: adapter.info.description } : null;
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
      const image = h.image(wire);
      const measure = async (preferWebgpu: boolean) => {
        const threads = self.crossOriginIsolated ? navigator.hardwareConcurrency : 1;
        const client = await h.configure(manifestJson, models, { preferWebgpu, wasmThreads: threads, tile, overlap });
        let backend = '';
        let fallbackReason: string | undefined;
        const time = async (fn: () => Promise<unknown>) => median(await h.timed(fn, runs));
        const restore = await time(async () => {
          const r = await client.restore(image, { kind: 'group', id: groupId }, () => undefined);
          backend = r.backend;
          fallbackReason = r.fallbackReason;
        });
        const analysis = await time(() => client.analyse(image));
        return { backend, fallbackReason, restore, analysis };
      };
      return { adapter: info, shaderF16: adapter?.features.has('shader-f16') ?? false, webgpu: await measure(true), wasm: await measure(false) };
    },
    { manifestJson, models, wire, groupId: group.id, tile, overlap, runs },
  );
  const a = result.adapter;
  console.log(`adapter: ${a ? `${a.vendor || '?'} / ${a.architecture || '?'} / ${a.device || '?'} (${a.description || 'no description'})` : 'none (WebGPU unavailable)'}; shader-f16: ${result.shaderF16}`);
  const perMp = (ms: number) => `${(ms / megapixels).toFixed(0)} ms/MP`;
  for (const [label, m] of [['WebGPU', result.webgpu], ['wasm', result.wasm]] as const) {
    console.log(`  ${label.padEnd(7)} backend ${m.backend}${m.fallbackReason ? ` (fell back: ${m.fallbackReason})` : ''}: restore ${m.restore.toFixed(0)} ms (${perMp(m.restore)}), analysis ${m.analysis.toFixed(0)} ms`);
  }
  console.log(`  WebGPU / wasm: restore × ${(result.webgpu.restore / result.wasm.restore).toFixed(2)}, analysis × ${(result.webgpu.analysis / result.wasm.analysis).toFixed(2)}`);
} finally {
  await close();
}
