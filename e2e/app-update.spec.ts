/**
 * Updates wait for the user: a new version of the app (a changed service worker and page) shows
 * "A new version is ready — Reload", the running page is not reloaded behind the user's back, and
 * Reload brings the new version.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { ROOT } from './fixtures/harness-server';
import { serveStatic, type StaticServer } from './fixtures/static-server';

const SITE = join(ROOT, '.tmp/e2e-update');
const PORT = Number(process.env.E2E_UPDATE_PORT ?? 4183);

/** Publishes "version 2": a marked page, and a service worker whose precache lists its new revision. */
async function publishNewVersion(): Promise<void> {
  const html = await readFile(join(SITE, 'index.html'), 'utf8');
  await writeFile(join(SITE, 'index.html'), html.replace('<head>', '<head><meta name="grids-e2e-version" content="2">'));
  const sw = await readFile(join(SITE, 'sw.js'), 'utf8');
  const updated = sw.replace(/(\{url:"index\.html",revision:")[^"]*(")/, '$1e2e-version-2$2');
  expect(updated, 'the service worker precaches index.html with a revision').not.toBe(sw);
  await writeFile(join(SITE, 'sw.js'), updated);
}

test.describe('app updates', () => {
  let server: StaticServer;
  test.beforeAll(async () => {
    server = await serveStatic(SITE, PORT);
  });
  test.afterAll(async () => {
    await server?.close();
    await rm(SITE, { recursive: true, force: true });
  });

  // First visit: the page was open before any service worker controlled it. Later visits: it is controlled.
  for (const visit of ['first', 'later'] as const) {
    test(`a new version waits for the user, then Reload brings it (${visit} visit)`, async ({ page }) => {
      await rm(SITE, { recursive: true, force: true });
      await cp(join(ROOT, 'dist'), SITE, { recursive: true });
      await page.goto(`${server.origin}/`);
      await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 90_000 });
      if (visit === 'later') {
        await page.reload();
        await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
      }
      // A mark on this page: gone if the page reloads by itself.
      await page.evaluate(() => ((window as unknown as { gridsE2eMark: number }).gridsE2eMark = 1));

      await publishNewVersion();
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
      await expect(page.getByTestId('update-banner')).toContainText('A new version is ready', { timeout: 60_000 });
      await page.waitForTimeout(1000);
      expect(await page.evaluate(() => (window as unknown as { gridsE2eMark?: number }).gridsE2eMark)).toBe(1);
      expect(await page.locator('meta[name="grids-e2e-version"]').count()).toBe(0);

      await page.getByTestId('update-reload').click();
      await expect(page.locator('meta[name="grids-e2e-version"]')).toHaveAttribute('content', '2', { timeout: 30_000 });
      expect(await page.evaluate(() => (window as unknown as { gridsE2eMark?: number }).gridsE2eMark)).toBeUndefined();
      await expect(page.getByTestId('update-banner')).toHaveCount(0);
    });
  }
});
