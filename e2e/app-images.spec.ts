/**
 * Bringing images in: every file gets its own outcome (a clear message for a corrupt, foreign or
 * oversized file; the others carry on), EXIF orientation, alpha and grayscale are recognised, and
 * with the installed models a photo is analysed, restored, cancelled and downloaded.
 */
import { test, expect, type Page } from '@playwright/test';
import sharp from 'sharp';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { watchProblems } from '../src/app/testing/e2e-problems';
import { restoreWithGroupPickedByHand, useRoutingRule } from './fixtures/app-page';
import { pngHeaderOnly } from './fixtures/unusual-files';

type Upload = { name: string; mimeType: string; buffer: Buffer };

async function photo(width: number, height: number, options: { format?: 'png' | 'jpeg'; alpha?: boolean; gray?: boolean; orientation?: number } = {}): Promise<Buffer> {
  const channels = options.alpha ? 4 : 3;
  const raw = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const r = (x * 255) / width;
      raw[i] = r;
      raw[i + 1] = options.gray ? r : (y * 255) / height;
      raw[i + 2] = options.gray ? r : 128 + 60 * Math.sin(x / 7);
      if (options.alpha) raw[i + 3] = x < width / 2 ? 255 : 96;
    }
  }
  let image = sharp(raw, { raw: { width, height, channels } });
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  return options.format === 'jpeg' ? image.jpeg({ quality: 80 }).toBuffer() : image.png().toBuffer();
}

function item(page: Page, name: string) {
  return page.locator(`[data-testid="batch-item"][data-name="${name}"]`);
}

async function modelsInstalled(page: Page): Promise<boolean> {
  const response = await page.request.get('/models/manifest.json');
  return response.ok() && (response.headers()['content-type'] ?? '').includes('json');
}

test.describe('importing images', () => {
  test('a corrupt file, a non-image and an oversized image get their own message; the valid photos carry on', async ({ page }) => {
    await page.goto('/');
    const files: Upload[] = [
      { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('garbage, not a PNG chunk')]) },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, not an image') },
      { name: 'huge.png', mimeType: 'image/png', buffer: pngHeaderOnly(9000, 9000) }, // 81 MP, refused before any pixel is decoded
      { name: 'rotated.jpg', mimeType: 'image/jpeg', buffer: await photo(64, 32, { format: 'jpeg', orientation: 6 }) },
      { name: 'alpha.png', mimeType: 'image/png', buffer: await photo(40, 40, { alpha: true }) },
      { name: 'gray.png', mimeType: 'image/png', buffer: await photo(40, 40, { gray: true }) },
    ];
    await page.getByTestId('file-input').setInputFiles(files);
    await expect(page.getByTestId('batch-item')).toHaveCount(files.length);

    await expect(item(page, 'broken.png').getByTestId('item-error')).toContainText('PNG file is damaged');
    await expect(item(page, 'notes.txt').getByTestId('item-error')).toContainText('not a PNG, JPEG or WebP image');
    await expect(item(page, 'huge.png').getByTestId('item-error')).toContainText('9000 × 9000');
    await expect(item(page, 'huge.png').getByTestId('item-error')).toContainText('64 MP');
    for (const name of ['rotated.jpg', 'alpha.png', 'gray.png']) {
      await expect(item(page, name)).not.toHaveAttribute('data-status', /^(decoding|error)$/);
    }

    // EXIF orientation 6 turns the stored 64 × 32 into a 32 × 64 portrait.
    await item(page, 'rotated.jpg').getByTestId('select-item').click();
    await expect(page.getByTestId('item-facts')).toContainText('32 × 64');
    await item(page, 'alpha.png').getByTestId('select-item').click();
    await expect(page.getByTestId('item-facts')).toContainText('transparency kept');
    await item(page, 'gray.png').getByTestId('select-item').click();
    await expect(page.getByTestId('item-facts')).toContainText('grayscale');
    await item(page, 'broken.png').getByTestId('select-item').click();
    await expect(page.getByTestId('detail-error')).toContainText('damaged');

    if (await modelsInstalled(page)) {
      // The valid photos are analysed although their neighbours failed.
      await item(page, 'gray.png').getByTestId('select-item').click();
      await expect(page.getByTestId('analysis-card')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
      await expect(page.getByTestId('chosen-group')).toHaveAttribute('data-group-id', /.+/);
    }
  });

  test('the viewer zooms with buttons and the wheel, pans by dragging, and fits again', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles([{ name: 'wide.png', mimeType: 'image/png', buffer: await photo(2400, 1200) }]);
    const stage = page.getByTestId('compare-stage');
    const zoom = page.getByTestId('zoom-level');
    await expect(zoom).toHaveText(/^\d+%$/);
    const fitted = await zoom.textContent();
    await page.getByTestId('zoom-in').click();
    await expect(zoom).not.toHaveText(fitted!);
    await page.getByTestId('zoom-actual').click();
    await expect(zoom).toHaveText('100%');
    const canvas = page.getByTestId('original-canvas');
    const before = await canvas.evaluate((c) => getComputedStyle(c).transform);
    const box = (await stage.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => canvas.evaluate((c) => getComputedStyle(c).transform)).not.toBe(before);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => parseInt((await zoom.textContent())!, 10)).toBeGreaterThan(100);
    await stage.focus();
    await page.keyboard.press('0');
    await expect(zoom).toHaveText(fitted!);
  });

  test('a pasted image is imported', async ({ page }) => {
    await page.goto('/');
    const png = (await photo(24, 24)).toString('base64');
    await page.evaluate(async (data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      // The app listens for pastes from an effect after its first render, which may come after
      // page.goto resolves; a paste it handles is default-prevented, so paste once per frame until one is.
      for (let frame = 0; frame < 600; frame++) {
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
        if (!document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }))) return;
        await new Promise(requestAnimationFrame);
      }
      throw new Error('the app never handled the paste');
    }, png);
    await expect(item(page, 'image.png')).toBeVisible();
    await expect(page.getByTestId('item-facts')).toContainText('24 × 24');
  });
});

test.describe('analyse, restore, cancel and download (with the installed models)', () => {
  test.beforeEach(async ({ page }) => {
    test.skip(!(await modelsInstalled(page)), 'no models installed in public/models');
  });

  test('the sample is analysed and restored; the result downloads as a PNG named after it', async ({ page }) => {
    const problems = watchProblems(page);
    await page.goto('/');
    await page.getByTestId('sample-degradation').selectOption('gaussian_noise');
    await page.getByTestId('sample-button').click();
    await expect(page.getByTestId('analysis-card')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
    await expect(page.getByTestId('chosen-group')).toBeVisible();
    await page.getByTestId('why-panel').locator('summary').click();
    const manifest = await (await page.request.get('/models/manifest.json')).json();
    await expect(page.getByTestId('why-degradation')).toHaveCount(manifest.degradations.length);
    await expect(page.getByTestId('why-group')).toHaveCount(manifest.groups.length);
    // The photo joins the heatmap as an extra row.
    await expect(page.locator('[data-testid="heatmap-cell"][data-row="input"]')).toHaveCount(manifest.degradations.length);

    await page.getByTestId('compare-baseline').check();
    await page.getByTestId('restore-button').click();
    const link = page.getByTestId('download-link');
    await expect(link).toBeVisible({ timeout: 90_000 });
    await expect(page.getByTestId('download-baseline-link')).toBeVisible({ timeout: 90_000 });
    await expect(link).toHaveAttribute('download', 'test-scene.gaussian_noise.restored.png');
    await expect(page.getByTestId('restore-backend').first()).toHaveAttribute('data-backend', /webgpu|wasm/);
    await expect(page.getByTestId('restored-canvas')).toBeVisible();

    const download = page.waitForEvent('download');
    await link.click();
    const file = await (await download).path();
    const meta = await sharp(await readFile(file)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 256]);

    const zipDownload = page.waitForEvent('download');
    await page.getByTestId('download-all').click();
    const zip = await zipDownload;
    expect(zip.suggestedFilename()).toMatch(/^grids-restored-\d{4}-\d{2}-\d{2}\.zip$/);
    const entries = unzipSync(new Uint8Array(await readFile(await zip.path())));
    expect(Object.keys(entries).sort()).toEqual(['test-scene.gaussian_noise.baseline.png', 'test-scene.gaussian_noise.restored.png']);

    // Both results can be compared on the slider, which the keyboard moves.
    await page.getByTestId('compare-left').selectOption('baseline');
    await expect(page.locator('[data-testid="restored-canvas"][data-model="baseline"]')).toHaveCount(1);
    const slider = page.getByTestId('compare-slider');
    await slider.focus();
    await page.keyboard.press('Home');
    await expect(slider).toHaveAttribute('aria-valuenow', '0');
    await page.keyboard.press('ArrowRight');
    await expect(slider).toHaveAttribute('aria-valuenow', '2');
    // Analysis and both restorations ran in the worker under the CSP without a complaint.
    expect(problems).toEqual([]);
  });

  test('a photo of hard colour stripes gets the OOD badge, with its distance and the threshold (KL rule)', async ({ page }) => {
    await page.goto('/');
    await useRoutingRule(page, 'kl');
    // Hard vertical stripes of pure colours: nothing like a degraded photo.
    const width = 192;
    const raw = Buffer.alloc(width * width * 3);
    for (let i = 0; i < width * width; i++) raw.set(i % 2 ? [255, 0, 0] : [0, 0, 255], i * 3);
    const stripes = await sharp(raw, { raw: { width, height: width, channels: 3 } }).png().toBuffer();
    await page.getByTestId('file-input').setInputFiles([{ name: 'stripes.png', mimeType: 'image/png', buffer: stripes }]);
    await expect(page.getByTestId('analysis-card')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
    const manifest = await (await page.request.get('/models/manifest.json')).json();
    const distance = Number(await page.getByTestId('chosen-distance').textContent());
    const badge = page.getByTestId('ood-badge');
    // Far from every group with the shipped zoo (distance ≈ 5.5 in `grids select`, threshold ≈ 3.5).
    expect(distance).toBeGreaterThan(manifest.selection.oodThreshold);
    await expect(badge).toContainText('This looks unlike anything the models were trained on; results may be poor.');
    expect(Number(await badge.getAttribute('data-threshold'))).toBe(manifest.selection.oodThreshold);
    expect(Number(await badge.getAttribute('data-distance'))).toBeGreaterThan(manifest.selection.oodThreshold);
    await expect(page.locator('[data-testid="batch-item"][data-name="stripes.png"]')).toContainText('unusual image');
  });

  test('batch: "Restore all" restores every photo, and "Download all" zips them with unique names', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles([
      { name: 'photo.png', mimeType: 'image/png', buffer: await photo(96, 64) },
      { name: 'photo.png', mimeType: 'image/png', buffer: await photo(64, 96) },
      { name: 'other.jpg', mimeType: 'image/jpeg', buffer: await photo(80, 80, { format: 'jpeg' }) },
      { name: 'bad.webp', mimeType: 'image/webp', buffer: Buffer.from('RIFF\0\0\0\0WEBPVP8 broken') },
    ]);
    await expect(page.getByTestId('batch-item')).toHaveCount(4);
    await expect(page.getByTestId('restore-all')).toHaveText('Restore all (3)');
    await page.getByTestId('restore-all').click();
    await expect(page.locator('[data-testid="batch-item"][data-status="restored"]')).toHaveCount(3, { timeout: 120_000 });
    await expect(page.locator('[data-testid="batch-item"][data-name="bad.webp"]')).toHaveAttribute('data-status', 'error');
    const zipDownload = page.waitForEvent('download');
    await page.getByTestId('download-all').click();
    const entries = unzipSync(new Uint8Array(await readFile(await (await zipDownload).path())));
    expect(Object.keys(entries).sort()).toEqual(['other.restored.png', 'photo.restored-2.png', 'photo.restored.png']);
    const second = await sharp(Buffer.from(entries['photo.restored-2.png'])).metadata();
    expect([second.width, second.height]).toEqual([64, 96]);
  });

  test('cancel stops a restoration, the app stays usable, and the image can be restored again', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles([{ name: 'big.png', mimeType: 'image/png', buffer: await photo(1536, 1536) }]);
    // Small tiles: many progress steps, so there is time to cancel.
    await page.locator('summary', { hasText: 'Settings' }).click();
    await page.getByTestId('setting-tile').selectOption('128');
    await page.locator('summary', { hasText: 'Settings' }).click();
    await expect(page.getByTestId('analysis-card')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
    await restoreWithGroupPickedByHand(page);
    const progress = page.getByTestId('restore-progress');
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('data-total', /[1-9]/, { timeout: 60_000 });
    await page.waitForTimeout(300);
    await page.getByTestId('cancel-button').click();
    await expect(page.getByTestId('restore-cancelled')).toBeVisible();
    await expect(page.getByTestId('restore-button')).toBeEnabled();
    await expect(page.getByTestId('restore-button')).toBeFocused(); // focus stayed on the button
    // Still usable: the heatmap responds, and the same image restores to the end.
    await page.getByTestId('heatmap-table-toggle').click();
    await expect(page.getByTestId('heatmap-table')).toBeVisible();
    await page.getByTestId('restore-button').click();
    await expect(page.getByTestId('download-link')).toBeVisible({ timeout: 300_000 });
    await expect(page.getByTestId('download-link')).toHaveAttribute('download', 'big.restored.png');
  });
});
