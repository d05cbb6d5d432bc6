/**
 * The screenshots of the app in the README and docs/app.md, taken from the production build with the shipped models:
 *
 *   npx vite build && npm run docs:screenshots
 *   (= node --import ./bin/register.mjs scripts/make-screenshots.ts)
 *
 * Builds nothing itself: it serves dist/ with `vite preview` on a free port, drives Debian's
 * Chromium (CHROMIUM_PATH to use another) at 1280 × 860, and writes
 *
 *   docs/screenshots/main.png     the sample photo with salt & pepper noise, analysed and restored, compare view
 *   docs/screenshots/heatmap.png  the similarity heatmap with the analysed photo's row, one of its cells hovered
 *   docs/screenshots/ood.png      the OOD badge (the default rule) on a real photo under haze, naming what is unusual
 *   docs/screenshots/router.png   the learned router's card on a real photo under motion blur
 *   docs/screenshots/clean.png    a clean real photo: "No damage found"
 *   docs/screenshots/jpeg.png     the paper's KL rule on a real photo under JPEG: the JPEG check's note
 *
 * Every screenshot shows what the app really did: the script fails (rather than saving a picture)
 * when the restore does not finish, the hazy photo does not get the badge, or the JPEG check does not fire.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Locator, type Page } from '@playwright/test';
import { shownAnalysis, uploadAndAnalyse, useRoutingRule } from '../e2e/fixtures/app-page';
import { decodePngRgb, encodeRgbPng, psnrAgainst, realPhoto } from '../e2e/fixtures/photos';
import { degrade } from '../src/core/degradations/registry';
import { freePort } from '../src/cli/io/free-port';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs/screenshots');
const VIEWPORT = { width: 1280, height: 860 };
/** The sample's degradation in main.png: one the shipped zoo routes to its own group (docs/RESULTS.md §8: 100 %). */
const SAMPLE_DEGRADATION = 'salt_pepper';
/** The seed "Try a sample" degrades with (SAMPLE_SEED in src/app/features/import/sample.ts, which only loads in a browser). */
const SAMPLE_SEED = 7;
/**
 * The hazy photo of ood.png: a real public-domain photo (e2e/fixtures/photos.ts) with haze (seed 101),
 * the same file the results e2e test checks; of the four hazy prints, the one the router's badge flags.
 */
const HAZY = 'dust-bowl-home' as const;
/** The photo of jpeg.png: by distance alone its JPEG version is closest to R-L (e2e/app-results.spec.ts). */
const JPEG_PHOTO = 'black-canyon' as const;
/** The photos of router.png (under motion blur) and clean.png (as it is). */
const ROUTER_PHOTO = 'nagasaki-boats' as const;
const CLEAN_PHOTO = 'french-alpine-landscape' as const;

async function startPreview(port: number): Promise<ChildProcess> {
  const child = spawn(join(ROOT, 'node_modules/.bin/vite'), ['preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite preview exited ${child.exitCode}:\n${log}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`vite preview did not answer on port ${port}:\n${log}`);
}

/** Scrolls the page just enough that `target` is in view, its bottom edge 24 px above the viewport's. */
async function showBottomOf(page: Page, target: Locator): Promise<void> {
  const box = await target.boundingBox();
  if (!box) throw new Error('the element to show is not rendered');
  await page.evaluate((y) => window.scrollBy(0, Math.max(0, y)), box.y + box.height + 24 - VIEWPORT.height);
}

async function main(page: Page): Promise<void> {
  await page.getByTestId('sample-degradation').selectOption(SAMPLE_DEGRADATION);
  await page.getByTestId('sample-button').click();
  await page.locator('[data-testid="analysis-card"][data-state="done"]').waitFor({ timeout: 120_000 });
  const analysis = await shownAnalysis(page, `test-scene.${SAMPLE_DEGRADATION}.png`);
  await page.getByTestId('restore-button').click();
  await page.getByTestId('download-link').waitFor({ timeout: 120_000 });
  await page.getByTestId('restored-canvas').waitFor();
  // The restored PNG against the clean sample, for the log.
  const download = page.waitForEvent('download');
  await page.getByTestId('download-link').click();
  const restored = await readFile(await (await download).path());
  // The same degraded sample as the app's (core code, seed 7), to report the input PSNR too.
  const clean = await readFile(join(ROOT, 'public/samples/test-scene.png'));
  const degraded = await encodeRgbPng(degrade(await decodePngRgb(clean), SAMPLE_DEGRADATION, SAMPLE_SEED).image);
  console.log(
    `main.png: sample with ${SAMPLE_DEGRADATION} → ${analysis.group} (distance ${analysis.distance.toFixed(2)}), PSNR ${(await psnrAgainst(degraded, clean)).toFixed(2)} → ${(await psnrAgainst(restored, clean)).toFixed(2)} dB`,
  );
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(OUT, 'main.png') });

  // The heatmap, with this photo's extra row and one of its cells under the pointer.
  const section = page.getByTestId('similarity-section');
  await section.scrollIntoViewIfNeeded();
  const cell = page.locator(`[data-testid="heatmap-cell"][data-row="input"][data-col="${SAMPLE_DEGRADATION}"]`);
  await cell.hover();
  await page.getByTestId('heatmap-readout').filter({ hasText: 'Your photo' }).waitFor();
  await section.screenshot({ path: join(OUT, 'heatmap.png') });
  console.log(`heatmap.png: ${(await page.getByTestId('heatmap-readout').textContent())?.trim()}`);
}

/** The OOD badge under the default rule (the router's P(OOD)), with the tone cue that stands out. */
async function ood(page: Page): Promise<void> {
  const photo = await realPhoto(HAZY, 'haze');
  await uploadAndAnalyse(page, [photo.upload]);
  const analysis = await shownAnalysis(page, photo.name);
  if (!analysis.ood) throw new Error(`${photo.name} got no OOD badge; not saving ood.png`);
  const badge = page.getByTestId('ood-badge');
  await page.mouse.move(0, 0);
  await showBottomOf(page, badge);
  await page.screenshot({ path: join(OUT, 'ood.png') });
  console.log(`ood.png: ${photo.name}: P(unfamiliar) ${Number(await badge.getAttribute('data-score')).toFixed(2)}, most unusual cue ${await badge.getAttribute('data-unusual-cue')}`);
}

/** The learned router's card on a real photo under motion blur: its probabilities beside the distances. */
async function router(page: Page): Promise<void> {
  const photo = await realPhoto(ROUTER_PHOTO, 'motion_blur');
  await uploadAndAnalyse(page, [photo.upload]);
  const analysis = await shownAnalysis(page, photo.name);
  const card = page.locator('[data-testid="analysis-card"][data-state="done"]');
  if ((await card.getByTestId('routing-rule').getAttribute('data-rule')) !== 'router') throw new Error('the router did not decide; not saving router.png');
  const members = (await page.request.get('/models/manifest.json').then((r) => r.json())).groups.find((g: { id: string }) => g.id === analysis.group)?.members ?? [];
  if (!members.includes('motion_blur')) throw new Error(`${photo.name} went to ${analysis.group}, not the motion-blur group; not saving router.png`);
  const why = card.locator('details', { hasText: 'Why this group?' });
  if (await why.count()) await why.locator('summary').first().click();
  await page.mouse.move(0, 0);
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: join(OUT, 'router.png') });
  console.log(`router.png: ${photo.name} → ${analysis.group} (automatic model ${analysis.automatic})`);
}

/** A clean real photo: "No damage found", kept as it is. */
async function clean(page: Page): Promise<void> {
  const photo = await realPhoto(CLEAN_PHOTO, 'none');
  await uploadAndAnalyse(page, [photo.upload]);
  await shownAnalysis(page, photo.name);
  const verdict = page.getByTestId('analysis-verdict');
  if ((await verdict.getAttribute('data-reason')) !== 'no-damage') throw new Error(`${photo.name} was not found undamaged; not saving clean.png`);
  await page.mouse.move(0, 0);
  const card = page.locator('[data-testid="analysis-card"][data-state="done"]');
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: join(OUT, 'clean.png') });
  console.log(`clean.png: ${photo.name}: ${(await verdict.textContent())?.trim()}`);
}

/** The paper's KL rule with its JPEG check (chosen in Settings). */
async function jpeg(page: Page): Promise<void> {
  await useRoutingRule(page, 'kl');
  const photo = await realPhoto(JPEG_PHOTO, 'jpeg');
  await uploadAndAnalyse(page, [photo.upload]);
  const analysis = await shownAnalysis(page, photo.name);
  if (!analysis.jpegFired) throw new Error(`the JPEG check did not fire on ${photo.name} (went to ${analysis.group}); not saving jpeg.png`);
  await page.mouse.move(0, 0);
  const card = page.locator('[data-testid="analysis-card"][data-state="done"]');
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: join(OUT, 'jpeg.png') });
  console.log(`jpeg.png: ${photo.name} → ${analysis.group} (JPEG check fired; automatic model ${analysis.automatic})`);
}

if (!existsSync(join(ROOT, 'dist/index.html'))) {
  console.error('dist/ is missing: run `npx vite build` first.');
  process.exit(1);
}
await mkdir(OUT, { recursive: true });
const port = await freePort();
const server = await startPreview(port);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  for (const shoot of [main, ood, router, clean, jpeg]) {
    // A fresh page each time, with no service worker: its banners ("ready to work offline", or
    // "offline use is off" where it is blocked) are not the subject, and the latter is dismissed.
    const context = await browser.newContext({ viewport: VIEWPORT, baseURL: `http://127.0.0.1:${port}`, serviceWorkers: 'block', acceptDownloads: true });
    const page = await context.newPage();
    await page.goto('/');
    await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('offline-off').getByRole('button', { name: 'OK' }).click({ timeout: 10_000 });
    await shoot(page);
    await context.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
