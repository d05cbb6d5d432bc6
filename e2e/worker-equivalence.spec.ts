import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test, expect, chromium } from '@playwright/test';
import { chromiumPath } from '../playwright.config';
import { configureClient, openHarness } from './fixtures/harness-page';
import { ROOT, startHarness, type HarnessServer } from './fixtures/harness-server';
import { fromBase64, testPhoto, writePhotoPng } from './fixtures/images';
import { testZoo } from './fixtures/zoo';

/**
 * The inference worker in Chromium against the Node CLI, through the real client and the real
 * built worker (served by the e2e harness page: see fixtures/vite.harness.config.ts for why).
 */
const baseArgs = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const CLI = join(ROOT, 'bin/grids.mjs');
const WORK = join(ROOT, '.tmp/e2e-worker');

let server: HarnessServer;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startHarness();
});

test.afterAll(async () => {
  await server?.close();
});

async function cli<T>(args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as T;
}

interface CliSelection {
  chosen: string;
  distance: number;
  groups: { id: string; distance: number }[];
  degradations: { id: string; distance: number }[];
  ggd: { sigma: number; beta: number };
  /** The model `grids restore` uses without --group: a group id, 'baseline' or 'none'. */
  automatic: string;
  rule: 'router' | 'kl';
  probabilities: Record<string, number> | null;
  oodScore: number;
  jpegCheck: { probability: number; fired: boolean } | null;
  /** How many descriptor patches the distances come from (the rule decides it). */
  descriptorPatches: number;
}

test('analysis in the browser (wasm) equals `grids select` on the same image and manifest', async ({ browser }) => {
  const zoo = await testZoo();
  const page = await openHarness(browser, server.url);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  await configureClient(page, zoo, { preferWebgpu: false, tile: 64, overlap: 16 });

  // A blur, and a JPEG that the JPEG check (when the manifest has one) should see.
  for (const [seed, degradation] of [[4, 'gaussian_blur'], [7, 'jpeg']] as const) {
    const photo = await testPhoto(96, 80, { seed, degradation });
    const png = join(WORK, `analysis-${degradation}.png`);
    await writePhotoPng(photo, png);
    const [node] = await cli<CliSelection[]>(['select', '--manifest', zoo.manifestPath, png]);
    const web = await page.evaluate((wire) => window.gridsHarness.client!.analyse(window.gridsHarness.image(wire)), photo.wire);

    expect(web.backend).toBe('wasm');
    expect(web.chosen, degradation).toBe(node.chosen);
    // Both decide with the same rule and reach the same model.
    expect(web.automatic.rule).toBe(node.rule);
    expect(web.automatic.model).toEqual(node.automatic === 'baseline' || node.automatic === 'none' ? { kind: node.automatic } : { kind: 'group', id: node.automatic });
    // The router's probabilities agree to 1e-4 (same patch features in core, same ONNX graph).
    expect(web.automatic.router === null, 'both or neither run a router').toBe(node.probabilities === null);
    if (web.automatic.router && node.probabilities) {
      for (const [c, p] of Object.entries(node.probabilities)) expect(Math.abs((web.automatic.router.probabilities as Record<string, number>)[c] - p), `P(${c})`).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(web.oodScore - node.oodScore)).toBeLessThanOrEqual(1e-4);
    }
    // `distance` is the KL distance of the group the rule chose (the router's, by default).
    expect(Math.abs(web.groups.find((g) => g.id === node.chosen)!.distance - node.distance)).toBeLessThanOrEqual(1e-4);
    expect(web.groups.map((g) => g.id)).toEqual(node.groups.map((g) => g.id));
    for (const [mine, theirs] of [[web.groups, node.groups], [web.degradations, node.degradations]] as const) {
      const byId = new Map(theirs.map((d) => [d.id, d.distance]));
      for (const d of mine) expect(Math.abs(d.distance - byId.get(d.id)!), `${d.id} distance`).toBeLessThanOrEqual(1e-4);
    }
    expect(web.ggd.sigma).toBeCloseTo(node.ggd.sigma, 4);
    expect(web.ggd.beta).toBeCloseTo(node.ggd.beta, 4);
    expect(web.jpegCheck === null, 'both or neither apply a JPEG check').toBe(node.jpegCheck === null);
    if (web.jpegCheck && node.jpegCheck) {
      expect(Math.abs(web.jpegCheck.probability - node.jpegCheck.probability)).toBeLessThanOrEqual(1e-3);
      expect(web.jpegCheck.fired).toBe(node.jpegCheck.fired);
    }
    expect(web.descriptorPatches).toBe(node.descriptorPatches);
    // The KL rule, asked for by name: it reads every planned patch (the default rule may read fewer), in both.
    const [nodeKl] = await cli<CliSelection[]>(['select', '--manifest', zoo.manifestPath, '--rule', 'kl', png]);
    const webKl = await page.evaluate((wire) => window.gridsHarness.client!.analyse(window.gridsHarness.image(wire), 'kl'), photo.wire);
    expect([webKl.automatic.rule, nodeKl.rule]).toEqual(['kl', 'kl']);
    expect(webKl.descriptorPatches).toBe(zoo.manifest.descriptor.input.patchCount);
    expect(nodeKl.descriptorPatches).toBe(zoo.manifest.descriptor.input.patchCount);
    expect(webKl.chosen, `${degradation} (KL rule)`).toBe(nodeKl.chosen);
    const klById = new Map(nodeKl.groups.map((g) => [g.id, g.distance]));
    for (const g of webKl.groups) expect(Math.abs(g.distance - klById.get(g.id)!), `${g.id} distance (KL rule)`).toBeLessThanOrEqual(1e-4);
    console.log(`[${zoo.source} zoo] ${degradation}: ${web.automatic.rule} rule chose ${web.chosen} (CLI ${node.chosen}) at KL distance ${node.distance.toFixed(4)}, P(JPEG) ${web.jpegCheck?.probability.toFixed(4) ?? '–'} (CLI ${node.jpegCheck?.probability.toFixed(4) ?? '–'}), in ${web.milliseconds.toFixed(0)} ms`);
  }

  // An image smaller than a descriptor patch is refused in the user's terms.
  const side = zoo.manifest.descriptor.input.patchSize - 1;
  const tiny = await testPhoto(side, side);
  const message = await page.evaluate((wire) => window.gridsHarness.client!.analyse(window.gridsHarness.image(wire)).then(() => 'resolved', (e: Error) => e.message), tiny.wire);
  expect(message).toMatch(/too small to analyse/);
});

test('restoration in the browser (wasm) matches `grids restore`, keeps alpha and grayscale, reports every tile', async ({ browser }) => {
  const zoo = await testZoo();
  const group = zoo.manifest.groups[0].id;
  const photo = await testPhoto(150, 90, { seed: 6, degradation: 'jpeg' });
  const png = join(WORK, 'restore-in/photo.png');
  await writePhotoPng(photo, png);
  await cli(['restore', '--manifest', zoo.manifestPath, '--in', join(WORK, 'restore-in'), '--out', join(WORK, 'restore-out'), '--group', group, '--tile', '64']);
  const sharp = (await import('sharp')).default;
  const node = await sharp(join(WORK, 'restore-out/photo.png')).ensureAlpha().raw().toBuffer();

  const page = await openHarness(browser, server.url);
  // The CLI tiles with --tile 64 and its default 16 px overlap.
  await configureClient(page, zoo, { preferWebgpu: false, tile: 64, overlap: 16 });
  const web = await page.evaluate(
    async ({ wire, group }) => {
      const h = window.gridsHarness;
      const progress: { done: number; total: number; etaMs: number | null }[] = [];
      const result = await h.client!.restore(h.image(wire), { kind: 'group', id: group }, (p) => progress.push(p));
      return { ...result, rgba: h.toBase64(result.rgba), progress };
    },
    { wire: photo.wire, group },
  );
  expect(web.backend).toBe('wasm');
  expect(web.tiles).toBe(6);
  expect(web.progress.map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  expect(web.progress[0].etaMs).toBeNull();
  const rgba = fromBase64(web.rgba);
  let worst = 0;
  let differing = 0;
  for (let i = 0; i < rgba.length; i++) {
    const d = Math.abs(rgba[i] - node[i]);
    worst = Math.max(worst, d);
    if (d) differing++;
  }
  // wasm and onnxruntime-node round the same floats; at most a rare one-level flip.
  expect(worst).toBeLessThanOrEqual(1);
  expect(differing / rgba.length).toBeLessThan(0.01);

  // Alpha passes through; a grayscale photo comes back grayscale.
  const gray = await testPhoto(64, 48, { seed: 8, gray: true });
  for (let p = 0; p < 64 * 48; p++) gray.rgba[p * 4 + 3] = (p * 13) % 256;
  gray.wire.rgba = Buffer.from(gray.rgba.buffer, gray.rgba.byteOffset, gray.rgba.byteLength).toString('base64');
  const restoredGray = fromBase64(
    await page.evaluate(
      async ({ wire, group }) => {
        const h = window.gridsHarness;
        return h.toBase64((await h.client!.restore(h.image(wire), { kind: 'group', id: group }, () => undefined)).rgba);
      },
      { wire: gray.wire, group },
    ),
  );
  for (let p = 0; p < 64 * 48; p++) {
    const [r, g, b, a] = restoredGray.subarray(p * 4, p * 4 + 4);
    if (g !== r || b !== r || a !== (p * 13) % 256) throw new Error(`pixel ${p}: ${[r, g, b, a]} is not gray with alpha ${(p * 13) % 256}`);
  }
});

test('WebGPU (SwiftShader) and wasm give the same restoration on a 64×64 image', async () => {
  const zoo = await testZoo();
  const group = zoo.manifest.groups[0];
  const photo = await testPhoto(64, 64, { seed: 2, degradation: 'gaussian_noise' });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...baseArgs, '--enable-unsafe-webgpu'] });
  try {
    const page = await openHarness(browser, server.url);
    const restore = (preferWebgpu: boolean) =>
      configureClient(page, zoo, { preferWebgpu, tile: 48, overlap: 8 }).then(() =>
        page.evaluate(
          async ({ wire, id }) => {
            const h = window.gridsHarness;
            const result = await h.client!.restore(h.image(wire), { kind: 'group', id }, () => undefined);
            return { backend: result.backend, fallbackReason: result.fallbackReason, rgba: h.toBase64(result.rgba), milliseconds: result.milliseconds };
          },
          { wire: photo.wire, id: group.id },
        ),
      );
    const gpu = await restore(true);
    expect(gpu.fallbackReason).toBeUndefined();
    expect(gpu.backend).toBe('webgpu');
    const cpu = await restore(false);
    expect(cpu.backend).toBe('wasm');

    // 8-bit outputs of the app: equal up to a rare one-level rounding flip.
    const a = fromBase64(gpu.rgba);
    const b = fromBase64(cpu.rgba);
    let worst8 = 0;
    for (let i = 0; i < a.length; i++) worst8 = Math.max(worst8, Math.abs(a[i] - b[i]));
    expect(worst8).toBeLessThanOrEqual(1);

    // The float outputs before quantisation, same tiling, same worker setup: ≤ 1e-3.
    const floats = await page.evaluate(
      async ({ model, wire }) => {
        const h = window.gridsHarness;
        return { webgpu: await h.restoreFloat(model, 'webgpu', wire, 48, 8), wasm: await h.restoreFloat(model, 'wasm', wire, 48, 8) };
      },
      { model: zoo.models[group.model.file], wire: photo.wire },
    );
    expect(floats.webgpu).toHaveLength(64 * 64 * 3);
    let worst = 0;
    for (let i = 0; i < floats.webgpu.length; i++) worst = Math.max(worst, Math.abs(floats.webgpu[i] - floats.wasm[i]));
    console.log(`[${zoo.source} zoo] WebGPU vs wasm on 64×64: max |Δ| = ${worst.toExponential(2)} (float), ${worst8} (8-bit); WebGPU ${gpu.milliseconds.toFixed(0)} ms, wasm ${cpu.milliseconds.toFixed(0)} ms`);
    expect(worst).toBeLessThanOrEqual(1e-3);
  } finally {
    await browser.close();
  }
});
