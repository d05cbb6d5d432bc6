/**
 * The app shell: loads cleanly under its Content-Security-Policy, is an installable PWA, and shows
 * the manifest's similarity matrix as an accessible heatmap whose values are the manifest's.
 */
import { test, expect, type Page } from '@playwright/test';
import { watchProblems } from '../src/app/testing/e2e-problems';
import { parseManifest, type Manifest } from '../src/core/manifest';
import { fixtureManifest } from '../src/app/testing/fixture-manifest';

/** The installed manifest, or (where no zoo is built yet) the fixture, served in its place. */
async function manifestFor(page: Page): Promise<{ manifest: Manifest; real: boolean }> {
  const response = await page.request.get('/models/manifest.json');
  if (response.ok() && (response.headers()['content-type'] ?? '').includes('json')) {
    return { manifest: parseManifest(await response.json()), real: true };
  }
  const manifest = fixtureManifest();
  await page.route('**/models/manifest.json', (route) => route.fulfill({ json: manifest }));
  return { manifest, real: false };
}

test.describe('app shell', () => {
  test('loads with no console errors and no CSP violations, and sends its security headers', async ({ page }) => {
    const problems = watchProblems(page);
    const response = await page.goto('/');
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    await expect(page.getByRole('heading', { name: 'Drop photos here, paste, or choose files' })).toBeVisible();
    await expect(page.getByTestId('backend-status')).toHaveAttribute('data-backend', /webgpu|wasm/, { timeout: 30_000 });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', /ready|missing/, { timeout: 30_000 });
    // Give lazy work (service worker install, model downloads) a moment to complain.
    await page.waitForTimeout(1500);
    expect(problems).toEqual([]);
  });

  test('is an installable PWA: web app manifest, icons and a service worker precaching the models', async ({ page }) => {
    await page.goto('/');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const webManifest = await (await page.request.get(href!)).json();
    expect(webManifest).toMatchObject({ name: 'GRIDS photo restoration', short_name: 'GRIDS', display: 'standalone' });
    expect(webManifest.theme_color).toMatch(/^#/);
    const sizes = webManifest.icons.map((icon: { sizes: string; purpose?: string }) => `${icon.sizes}${icon.purpose ? ` ${icon.purpose}` : ''}`);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512', '512x512 maskable']));
    for (const icon of webManifest.icons) expect((await page.request.get(icon.src)).ok()).toBe(true);

    const sw = await (await page.request.get('/sw.js')).text();
    expect(sw).toContain('index.html');
    // The wasm runtime everyone may need is precached; the WebGPU one is cached on first use only.
    expect(sw).toMatch(/url:\s*"assets\/ort-wasm-simd-threaded-[\w-]+\.wasm"/);
    expect(sw).not.toMatch(/url:\s*"[^"]*asyncify/);
    expect(sw).toContain('ort-webgpu-runtime');
    const installed = await page.request.get('/models/manifest.json');
    if (installed.ok()) {
      const manifest = parseManifest(await installed.json());
      for (const file of [manifest.descriptor.file, ...manifest.groups.map((g) => g.model.file)]) expect(sw).toContain(`models/${file}`);
      expect(sw).toContain('models/manifest.json');
    }
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toMatch(/\/$/);
  });

  test('after one visit the app, its runtime and its models work offline', async ({ page, context }) => {
    const installed = await page.request.get('/models/manifest.json');
    test.skip(!installed.ok(), 'no models installed in public/models');
    await page.goto('/');
    // The toast appears once the service worker has precached everything.
    await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 60_000 });
    await context.setOffline(true);
    try {
      await page.reload();
      await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
      await page.getByTestId('sample-button').click();
      await expect(page.getByTestId('analysis-card')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
    } finally {
      await context.setOffline(false);
    }
  });

  test('the heatmap shows the n × n matrix the grouping used, ordered by group, with the manifest values', async ({ page }) => {
    const { manifest } = await manifestFor(page);
    await page.goto('/');
    const n = manifest.degradations.length;
    const cells = page.getByTestId('heatmap-cell');
    await expect(cells).toHaveCount(n * n);
    const { order } = manifest.similarity;
    const used = manifest.similarity[manifest.similarity.used];
    const shown = await cells.evaluateAll((elements) =>
      elements.map((e) => ({ row: e.getAttribute('data-row')!, col: e.getAttribute('data-col')!, value: e.getAttribute('data-value')! })),
    );
    for (const cell of shown) {
      expect(Number(cell.value), `${cell.row} × ${cell.col}`).toBe(used[order.indexOf(cell.row as never)][order.indexOf(cell.col as never)]);
    }
    // Rows (and columns) run group by group.
    const rowOrder = shown.filter((_, i) => i % n === 0).map((c) => c.row);
    expect(rowOrder).toEqual(manifest.groups.flatMap((g) => g.members));
    expect(shown.slice(0, n).map((c) => c.col)).toEqual(rowOrder);
    await expect(page.getByTestId('heatmap-legend')).toBeVisible();
  });

  test('heatmap cells are keyboard-focusable with one tab stop, read out on focus, and there is a table view', async ({ page }) => {
    const { manifest } = await manifestFor(page);
    await page.goto('/');
    const grid = page.getByRole('grid');
    await expect(grid.locator('[tabindex="0"]')).toHaveCount(1);
    const first = grid.locator('[tabindex="0"]');
    await first.focus();
    const start = { row: await first.getAttribute('data-row'), col: await first.getAttribute('data-col') };
    await page.keyboard.press('ArrowDown');
    const focused = page.locator(':focus');
    await expect(focused).toHaveAttribute('data-col', start.col!);
    await expect(focused).not.toHaveAttribute('data-row', start.row!);
    await expect(grid.locator('[tabindex="0"]')).toHaveCount(1);
    const value = Number(await focused.getAttribute('data-value'));
    await expect(page.getByTestId('heatmap-readout')).toContainText(value.toFixed(2));
    await page.keyboard.press('Control+End');
    await expect(page.locator(':focus')).toHaveAttribute('data-pos', `${manifest.degradations.length - 1}-${manifest.degradations.length - 1}`);

    await page.getByTestId('heatmap-table-toggle').click();
    await expect(page.getByTestId('heatmap-table-toggle')).toHaveAttribute('aria-pressed', 'true');
    const table = page.getByTestId('heatmap-table');
    await expect(table.locator('tbody tr')).toHaveCount(manifest.degradations.length);
    await expect(page.getByTestId('heatmap-table-cell')).toHaveCount(manifest.degradations.length ** 2);
  });
});
