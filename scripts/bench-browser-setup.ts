/**
 * What bench:web and bench:webgpu share: their common options, the shipped zoo's manifest and the
 * model files one restoration and one analysis need, and the JPEG-degraded test scene they time.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { degrade } from '../src/core/degradations/registry';
import { generateTestScene } from '../src/core/degradations/test-scenes';
import { toRgba8 } from '../src/core/image';
import { parseManifest } from '../src/core/manifest';
import { planTiles } from '../src/core/tiling';
import { chromium } from '@playwright/test';
import { chromiumPath } from '../playwright.config';
import { ROOT, startHarness } from '../e2e/fixtures/harness-server';
import type { WireImage } from '../e2e/harness/harness';

export async function browserBenchSetup(defaults: { port: string }, extraOptions: NonNullable<ParseArgsConfig['options']> = {}) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      size: { type: 'string', default: '1152x864' },
      group: { type: 'string' },
      tile: { type: 'string', default: '256' },
      overlap: { type: 'string', default: '16' },
      models: { type: 'string', default: 'public/models' },
      port: { type: 'string', default: defaults.port },
      ...extraOptions,
    },
  });
  const args = values as Record<string, string | string[] | undefined>;
  const [width, height] = String(args.size).split('x').map(Number);
  const tile = Number(args.tile);
  const overlap = Number(args.overlap);
  const modelsDir = join(ROOT, String(args.models));
  const manifestJson = JSON.parse(await readFile(join(modelsDir, 'manifest.json'), 'utf8'));
  const manifest = parseManifest(manifestJson);
  const group = manifest.groups.find((g) => g.id === (args.group ?? manifest.groups[0].id));
  if (!group) throw new Error(`no group "${args.group}" in ${modelsDir}; it has ${manifest.groups.map((g) => g.id).join(', ')}`);
  const files = [...new Set([manifest.descriptor.file, ...(manifest.router ? [manifest.router.file] : []), group.model.file])];
  const bytes = Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(join(modelsDir, f))] as const)));
  const photo = degrade(generateTestScene({ width, height, seed: 11 }), 'jpeg', 11).image;
  const rgba = toRgba8(photo);
  const wire: WireImage = { width, height, rgba: Buffer.from(rgba.buffer).toString('base64') };
  return {
    args, runs: Number(args.runs), width, height, tile, overlap, megapixels: (width * height) / 1e6, port: Number(args.port),
    manifestJson, manifest, group, bytes, photo, wire, tiles: planTiles(width, height, { tile, overlap }).length,
  };
}

/** The worker harness served on `port` and open in headless Chromium (with `flags`); close() ends both. */
export async function openHarnessPage(port: number, flags: string[] = []) {
  const server = await startHarness(port);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...flags] });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    // tsx (esbuild keepNames) wraps named functions in __name(); functions sent to the page need it.
    await page.addInitScript('globalThis.__name = (fn) => fn');
    await page.goto(server.url);
    await page.locator('#harness-status', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
    return { page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
