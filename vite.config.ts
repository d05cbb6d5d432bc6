import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * onnxruntime-web's multi-threaded wasm needs SharedArrayBuffer, which browsers only expose to
 * cross-origin-isolated pages. These two headers make the page isolated; deployments must send
 * them too (see README, "Deploying").
 */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: crossOriginIsolationHeaders },
  preview: { headers: crossOriginIsolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
