import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * onnxruntime-web's multi-threaded wasm needs SharedArrayBuffer, which browsers only expose to
 * cross-origin-isolated pages. These two headers make the page isolated; deployments must send
 * them too (see docs/app.md, "Deploying").
 */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The app talks to nobody but its own origin: scripts, workers, models and the wasm runtime all come
 * from 'self'. 'wasm-unsafe-eval' lets onnxruntime-web compile its WebAssembly; blob: workers are
 * allowed because emscripten/fflate may spawn them. style-src stays 'self': React's style props go
 * through the CSSOM, which CSP does not govern, and the app has no inline style attributes or tags.
 * Deployments should send the same policy (docs/app.md, "Deploying").
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

/**
 * The dev server injects one inline script (React Fast Refresh's preamble) and inline <style> tags
 * (CSS hot reload). Vite stamps both with `html.cspNonce`, so dev adds that fixed nonce to the policy
 * instead of 'unsafe-inline'. A fixed nonce is fine for a local dev server only; builds never use it.
 */
const DEV_NONCE = 'grids-dev-only';
const devContentSecurityPolicy = contentSecurityPolicy
  .replace("script-src 'self'", `script-src 'self' 'nonce-${DEV_NONCE}'`)
  .replace("style-src 'self'", `style-src 'self' 'nonce-${DEV_NONCE}'`);

/** Built pages also carry the policy as a <meta>, so static hosts that cannot set headers still enforce it. */
function cspMetaTag(): Plugin {
  return {
    name: 'grids:csp-meta',
    apply: 'build',
    // Right after <meta charset>, before any script or stylesheet it governs.
    transformIndexHtml: (html) =>
      html.replace(/(<meta charset[^>]*>)/i, `$1\n    <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}" />`),
  };
}

const THEME_COLOUR = '#0f766e';

export default defineConfig(({ command }) => ({
  plugins: [
    react(),
    cspMetaTag(),
    VitePWA({
      // 'prompt': a new version waits until the user clicks "Reload" (never mid-run); see src/app/pwa.
      registerType: 'prompt',
      // Registered from the app (virtual:pwa-register/react), so no inline registration script.
      injectRegister: false,
      // The glob below already takes every icon; listing them again would precache them twice.
      includeAssets: ['robots.txt'],
      includeManifestIcons: false,
      manifest: {
        name: 'GRIDS photo restoration',
        short_name: 'GRIDS',
        description: 'Restore photos with the model made for their kind of damage, in your browser, offline.',
        theme_color: THEME_COLOUR,
        background_color: '#f6f7f8',
        display: 'standalone',
        start_url: '.',
        scope: '.',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell, onnxruntime-web's wasm runtime, the sample, and every model of the zoo:
        // after one visit the whole app, models included, works offline.
        globPatterns: ['**/*.{js,mjs,css,html,wasm,png,svg,ico}', 'models/manifest.json', 'models/*.onnx'],
        // The WebGPU runtime (26 MB) is not precached: only devices with WebGPU load it, and they
        // keep it after first use (runtimeCaching below). Without it, offline WebGPU devices run on
        // the precached wasm runtime, and the app says so.
        globIgnores: ['**/ort-wasm-simd-threaded.asyncify*'],
        runtimeCaching: [
          {
            urlPattern: /\/ort-wasm-simd-threaded\.asyncify[^/]*\.(?:wasm|mjs)$/,
            handler: 'CacheFirst',
            options: { cacheName: 'ort-webgpu-runtime', expiration: { maxEntries: 4 } },
          },
        ],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        navigateFallback: 'index.html',
      },
    }),
  ],
  html: command === 'serve' ? { cspNonce: DEV_NONCE } : undefined,
  server: { headers: { ...crossOriginIsolationHeaders, 'Content-Security-Policy': devContentSecurityPolicy } },
  preview: { headers: { ...crossOriginIsolationHeaders, 'Content-Security-Policy': contentSecurityPolicy } },
  worker: { format: 'es' },
  // Inference worker (workers/inference/ort-web.ts): onnxruntime-web ships ready ES modules and
  // loads its runtime from the asset URLs we give it. Not pre-bundled, so the dev server does not
  // discover it late (from the worker's dynamic imports) and reload the page mid-start.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022' },
}));
