/**
 * The learned router in the app (the default rule when the shipped manifest has one), on the four real
 * photographs of the e2e suite (REAL_PHOTOS: public-domain monochrome and sepia prints, 384 px wide),
 * degraded here by the core code with the suite's fixed seed:
 * - each of the 11 degradations goes to the group that holds it on at least 3 of the 4 photos;
 * - the clean photos get "No damage found" and are kept as they are; so are the same photos with a
 *   shallow depth of field (the upper 60 % defocused by a disk of radius 6, a sharp foreground below:
 *   a geometry unlike the training's synthetic bokeh, an ellipse); the group their card points at, the
 *   most likely damage after clean, is a blur's group, a known failure marked as such;
 * - a colour cast (none of the 11) gets the OOD badge on at least 3 of the 4 photos, naming a cue the
 *   cast moves (its colour balance, or its clipped highlights), and no clean photo gets it;
 * - the same photos blurred by another tool's kernels (libvips: Gaussian, a disk, a one-sided trail)
 *   never get "No damage found", and saved as JPEG q90 by libjpeg they do not get the OOD badge;
 * - hazy photos get the OOD badge, all four (haze is one of the two kinds the router's outlier
 *   exposure leaves out, so this is damage it never saw), and are kept as they are;
 * - the paper's KL rule can still be chosen in Settings, and the card then shows the KL rule's own
 *   choice: the one `grids select --rule kl` makes on the same file.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test, expect, type Page } from '@playwright/test';
import sharp, { type Sharp } from 'sharp';
import { DEGRADATION_IDS } from '../src/core/degradations/ids';
import { parseManifest, type Manifest } from '../src/core/manifest';
import { batchItem, modelsInstalled, uploadAndAnalyse, useRoutingRule } from './fixtures/app-page';
import { ROOT } from './fixtures/harness-server';
import { decodePngRgb, encodeRgbPng, REAL_PHOTOS, realPhoto, type GeneratedPhoto } from './fixtures/photos';
import { convolve, diskKernel } from '../src/core/degradations/index';
import { createImage, quantize8 } from '../src/core/image';

let manifest: Manifest;

/** What the card shows for one photo: the rule, the group it points at, the verdict and the badge. */
async function card(page: Page, name: string) {
  const row = batchItem(page, name);
  const id = await row.getAttribute('data-item-id');
  await row.getByTestId('select-item').click();
  const c = page.locator(`[data-testid="item-detail"][data-item-id="${id}"] [data-testid="analysis-card"][data-state="done"]`);
  await c.waitFor({ timeout: 60_000 });
  const verdict = c.getByTestId('analysis-verdict');
  return {
    rule: await c.getByTestId('routing-rule').getAttribute('data-rule'),
    group: (await c.getByTestId('chosen-group').getAttribute('data-group-id'))!,
    reason: (await verdict.count()) ? await verdict.getAttribute('data-reason') : null,
    model: (await verdict.count()) ? await verdict.getAttribute('data-model') : null,
    ood: (await c.getByTestId('ood-badge').count()) > 0,
    /** The descriptor patches the distances in "Why this group?" come from. */
    patches: Number(await c.getByTestId('why-distances').getAttribute('data-patches')),
    unusualCue: (await c.getByTestId('ood-badge').count()) ? await c.getByTestId('ood-badge').getAttribute('data-unusual-cue') : null,
    oodText: (await c.getByTestId('ood-badge').count()) ? await c.getByTestId('ood-badge').textContent() : null,
  };
}

async function photos(degradation: Parameters<typeof realPhoto>[1]): Promise<GeneratedPhoto[]> {
  return Promise.all(REAL_PHOTOS.map((p) => realPhoto(p, degradation)));
}

test.describe('the learned router with the shipped models', () => {
  test.beforeEach(async ({ page }) => {
    test.skip(!(await modelsInstalled(page)), 'no models installed in public/models');
    manifest = parseManifest(await (await page.request.get('/models/manifest.json')).json());
    test.skip(!manifest.router, 'the installed manifest has no router');
    await page.goto('/');
  });

  test('each of the 11 degradations is routed to its group on at least 3 of the 4 real photos', async ({ page }) => {
    test.setTimeout(600_000);
    const set = (await Promise.all(DEGRADATION_IDS.map((d) => photos(d)))).flat();
    await uploadAndAnalyse(page, set.map((p) => p.upload), { timeout: 480_000 });
    const right: Record<string, string[]> = {};
    for (const photo of set) {
      const shown = await card(page, photo.name);
      expect(shown.rule).toBe('router');
      expect(shown.patches).toBe(manifest.router!.descriptorPatches ?? manifest.descriptor.input.patchCount);
      const members = manifest.groups.find((g) => g.id === shown.group)?.members ?? [];
      (right[photo.degradation] ??= []).push(`${photo.name}: ${shown.group}${members.includes(photo.degradation as never) ? ' ✓' : ''}`);
    }
    await test.info().attach('routing.json', { body: JSON.stringify(right, null, 2), contentType: 'application/json' });
    for (const id of DEGRADATION_IDS) {
      const ok = right[id].filter((line) => line.endsWith('✓')).length;
      expect.soft(ok, `${id}: ${right[id].join('; ')}`).toBeGreaterThanOrEqual(3);
    }
  });

  test('clean photos get "No damage found" and are kept as they are', async ({ page }) => {
    const set = await photos('none');
    await uploadAndAnalyse(page, set.map((p) => p.upload));
    for (const photo of set) {
      const shown = await card(page, photo.name);
      expect.soft(shown.reason, photo.name).toBe('no-damage');
      expect.soft(shown.model, photo.name).toBe('none');
      expect.soft(shown.ood, `${photo.name}: OOD badge`).toBe(false);
      await expect.soft(page.getByTestId('analysis-verdict')).toContainText('No damage found');
    }
  });

  /** The four photos with the upper 60 % defocused by a disk of radius 6 behind a sharp foreground (a 6 px transition). */
  const shallowDepthOfField = () => Promise.all(REAL_PHOTOS.map(async (p) => {
    const photo = await decodePngRgb((await realPhoto(p, 'none')).degraded);
    const background = convolve(photo, diskKernel(6), 'reflect');
    const out = createImage(photo.width, photo.height, new Float32Array(photo.data));
    const edge = Math.round(photo.height * 0.6);
    for (let y = 0; y < photo.height; y++) {
      const t = Math.min(1, Math.max(0, (edge - y) / 6)); // a 6 px transition
      for (let i = y * photo.width * 3; i < (y + 1) * photo.width * 3; i++) out.data[i] = t * background.data[i] + (1 - t) * photo.data[i];
    }
    const name = `${p}.bokeh.png`;
    return { name, upload: { name, mimeType: 'image/png', buffer: await encodeRgbPng(quantize8(out)) } };
  }));

  test('a sharp foreground in front of a defocused background gets "No damage found" and is kept as it is, not deblurred', async ({ page }) => {
    const set = await shallowDepthOfField();
    await uploadAndAnalyse(page, set.map((p) => p.upload));
    for (const photo of set) {
      const shown = await card(page, photo.name);
      expect.soft(shown.reason, photo.name).toBe('no-damage');
      expect.soft(shown.model, photo.name).toBe('none');
    }
  });

  // Known failure since the router was trained on the blur families: on all four prints P(clean) keeps the
  // photo ("No damage found", above), but the group the card points at, the most likely damage after clean,
  // is the motion and defocus group (`grids select` on the same files). Marked so that it is seen once it passes.
  test('a sharp foreground in front of a defocused background: the group the card points at holds none of the blurs', async ({ page }) => {
    test.fail();
    const set = await shallowDepthOfField();
    await uploadAndAnalyse(page, set.map((p) => p.upload));
    for (const photo of set) {
      const shown = await card(page, photo.name);
      const members = manifest.groups.find((g) => g.id === shown.group)?.members ?? [];
      for (const blur of ['gaussian_blur', 'motion_blur', 'defocus_blur']) expect.soft(members, `${photo.name}: ${shown.group}`).not.toContain(blur);
    }
  });

  test('a colour cast gets the OOD badge on at least 3 of the 4 photos, and the badge names a cue a colour cast moves', async ({ page }) => {
    const set = await photos('colour_cast');
    await uploadAndAnalyse(page, set.map((p) => p.upload));
    const flagged: string[] = [];
    for (const photo of set) {
      const shown = await card(page, photo.name);
      if (!shown.ood) continue;
      flagged.push(photo.name);
      // The cast scales one channel's edges against the others' (grey edge) and clips the boosted channel.
      expect.soft(shown.unusualCue, photo.name).toMatch(/^(edge_(red|blue)_over_green|log_white_share)$/);
      expect.soft(shown.oodText, photo.name).toMatch(/Most unusual: (its colours lean one way|many highlights are clipped)/);
      // None of the 11 is there, so the photo is kept, and the badge says no model is made for it.
      expect.soft(shown.model, photo.name).toBe('none');
      expect.soft(shown.reason, photo.name).toBe('unfamiliar');
      expect.soft(shown.oodText, photo.name).toContain('none of them is made for what is off here');
    }
    expect(flagged.length, `flagged: ${flagged.join(', ')}`).toBeGreaterThanOrEqual(3);
  });

  /**
   * The four photos blurred by libvips (through sharp), not by the project's code: its Gaussian blur,
   * a uniform disk (a hard-edged pillbox of integer taps, as ImageMagick's Disk kernel) and a motion
   * trail (a one-sided line of equal taps, as a camera panning during the exposure).
   */
  const blurredByAnotherTool = async () => {
    const disk = (r: number) => Array.from({ length: (2 * r + 1) ** 2 }, (_, i) => (Math.hypot((i % (2 * r + 1)) - r, Math.floor(i / (2 * r + 1)) - r) <= r ? 1 : 0));
    const trail = (n: number) => Array.from({ length: (2 * n + 1) ** 2 }, (_, i) => (Math.floor(i / (2 * n + 1)) === n && i % (2 * n + 1) >= n ? 1 : 0));
    const blurs: [string, (s: Sharp) => Sharp][] = [
      ['vips-gaussian', (s) => s.blur(3)],
      ['vips-disk', (s) => s.convolve({ width: 11, height: 11, kernel: disk(5) })],
      ['vips-trail', (s) => s.convolve({ width: 25, height: 25, kernel: trail(12) })],
    ];
    return Promise.all(REAL_PHOTOS.flatMap((p) => blurs.map(async ([kind, blur]) => {
      const clean = (await realPhoto(p, 'none')).degraded;
      const name = `${p}.${kind}.png`;
      return { name, upload: { name, mimeType: 'image/png', buffer: await blur(sharp(clean)).png().toBuffer() } };
    })));
  };

  test('photos blurred by another tool\'s kernel never get "No damage found"', async ({ page }) => {
    const set = await blurredByAnotherTool();
    await uploadAndAnalyse(page, set.map((p) => p.upload));
    for (const photo of set) {
      const shown = await card(page, photo.name);
      expect.soft(shown.reason, photo.name).not.toBe('no-damage');
      await expect.soft(page.getByTestId('analysis-verdict'), photo.name).not.toContainText('No damage found');
    }
  });

  test('clean photos saved as JPEG q90 by libjpeg (through sharp) do not get the OOD badge', async ({ page }) => {
    const set = await Promise.all(REAL_PHOTOS.map(async (p) => {
      const name = `${p}.q90.jpg`;
      return { name, upload: { name, mimeType: 'image/jpeg', buffer: await sharp((await realPhoto(p, 'none')).degraded).jpeg({ quality: 90 }).toBuffer() } };
    }));
    await uploadAndAnalyse(page, set.map((p) => p.upload));
    for (const photo of set) expect.soft((await card(page, photo.name)).ood, photo.name).toBe(false);
  });

  // The OOD score reads the router's energy (the router is trained to spread its belief on six other
  // kinds of damage; haze is not among them), the DDR distance and the photo's tone anomaly. These
  // old prints are low in contrast to begin with; hazed, under `grids select` they score 0.97-0.99
  // against a threshold of 0.94.
  test('hazy photos get the OOD badge and are kept as they are', async ({ page }) => {
    const set = await photos('haze');
    await uploadAndAnalyse(page, set.map((p) => p.upload));
    for (const photo of set) {
      const shown = await card(page, photo.name);
      expect.soft(shown.ood, photo.name).toBe(true);
      expect.soft(shown.model, photo.name).toBe('none');
      expect.soft(shown.reason, photo.name).toBe('unfamiliar');
      expect.soft(shown.oodText, photo.name).toContain('none of them is made for what is off here');
    }
  });

  test('the paper\'s KL rule can still be chosen, and the card shows its own choice', async ({ page }) => {
    const set = [...(await photos('gaussian_noise')), ...(await photos('motion_blur'))];
    await uploadAndAnalyse(page, set.map((p) => p.upload));
    await useRoutingRule(page, 'kl');
    const dir = join(ROOT, '.tmp/e2e-routing');
    await mkdir(dir, { recursive: true });
    const files = [];
    for (const photo of set) {
      const file = join(dir, photo.name);
      await writeFile(file, photo.degraded);
      files.push(file);
    }
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/grids.mjs'), 'select', '--rule', 'kl', ...files], { cwd: ROOT, maxBuffer: 64 << 20 });
    const cli = JSON.parse(stdout) as { chosen: string; rule: string }[];
    for (const [i, photo] of set.entries()) {
      const shown = await card(page, photo.name);
      expect.soft(shown.rule, photo.name).toBe('kl');
      expect.soft(shown.group, photo.name).toBe(cli[i].chosen);
      // Analysed again for the KL rule, which reads every planned descriptor patch (the router may read fewer).
      expect.soft(shown.patches, photo.name).toBe(manifest.descriptor.input.patchCount);
    }
  });
});
