import { useQueries } from '@tanstack/react-query';
import type { Manifest } from '../../core/manifest';
import { MANIFEST_URL } from './manifest';
import { integrityProblem, modelFilesOf, type ModelFile } from '../../core/model-files';
import { modelUrl } from './model-files';

async function download(url: string, model: ModelFile, init?: RequestInit): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new Error(`The ${model.role} model (${model.file}) could not be downloaded.`);
  }
  if (!response.ok) throw new Error(`The ${model.role} model (${model.file}) could not be loaded (HTTP ${response.status}).`);
  return response.arrayBuffer();
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A model's bytes, checked against the manifest's size and SHA-256 before any session sees them. A
 * mismatch may be a stale cached copy, so the file is fetched once more past every cache (the query
 * string also misses the service worker's precache); a second mismatch is the error, naming the file.
 */
export async function fetchModel(model: ModelFile, manifestUrl: string = MANIFEST_URL): Promise<ArrayBuffer> {
  const url = modelUrl(model.file, manifestUrl);
  const problemOf = async (bytes: ArrayBuffer) => integrityProblem(model, bytes.byteLength, await sha256Hex(bytes));
  const bytes = await download(url, model);
  if (!(await problemOf(bytes))) return bytes;
  const again = await download(`${url}?sha256=${model.sha256}`, model, { cache: 'reload' });
  const problem = await problemOf(again);
  if (problem) throw new Error(problem);
  return again;
}

export type ModelsState =
  | { status: 'idle' }
  | { status: 'loading'; done: number; total: number; bytes: number }
  | { status: 'error'; message: string; retry: () => void }
  | { status: 'ready'; models: Record<string, ArrayBuffer>; total: number; bytes: number };

/** Downloads every model the manifest names (cached for the session; the service worker caches them offline). */
export function useModels(manifest: Manifest | undefined): ModelsState {
  const files = manifest ? modelFilesOf(manifest) : [];
  return useQueries({
    queries: files.map((model) => ({
      queryKey: ['model', modelUrl(model.file, MANIFEST_URL), model.sha256],
      queryFn: () => fetchModel(model),
      staleTime: Infinity,
      gcTime: Infinity,
      retry: 1,
    })),
    combine: (results): ModelsState => {
      if (!manifest) return { status: 'idle' };
      const failed = results.find((r) => r.isError);
      if (failed) {
        return {
          status: 'error',
          message: failed.error instanceof Error ? failed.error.message : String(failed.error),
          retry: () => results.forEach((r) => r.isError && void r.refetch()),
        };
      }
      const bytes = results.reduce((sum, r) => sum + (r.data?.byteLength ?? 0), 0);
      if (results.every((r) => r.data)) {
        const models = Object.fromEntries(files.map((f, i) => [f.file, results[i].data!]));
        return { status: 'ready', models, total: files.length, bytes };
      }
      return { status: 'loading', done: results.filter((r) => r.data).length, total: files.length, bytes };
    },
  });
}
