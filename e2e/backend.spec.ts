import { test, expect, chromium, type Browser } from '@playwright/test';
import { chromiumPath } from '../playwright.config';

const baseArgs = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function backendShown(browser: Browser, baseURL: string) {
  const page = await browser.newPage();
  await page.goto(baseURL);
  const status = page.getByTestId('backend-status');
  await expect(status).toHaveAttribute('data-backend', /webgpu|wasm/, { timeout: 30_000 });
  const result = {
    backend: await status.getAttribute('data-backend'),
    text: (await status.textContent()) ?? '',
    isolated: await page.evaluate(() => self.crossOriginIsolated),
  };
  await page.close();
  return result;
}

test.describe('compute backend detection', () => {
  test('with --enable-unsafe-webgpu the page reports WebGPU', async ({ baseURL }) => {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: [...baseArgs, '--enable-unsafe-webgpu'] });
    try {
      const shown = await backendShown(browser, baseURL!);
      expect(shown.backend).toBe('webgpu');
      expect(shown.text).toContain('WebGPU');
      expect(shown.isolated).toBe(true); // COOP/COEP headers reach the page
    } finally {
      await browser.close();
    }
  });

  test('without the flag the page reports the wasm fallback', async ({ baseURL }) => {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: baseArgs });
    try {
      const shown = await backendShown(browser, baseURL!);
      expect(shown.backend).toBe('wasm');
      expect(shown.text).toContain('WebAssembly');
    } finally {
      await browser.close();
    }
  });
});
