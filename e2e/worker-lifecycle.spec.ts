import { test, expect, chromium } from '@playwright/test';
import { chromiumPath } from '../playwright.config';
import { configureClient, openHarness } from './fixtures/harness-page';
import { startHarness, type HarnessServer } from './fixtures/harness-server';
import { fromBase64, testPhoto } from './fixtures/images';
import { testZoo } from './fixtures/zoo';

/**
 * The client's cancel path in Chromium with the real worker: aborting a restore terminates the
 * worker and rejects with AbortError; the next call runs on a fresh worker that the client
 * reconfigured by itself. Also: every request the worker makes stays on our origin (onnxruntime's
 * .mjs/.wasm come from the build's own assets).
 */
let server: HarnessServer;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startHarness();
});

test.afterAll(async () => {
  await server?.close();
});

test('abort terminates the worker, the next call reconfigures a fresh one, and nothing leaves the origin', async ({ browser }) => {
  const zoo = await testZoo();
  const group = zoo.manifest.groups[0].id;
  const big = await testPhoto(384, 256, { seed: 3 });
  const small = await testPhoto(64, 64, { seed: 5 });
  const page = await openHarness(browser, server.url);
  await configureClient(page, zoo, { preferWebgpu: false, tile: 32, overlap: 8 });

  const outcome = await page.evaluate(
    async ({ big, small, group }) => {
      const h = window.gridsHarness;
      const client = h.client!;
      const controller = new AbortController();
      let progressed = 0;
      let afterAbort = 0;
      const cancelled = await client
        .restore(h.image(big), { kind: 'group', id: group }, (p) => {
          if (controller.signal.aborted) afterAbort++;
          progressed = p.done;
          if (p.done === 2) controller.abort();
        }, controller.signal)
        .then(
          () => ({ name: 'resolved', message: '' }),
          (e: DOMException) => ({ name: e.name, message: e.message, isDomException: e instanceof DOMException }),
        );
      // No configure() here: the client re-sends the last one to the fresh worker.
      const restored = await client.restore(h.image(small), { kind: 'group', id: group }, () => undefined);
      const analysed = await client.analyse(h.image(small));
      const before = new AbortController();
      before.abort();
      const early = await client.analyse(h.image(small), undefined, before.signal).then(() => 'resolved', (e: DOMException) => e.name);
      return { cancelled, progressed, afterAbort, tiles: restored.tiles, chosen: analysed.chosen, early };
    },
    { big: big.wire, small: small.wire, group },
  );
  expect(outcome.cancelled).toMatchObject({ name: 'AbortError', isDomException: true });
  // The callback stops at the abort, even though the worker may have posted more progress already.
  expect(outcome.progressed).toBe(2);
  expect(outcome.afterAbort).toBe(0);
  expect(outcome.tiles).toBeGreaterThan(0);
  expect(zoo.manifest.groups.map((g) => g.id)).toContain(outcome.chosen);
  expect(outcome.early).toBe('AbortError');

  const foreign = page.requests.filter((url) => !url.startsWith(server.origin) && !url.startsWith('blob:') && !url.startsWith('data:'));
  expect(foreign).toEqual([]);
  // wasm only here: the plain (non-Asyncify) runtime.
  const runtime = page.requests.filter((url) => /\/assets\/ort-wasm-simd-threaded-[\w-]+\.(mjs|wasm)$/.test(url));
  expect(runtime.map((u) => u.split('.').pop()).sort()).toEqual(expect.arrayContaining(['mjs', 'wasm']));
  // The WebGPU (Asyncify) runtime is loaded only when WebGPU is used.
  expect(page.requests.filter((url) => url.includes('asyncify'))).toEqual([]);
});

test('a WebGPU device lost mid-restore: the worker finishes on wasm and says why', async () => {
  const zoo = await testZoo();
  const group = zoo.manifest.groups[0].id;
  const photo = await testPhoto(64, 64, { seed: 12 });
  const args = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu'];
  const browser = await chromium.launch({ executablePath: chromiumPath, args });
  try {
    const page = await openHarness(browser, server.url);
    const lost = await page.evaluate(
      ({ manifest, models, wire, group }) => window.gridsHarness.restoreLosingDevice(manifest, models, wire, group, 1, 32, 8),
      { manifest: zoo.manifest, models: zoo.models, wire: photo.wire, group },
    );
    expect(lost.lost).toBe(true);
    expect(lost.backend).toBe('wasm');
    expect(lost.fallbackReason).toMatch(/WebGPU stopped working/);
    expect(lost.tiles).toBe(9);

    // The same restore on wasm alone: equal up to a rare one-level rounding flip.
    await configureClient(page, zoo, { preferWebgpu: false, tile: 32, overlap: 8 });
    const wasm = fromBase64(
      await page.evaluate(
        async ({ wire, group }) => {
          const h = window.gridsHarness;
          return h.toBase64((await h.client!.restore(h.image(wire), { kind: 'group', id: group }, () => undefined)).rgba);
        },
        { wire: photo.wire, group },
      ),
    );
    const mixed = fromBase64(lost.rgba);
    let worst = 0;
    for (let i = 0; i < wasm.length; i++) worst = Math.max(worst, Math.abs(wasm[i] - mixed[i]));
    console.log(`device lost after tile 1: ${lost.fallbackReason}; max 8-bit difference from wasm ${worst}`);
    expect(worst).toBeLessThanOrEqual(1);
  } finally {
    await browser.close();
  }
});
