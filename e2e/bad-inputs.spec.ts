/**
 * The bad-input table: what people drop into a photo tool, and each situation that goes wrong around
 * it, with the exact outcome the app must give — a message in the user's terms on the file's own row,
 * or a correct result (pixels checked against sharp/libvips) — and never a console error, a hang, or
 * another photo's result lost. One test per row, so `playwright test --list` counts them.
 */
import { test, expect, chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { watchProblems } from '../src/app/testing/e2e-problems';
import { parseManifest, type Manifest } from '../src/core/manifest';
import { chromiumPath } from '../playwright.config';
import { batchItem, modelsInstalled, restoreWithGroupPickedByHand, type Upload } from './fixtures/app-page';
import * as files from './fixtures/unusual-files';

interface App {
  page: Page;
  context: BrowserContext;
  baseURL: string;
  /** Console errors, page errors and CSP violations so far (none are expected unless the row says so). */
  problems: string[];
}

interface Row {
  name: string;
  /** Needs the installed models (public/models). */
  models?: boolean;
  /** Service workers stay blocked unless a row is about them: the routes below stand for the network. */
  context?: BrowserContextOptions;
  /** Chromium flags for a browser of the row's own (WebGPU). */
  browserArgs?: string[];
  /** WebGPU runs on SwiftShader here, 20-100× slower than wasm. */
  timeout?: number;
  /** Problems the row provokes on purpose (a failed fetch is logged by the browser itself). */
  expectedProblems?: RegExp[];
  run(app: App): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Importing one file: refused with a message, or decoded to the right pixels.

/** A good photo added with every file: the file's outcome must not take this one's away. */
const companion = async (): Promise<Upload> => files.upload('companion.png', await files.png(files.pattern(40, 28)));

async function importWithCompanion(page: Page, file: Upload): Promise<void> {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([await companion(), file]);
  await expect(page.getByTestId('batch-item')).toHaveCount(2);
}

async function expectCompanionKept(page: Page): Promise<void> {
  await expect(batchItem(page, 'companion.png')).not.toHaveAttribute('data-status', /^(decoding|error)$/);
}

/** The file's row says what is wrong and what to do; its detail panel says it cannot be used. */
function refused(name: string, file: () => Promise<Upload> | Upload, message: string | RegExp): Row {
  return {
    name: `${name}: refused, saying why`,
    async run({ page }) {
      const upload = await file();
      await importWithCompanion(page, upload);
      const row = batchItem(page, upload.name);
      await expect(row).toHaveAttribute('data-status', 'error');
      await expect(row).toContainText(upload.name);
      await expect(row.getByTestId('item-error')).toContainText(message);
      await row.getByTestId('select-item').click();
      await expect(page.getByTestId('detail-error')).toContainText('This file cannot be used.');
      await expect(page.getByTestId('detail-error')).toContainText(message);
      await expectCompanionKept(page);
    },
  };
}

interface DecodedCheck {
  /** "w × h" shown, after EXIF orientation. */
  size: string;
  /** Words the facts line must show (format, "transparency kept", "grayscale", "animated"). */
  facts?: string[];
  /** The decoded RGBA against sharp's sRGB decode of the same bytes: the largest difference allowed, in 8-bit levels. */
  maxLevels?: number;
  /** …or the mean absolute difference allowed (colour management differs between lcms and Chromium's skcms). */
  meanLevels?: number;
}

function decoded(name: string, file: () => Promise<Upload>, check: DecodedCheck): Row {
  return {
    name: `${name}: decoded${check.maxLevels !== undefined ? ` within ${check.maxLevels} levels of sharp` : check.meanLevels !== undefined ? ` within ${check.meanLevels} levels of sharp on average` : ''}`,
    async run({ page }) {
      const upload = await file();
      await importWithCompanion(page, upload);
      const row = batchItem(page, upload.name);
      await expect(row).not.toHaveAttribute('data-status', /^(decoding|error)$/);
      await row.getByTestId('select-item').click();
      const facts = page.getByTestId('item-facts');
      await expect(facts).toContainText(check.size);
      for (const word of check.facts ?? []) await expect(facts).toContainText(word);
      if (check.maxLevels !== undefined || check.meanLevels !== undefined) {
        const shown = await shownPixels(page);
        const reference = await files.referencePixels(upload.buffer);
        expect(`${shown.width} × ${shown.height}`).toBe(`${reference.width} × ${reference.height}`);
        const { max, mean } = difference(shown.rgba, reference.rgba);
        if (check.maxLevels !== undefined) expect(max, `largest difference from sharp (mean ${mean.toFixed(2)})`).toBeLessThanOrEqual(check.maxLevels);
        if (check.meanLevels !== undefined) expect(mean, `mean difference from sharp (largest ${max})`).toBeLessThanOrEqual(check.meanLevels);
      }
      await expectCompanionKept(page);
    },
  };
}

/** The original as the viewer holds it: its canvas is the decoded bitmap at full size. */
async function shownPixels(page: Page): Promise<{ width: number; height: number; rgba: number[] }> {
  const canvas = page.getByTestId('original-canvas').first();
  await expect(canvas).toHaveAttribute('width', /\d+/);
  return canvas.evaluate((c: HTMLCanvasElement) => ({
    width: c.width,
    height: c.height,
    rgba: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
  }));
}

function difference(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

const photo = files.pattern(48, 32);
const EXPORT_AGAIN = 'Export or download it again';

const importRows: Row[] = [
  refused('0-byte file', () => files.upload('empty.jpg', Buffer.alloc(0)), 'This file is empty (0 bytes)'),
  refused('truncated PNG', async () => {
    const bytes = await files.png(photo);
    return files.upload('half.png', bytes.subarray(0, bytes.length >> 1));
  }, `This PNG file could not be decoded: it is damaged or incomplete. ${EXPORT_AGAIN}`),
  refused('truncated JPEG', async () => {
    const bytes = await files.jpeg(photo);
    return files.upload('half.jpg', bytes.subarray(0, bytes.length >> 1));
  }, `This JPEG file could not be decoded: it is damaged or incomplete. ${EXPORT_AGAIN}`),
  refused('valid PNG header, corrupt pixel data', async () => files.upload('scrambled.png', await files.pngWithCorruptBody(photo)), 'This PNG file could not be decoded'),
  refused('damaged header', async () => {
    const bytes = Buffer.from(await files.png(photo));
    bytes.write('XXXX', 12, 'ascii'); // IHDR renamed
    return files.upload('no-header.png', bytes);
  }, `This PNG file is damaged: its header cannot be read. ${EXPORT_AGAIN}`),
  decoded('1 × 1 image', async () => files.upload('dot.png', await files.png(files.pattern(1, 1))), { size: '1 × 1', maxLevels: 0 }),
  decoded('2 × 3000 image', async () => files.upload('sliver.png', await files.png(files.pattern(2, 3000))), { size: '2 × 3000', maxLevels: 0 }),
  refused('30000 × 30000 header in a 64-byte file (refused before decoding)', () => files.upload('giant.png', files.pngHeaderOnly(30000, 30000)),
    'This image is 30000 × 30000 (900 MP), over the 64 MP limit. Scale it down and add it again.'),
  decoded('16-bit PNG', async () => files.upload('deep.png', await files.fromRaw(photo).toColourspace('rgb16').png().toBuffer()), { size: '48 × 32', facts: ['PNG'], maxLevels: 1 }),
  decoded('palette PNG with transparency', async () => files.upload('palette.png', await files.fromRaw(files.pattern(48, 32, 4)).png({ palette: true }).toBuffer()),
    { size: '48 × 32', facts: ['transparency kept'], maxLevels: 1 }),
  decoded('grayscale PNG with alpha', async () => files.upload('grey-alpha.png', await files.fromRaw(files.pattern(48, 32, 2)).toColourspace('b-w').png().toBuffer()),
    { size: '48 × 32', facts: ['transparency kept', 'grayscale'], maxLevels: 1 }),
  // Chromium's CMM (skcms) and lcms render the print profile differently: measured 8.7 levels apart on
  // this saturated pattern. A CMYK file read without its profile, or with inverted inks, is 20-120 away.
  decoded('CMYK JPEG with its print profile', async () => files.upload('print-shop.jpg', await files.fromRaw(photo).withIccProfile('cmyk').jpeg({ quality: 100 }).toBuffer()),
    { size: '48 × 32', facts: ['JPEG'], meanLevels: 12 }),
  decoded('progressive JPEG', async () => files.upload('progressive.jpg', await files.jpeg(photo, { progressive: true })), { size: '48 × 32', maxLevels: 2 }),
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((orientation) =>
    decoded(`JPEG with EXIF orientation ${orientation}`, async () => files.upload(`orientation-${orientation}.jpg`, await files.fromRaw(photo).jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer()),
      { size: orientation >= 5 ? '32 × 48' : '48 × 32', maxLevels: 2 }),
  ),
  decoded('Display P3 photo with its ICC profile', async () => files.upload('wide-gamut.png', await files.fromRaw(photo).withIccProfile('p3').png().toBuffer()), { size: '48 × 32', maxLevels: 2 }),
  refused('animated GIF', async () => files.upload('loop.gif', await files.animated(photo, 'gif')), 'GIF images are not supported. Save it as PNG, JPEG or WebP'),
  decoded('animated WebP (its first frame)', async () => files.upload('loop.webp', await files.animated(photo, 'webp')),
    { size: '48 × 32', facts: ['WebP', 'animated: only its first frame is used'], maxLevels: 0 }),
  refused('AVIF', async () => files.upload('photo.avif', await files.fromRaw(photo).avif().toBuffer()), 'AVIF images are not supported'),
  refused('HEIC from a phone', () => files.upload('IMG_0001.HEIC', files.heicHead()), 'HEIC images are not supported. Save it as PNG, JPEG or WebP (most photo apps can export one)'),
  refused('TIFF scan', async () => files.upload('scan.tif', await files.fromRaw(photo).tiff().toBuffer()), 'TIFF images are not supported'),
  refused('BMP', () => files.upload('paint.bmp', files.bmp(photo)), 'BMP images are not supported'),
  refused('SVG drawing', () => files.upload('logo.svg', files.svg(48, 32)), 'SVG images are not supported'),
  refused('HEIC renamed .jpg (the bytes decide)', () => files.upload('IMG_0002.jpg', files.heicHead(), 'image/jpeg'), 'HEIC images are not supported'),
  decoded('JPEG named .png (the bytes decide)', async () => files.upload('really-a-jpeg.png', await files.jpeg(photo), 'image/png'), { size: '48 × 32', facts: ['JPEG'], maxLevels: 2 }),
  refused('text file named .png', () => files.upload('notes.png', Buffer.from('shopping list: milk, film, fixer\n'), 'image/png'),
    'This file is not a PNG, JPEG or WebP image. Choose a photo in one of those formats.'),
];

// ---------------------------------------------------------------------------------------------
// Situations around the files: many at once, twice, removed or stopped mid-work, and the network,
// storage, GPU and models failing.

async function setTile(page: Page, tile: '128' | '256'): Promise<void> {
  const summary = page.locator('summary', { hasText: 'Settings' });
  await summary.click();
  await page.getByTestId('setting-tile').selectOption(tile);
  await summary.click();
}

async function installedManifest(page: Page): Promise<Manifest> {
  return parseManifest(await (await page.request.get('/models/manifest.json')).json());
}

const situationRows: Row[] = [
  {
    name: '50 files dropped at once: each gets its row, all are analysed, the app stays responsive',
    models: true,
    async run({ page }) {
      await page.goto('/');
      const photos = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await files.png(files.pattern(64 + (i % 5) * 8, 64))).toString('base64')));
      await page.evaluate((encoded) => {
        const transfer = new DataTransfer();
        encoded.forEach((data, i) => transfer.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], `drop-${String(i).padStart(2, '0')}.png`, { type: 'image/png' })));
        document.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        document.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, photos);
      await expect(page.getByTestId('batch-item')).toHaveCount(50);
      // While the batch is analysed, another photo can be opened at once.
      await batchItem(page, 'drop-37.png').getByTestId('select-item').click();
      await expect(page.getByTestId('item-facts')).toContainText('80 × 64');
      await expect(page.locator('[data-testid="batch-item"][data-status="analysed"]')).toHaveCount(50, { timeout: 180_000 });
    },
  },
  {
    name: 'the same file twice: two rows, each analysed to the same choice',
    models: true,
    async run({ page }) {
      await page.goto('/');
      const upload = files.upload('twice.png', await files.png(files.pattern(96, 64)));
      await page.getByTestId('file-input').setInputFiles([upload]);
      await page.getByTestId('file-input').setInputFiles([upload]);
      const rows = page.locator('[data-testid="batch-item"][data-name="twice.png"]');
      await expect(rows).toHaveCount(2);
      await expect(page.locator('[data-testid="batch-item"][data-status="analysed"]')).toHaveCount(2, { timeout: 90_000 });
      const chosen: string[] = [];
      for (const i of [0, 1]) {
        await rows.nth(i).getByTestId('select-item').click();
        chosen.push((await page.getByTestId('chosen-group').getAttribute('data-group-id'))!);
      }
      expect(chosen[0]).toBe(chosen[1]);
    },
  },
  {
    name: 'a photo removed while it restores: its restoration stops, another photo keeps its result',
    models: true,
    async run({ page }) {
      await page.goto('/');
      await setTile(page, '128');
      await page.getByTestId('file-input').setInputFiles([
        files.upload('kept.png', await files.png(files.pattern(64, 64))),
        files.upload('removed.png', await files.png(files.pattern(1024, 768))),
      ]);
      await expect(page.locator('[data-testid="batch-item"][data-status="analysed"]')).toHaveCount(2, { timeout: 120_000 });
      for (const name of ['kept.png', 'removed.png']) {
        await batchItem(page, name).getByTestId('select-item').click();
        await restoreWithGroupPickedByHand(page);
        if (name === 'kept.png') await expect(page.getByTestId('download-link')).toBeVisible({ timeout: 60_000 });
      }
      await expect(page.getByTestId('restore-progress')).toHaveAttribute('data-total', /[1-9]/, { timeout: 60_000 });
      await page.locator('[data-testid="item-detail"]').getByRole('button', { name: 'Remove' }).click();
      await expect(batchItem(page, 'removed.png')).toHaveCount(0);
      await expect(page.getByTestId('batch-item')).toHaveCount(1);
      await expect(batchItem(page, 'kept.png')).toHaveAttribute('data-status', 'restored');
      await batchItem(page, 'kept.png').getByTestId('select-item').click();
      await expect(page.getByTestId('download-link')).toHaveAttribute('download', 'kept.restored.png');
      // Nothing is left running or queued.
      await expect(page.locator('[data-testid="batch-item"][data-status="restoring"], [data-testid="batch-item"][data-status="queued"]')).toHaveCount(0);
    },
  },
  {
    name: 'a cancel during analysis: the analysis stops, says so, and runs again on request',
    models: true,
    async run({ page }) {
      await page.goto('/');
      await page.getByTestId('file-input').setInputFiles([files.upload('large.png', await files.png(files.pattern(3000, 2000)))]);
      const card = page.getByTestId('analysis-card');
      await page.getByTestId('analysis-cancel').click({ timeout: 60_000 });
      await expect(card).toHaveAttribute('data-state', 'cancelled');
      await expect(card).toContainText('Analysis stopped.');
      await expect(page.getByTestId('analyse-button')).toBeFocused();
      await page.getByTestId('analyse-button').click();
      await expect(card).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    },
  },
  {
    name: 'WebGPU device lost: the restoration runs on wasm instead, and the app says why',
    models: true,
    browserArgs: ['--enable-unsafe-webgpu'],
    timeout: 300_000,
    async run({ page }) {
      // The inference worker's GPUDevice, kept where the test can destroy it: a real device loss.
      page.on('worker', (worker) => void worker.evaluate(() => {
        const scope = self as unknown as { GPUAdapter?: { prototype: { requestDevice(...args: unknown[]): Promise<unknown> } }; gridsTestDevices?: { destroy(): void }[] };
        if (!scope.GPUAdapter) return;
        const request = scope.GPUAdapter.prototype.requestDevice;
        scope.gridsTestDevices = [];
        scope.GPUAdapter.prototype.requestDevice = async function (...args: unknown[]) {
          const device = (await request.apply(this, args)) as { destroy(): void };
          scope.gridsTestDevices!.push(device);
          return device;
        };
      }).catch(() => undefined));
      await page.goto('/');
      await expect(page.getByTestId('backend-status')).toContainText('WebGPU', { timeout: 30_000 });
      await setTile(page, '128');
      await page.getByTestId('file-input').setInputFiles([files.upload('gpu.png', await files.png(files.pattern(192, 192)))]);
      await expect(page.getByTestId('analysis-card')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
      // Lost between the analysis and the restoration (mid-run losses are the worker test's): the
      // restoration meets a dead device on its first tile, deterministically.
      // onnxruntime's own pthread workers may sit blocked in Atomics.wait: only the app's workers are asked.
      let destroyed = 0;
      for (const worker of page.workers().filter((w) => !/ort-wasm/.test(w.url()))) destroyed += await worker.evaluate(() => {
        const devices = (self as unknown as { gridsTestDevices?: { destroy(): void }[] }).gridsTestDevices ?? [];
        devices.forEach((d) => d.destroy());
        return devices.length;
      }).catch(() => 0);
      await restoreWithGroupPickedByHand(page);
      expect(destroyed).toBeGreaterThan(0);
      await expect(page.getByTestId('download-link')).toBeVisible({ timeout: 120_000 });
      await expect(page.getByTestId('restore-panel')).toContainText('WebGPU stopped working');
    },
  },
  {
    name: 'offline on a first visit: the app says the models need one online visit, and photos still open',
    expectedProblems: [/Failed to load resource/],
    async run({ page, context }) {
      // The shell came from the network; the connection drops as the models are asked for (the
      // query's one retry then meets a browser that knows it is offline).
      await page.route('**/models/**', async (route) => {
        await route.abort('internetdisconnected');
        await context.setOffline(true);
      });
      await page.goto('/');
      await expect(page.getByTestId('models-error')).toContainText('You are offline, and the models are not saved on this device yet. Connect once to download them', { timeout: 30_000 });
      await page.getByTestId('file-input').setInputFiles([await companion()]);
      await expectCompanionKept(page);
      await expect(page.getByTestId('item-facts')).toContainText('40 × 28');
    },
  },
  {
    name: 'storage quota exhausted: the models cannot be cached, the app works online and says offline use is off',
    models: true,
    context: { serviceWorkers: 'allow' },
    async run({ page, context, baseURL }) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL).origin, quotaSize: 1_000_000 });
      await page.goto('/');
      await expect(page.getByTestId('offline-off')).toContainText('Offline use is off', { timeout: 60_000 });
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()) ?? null)).toBeNull();
      await page.getByTestId('file-input').setInputFiles([files.upload('online.png', await files.png(files.pattern(96, 64)))]);
      await expect(page.getByTestId('analysis-card')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
    },
  },
  {
    name: 'a model file that fails its integrity check: fetched once more past the caches, then refused naming the file',
    models: true,
    expectedProblems: [/damaged: its SHA-256/],
    async run({ page }) {
      const manifest = await installedManifest(page);
      const file = manifest.router?.file ?? manifest.descriptor.file;
      const role = manifest.router ? 'degradation router' : 'descriptor';
      // Every copy served is damaged: one flipped byte, the same size.
      const requested: string[] = [];
      await page.route((url) => url.pathname.endsWith(`/models/${file}`), async (route) => {
        requested.push(new URL(route.request().url()).search);
        const body = await (await route.fetch()).body();
        body[body.length >> 1] ^= 0xff;
        await route.fulfill({ body, contentType: 'application/octet-stream' });
      });
      await page.goto('/');
      await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error', { timeout: 30_000 });
      await expect(page.getByTestId('models-error')).toContainText(`The ${role} model (${file}) is damaged: its SHA-256 does not match the manifest's.`);
      // Each attempt (the query retries once) fetches the file, then once more past the caches.
      const pair = ['', `?sha256=${manifest.integrity[file].sha256}`];
      expect(requested.length).toBeGreaterThanOrEqual(2);
      expect(requested).toEqual(Array.from({ length: requested.length }, (_, i) => pair[i % 2]));
    },
  },
  {
    name: 'a model file damaged in a cache: the fetch past the caches replaces it, and the app works',
    models: true,
    async run({ page }) {
      const manifest = await installedManifest(page);
      const file = manifest.groups[0].model.file;
      await page.route((url) => url.pathname.endsWith(`/models/${file}`) && !url.search, async (route) => {
        const body = await (await route.fetch()).body();
        await route.fulfill({ body: body.subarray(0, body.length - 1), contentType: 'application/octet-stream' });
      });
      await page.goto('/');
      await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
    },
  },
  {
    name: 'a manifest of another version: says which, and what to do',
    models: true,
    async run({ page }) {
      const manifest = await (await page.request.get('/models/manifest.json')).json();
      await page.route('**/models/manifest.json', (route) => route.fulfill({ json: { ...manifest, version: manifest.version + 1 } }));
      await page.goto('/');
      await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error', { timeout: 30_000 });
      await expect(page.getByTestId('models-error')).toContainText(
        `the models were built for manifest version ${manifest.version + 1}, and this version of GRIDS reads version ${manifest.version}: update GRIDS to use them (the app updates when reloaded)`,
      );
    },
  },
  {
    name: 'an invalid manifest: the bad field is named',
    async run({ page }) {
      const { fixtureManifest } = await import('../src/app/testing/fixture-manifest');
      const broken = JSON.parse(JSON.stringify(fixtureManifest())) as { groups: { model: { file: string } }[] };
      broken.groups[0].model.file = '../escape.onnx';
      await page.route('**/models/manifest.json', (route) => route.fulfill({ json: broken }));
      await page.goto('/');
      await expect(page.getByTestId('models-error')).toContainText('manifest.groups[0].model.file');
      await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
    },
  },
];

// ---------------------------------------------------------------------------------------------

const rows = [...importRows, ...situationRows];

async function openApp(row: Row, browser: Browser, baseURL: string): Promise<{ app: App; close(): Promise<void> }> {
  const own = row.browserArgs
    ? await chromium.launch({ executablePath: chromiumPath, args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...row.browserArgs] })
    : null;
  const context = await (own ?? browser).newContext({ baseURL, serviceWorkers: 'block', ...row.context });
  const page = await context.newPage();
  const problems = watchProblems(page, row.expectedProblems ?? []);
  return {
    app: { page, context, baseURL, problems },
    close: async () => {
      await context.close();
      await own?.close();
    },
  };
}

test.describe(`bad and unusual inputs (${rows.length} cases)`, () => {
  for (const row of rows) {
    test(row.name, async ({ browser, baseURL, page }) => {
      if (row.timeout) test.setTimeout(row.timeout);
      if (row.models) test.skip(!(await modelsInstalled(page)), 'needs the models in public/models');
      const { app, close } = await openApp(row, browser, baseURL!);
      try {
        await row.run(app);
        expect(app.problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
