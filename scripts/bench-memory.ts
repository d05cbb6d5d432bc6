/**
 * npm run bench:memory — the peak memory of restoring a 6, 12 and 24 MP photo in the built app, in
 * headless Chromium on wasm, driven as a user does (file input, Restore, the download link).
 *
 * Every 250 ms it asks the DevTools protocol, for the page and each of its workers, for
 * Runtime.getHeapUsage: the JS heap in use, and the backing stores of ArrayBuffers (the photo's RGBA
 * copies, the tiles' tensors). V8 leaves wasm memory out of those, so each worker is attached as it
 * starts and its WebAssembly.Memory objects are watched: onnxruntime's threads share one memory,
 * counted once. The threads' own small JS heaps (workers of the worker) are not attached. Canvas
 * and ImageBitmap pixels live in Chromium's own memory and are not in these figures either.
 *
 *   npm run bench:memory -- [--sizes 6,12,24] [--tile 256] [--prebuilt]   # --prebuilt: serve dist/ as built
 *
 * Sizes are in MP, 3:2; the app refuses photos over its 64 MP limit, so 63 is the largest that runs.
 */
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { chromiumPath } from '../playwright.config';
import { serveStatic } from '../e2e/fixtures/static-server';
import { pattern } from '../e2e/fixtures/unusual-files';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '6,12,24' },
    tile: { type: 'string', default: '256' },
    prebuilt: { type: 'boolean', default: false },
    port: { type: 'string', default: '4183' },
  },
});

const ROOT = join(import.meta.dirname, '..');
const MB = 1024 * 1024;

/** A 3:2 photo of about `megapixels` MP: coloured quadrants and gradients plus noise, as a JPEG (q 90). */
async function photoOf(megapixels: number): Promise<{ width: number; height: number; jpeg: Buffer }> {
  const width = Math.round(Math.sqrt(megapixels * 1e6 * 1.5));
  const height = Math.round(width / 1.5);
  const base = pattern(width, height);
  for (let i = 0; i < base.data.length; i++) base.data[i] = Math.max(0, Math.min(255, base.data[i] + ((i * 2654435761) >>> 27) - 16));
  const jpeg = await sharp(base.data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  return { width, height, jpeg };
}

interface Sample {
  heap: number;
  arrayBuffers: number;
  wasm: number;
}

/**
 * Watches `WebAssembly.Memory` in a worker, installed before the worker's first line runs: V8 counts
 * no wasm memory in Runtime.getHeapUsage, and onnxruntime keeps its memory out of reach, so the
 * constructor keeps a weak list of what it made.
 */
const WATCH_WASM_MEMORY = `(() => {
  const Original = WebAssembly.Memory;
  const made = [];
  function Memory(descriptor) { const memory = new Original(descriptor); made.push(new WeakRef(memory)); return memory; }
  Memory.prototype = Original.prototype;
  WebAssembly.Memory = Memory;
  self.gridsBenchWasmBytes = () => made.reduce((largest, ref) => Math.max(largest, ref.deref()?.buffer.byteLength ?? 0), 0);
})()`;

/**
 * The page and its workers through the page's DevTools session: each worker is attached as it
 * starts (paused until WATCH_WASM_MEMORY is in), and answers through Target.sendMessageToTarget
 * (Playwright gives workers no session of their own).
 */
class Targets {
  private workers = new Set<string>();
  private nextId = 1;
  private pending = new Map<number, (value: unknown) => void>();

  private constructor(private readonly cdp: CDPSession) {}

  static async watch(cdp: CDPSession): Promise<Targets> {
    const targets = new Targets(cdp);
    cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
      const reply = JSON.parse(message) as { id?: number; result?: unknown };
      const waiter = reply.id !== undefined ? targets.pending.get(reply.id) : undefined;
      targets.pending.delete(reply.id!);
      waiter?.(reply.result ?? null);
    });
    cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
      if (targetInfo.type !== 'worker') return;
      targets.workers.add(sessionId);
      void targets.call(sessionId, 'Runtime.evaluate', { expression: WATCH_WASM_MEMORY }).then(() => targets.call(sessionId, 'Runtime.runIfWaitingForDebugger'));
    });
    cdp.on('Target.detachedFromTarget', ({ sessionId }) => targets.workers.delete(sessionId));
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
    return targets;
  }

  /** One call into a worker; a worker busy past the timeout gives null (a skipped sample, never a hang). */
  private call<T>(sessionId: string, method: string, params: object = {}, timeoutMs = 2000): Promise<T | null> {
    const id = this.nextId++;
    return new Promise<T | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, timeoutMs);
      this.pending.set(id, (value) => {
        clearTimeout(timer);
        resolve(value as T);
      });
      this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => undefined);
    });
  }

  /** The JS heaps and ArrayBuffer stores of the page and every worker, and the largest wasm memory. */
  async sample(): Promise<Sample> {
    const page = await this.cdp.send('Runtime.getHeapUsage');
    let heap = page.usedSize, arrayBuffers = page.backingStorageSize ?? 0, wasm = 0;
    await Promise.all([...this.workers].map(async (sessionId) => {
      const usage = await this.call<{ usedSize: number; backingStorageSize?: number }>(sessionId, 'Runtime.getHeapUsage');
      heap += usage?.usedSize ?? 0;
      arrayBuffers += usage?.backingStorageSize ?? 0;
      const bytes = await this.call<{ result: { value?: number } }>(sessionId, 'Runtime.evaluate', { expression: 'self.gridsBenchWasmBytes?.() ?? 0', returnByValue: true });
      wasm = Math.max(wasm, bytes?.result.value ?? 0);
    }));
    return { heap, arrayBuffers, wasm };
  }
}

async function restoreAndMeasure(page: Page, targets: Targets, photo: { width: number; height: number; jpeg: Buffer }) {
  await page.goto('/');
  await page.getByTestId('model-status').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 120_000 });
  const summary = page.locator('summary', { hasText: 'Settings' });
  await summary.click();
  await page.getByTestId('setting-tile').selectOption(args.tile!);
  await summary.click();

  // Wasm memory only grows, so its peak is its largest sample; the JS side is taken where its sum peaks.
  let peak = { heap: 0, arrayBuffers: 0, wasm: 0 };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = await targets.sample();
      if (s.heap + s.arrayBuffers > peak.heap + peak.arrayBuffers) peak = { ...s, wasm: peak.wasm };
      peak.wasm = Math.max(peak.wasm, s.wasm);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();

  const start = performance.now();
  await page.getByTestId('file-input').setInputFiles([{ name: 'large.jpg', mimeType: 'image/jpeg', buffer: photo.jpeg }]);
  const refused = page.locator('[data-testid="batch-item"][data-status="error"]');
  await page.locator('[data-testid="analysis-card"][data-state="done"]').or(refused).waitFor({ timeout: 600_000 });
  if (await refused.count()) throw new Error(`the app refused the photo: ${await refused.textContent()}`);
  const analysed = performance.now();
  // The first group, whatever the analysis chose: a photo judged undamaged would not be restored at all.
  const override = page.getByTestId('group-override');
  await override.selectOption({ index: 1 });
  await page.getByTestId('restore-button').click();
  await page.getByTestId('download-link').waitFor({ timeout: 1_800_000 });
  const restored = performance.now();
  sampling = false;
  await sampler;
  return { ...peak, analysisS: (analysed - start) / 1000, restoreS: (restored - analysed) / 1000 };
}

if (!args.prebuilt) execFileSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
const server = await serveStatic(join(ROOT, 'dist'), Number(args.port));
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const rows = [];
  for (const megapixels of args.sizes!.split(',').map(Number)) {
    const photo = await photoOf(megapixels);
    const context = await browser.newContext({ baseURL: server.origin, serviceWorkers: 'block' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const targets = await Targets.watch(cdp);
    const m = await restoreAndMeasure(page, targets, photo);
    await cdp.detach();
    await context.close();
    const mp = (photo.width * photo.height) / 1e6;
    const total = m.heap + m.arrayBuffers + m.wasm;
    rows.push({ mp, total });
    console.log(
      `${photo.width} × ${photo.height} (${mp.toFixed(1)} MP): peak ${(total / MB).toFixed(0)} MiB = JS heaps ${(m.heap / MB).toFixed(0)} + ArrayBuffers ${(m.arrayBuffers / MB).toFixed(0)} ` +
        `(at the largest sum) + wasm ${(m.wasm / MB).toFixed(0)}; ${(total / MB / mp).toFixed(1)} MiB per MP; analysis ${m.analysisS.toFixed(1)} s, restore ${m.restoreS.toFixed(1)} s`,
    );
  }
  if (rows.length > 1) {
    const [first, last] = [rows[0], rows[rows.length - 1]];
    console.log(`growth ${first.mp.toFixed(0)} → ${last.mp.toFixed(0)} MP: memory × ${(last.total / first.total).toFixed(2)} for pixels × ${(last.mp / first.mp).toFixed(2)} (aim: peak < 1.5 GB at 24 MP, growing no faster than the pixels)`);
  }
} finally {
  await browser.close();
  await server.close();
}
