import { useQueries } from '@tanstack/react-query';
import type { Manifest } from '../../core/manifest';
import { MANIFEST_URL } from './manifest';
import { modelFilesOf, modelUrl, type ModelFile } from './model-files';

export async function fetchModel(model: ModelFile, manifestUrl: string = MANIFEST_URL): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(modelUrl(model.file, manifestUrl));
  } catch {
    throw new Error(`The ${model.role} model (${model.file}) could not be downloaded.`);
  }
  if (!response.ok) throw new Error(`The ${model.role} model (${model.file}) could not be loaded (HTTP ${response.status}).`);
  const bytes = await response.arrayBuffer();
  // A size mismatch means a half-updated zoo: the manifest and its files are from different builds.
  if (model.sizeBytes > 0 && bytes.byteLength !== model.sizeBytes) {
    throw new Error(`The ${model.role} model (${model.file}) has ${bytes.byteLength} bytes but the manifest says ${model.sizeBytes}; rebuild or reinstall the models.`);
  }
  return bytes;
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
      queryKey: ['model', modelUrl(model.file, MANIFEST_URL), model.sizeBytes],
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
