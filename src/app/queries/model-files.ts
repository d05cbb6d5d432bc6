import type { Manifest } from '../../core/manifest';

export interface ModelFile {
  /** Path relative to the manifest, the key the worker expects (e.g. "group-1.onnx"). */
  file: string;
  sizeBytes: number;
  /** What it is, for messages: "descriptor", "group g1", "mix baseline". */
  role: string;
}

/** Every model the worker needs: the descriptor, the router, each group's model and the mix baseline; each file once. */
export function modelFilesOf(manifest: Manifest): ModelFile[] {
  const files = new Map<string, ModelFile>();
  const add = (file: string, sizeBytes: number, role: string) => {
    if (!files.has(file)) files.set(file, { file, sizeBytes, role });
  };
  add(manifest.descriptor.file, 0, 'descriptor'); // the descriptor and router specs carry no size
  if (manifest.router) add(manifest.router.file, 0, 'degradation router');
  for (const group of manifest.groups) add(group.model.file, group.model.sizeBytes, `group ${group.name}`);
  if (manifest.baseline) add(manifest.baseline.file, manifest.baseline.sizeBytes, 'mix baseline');
  return [...files.values()];
}

/** Model files live next to the manifest; `file` is relative to it (the schema forbids "..", schemes and "/"). */
export function modelUrl(file: string, manifestUrl: string | URL): string {
  return new URL(file, manifestUrl).href;
}

/** The manifest's URL under the app's base path (works when the app is deployed below "/"). */
export function manifestUrlFor(baseUrl: string, origin: string): string {
  return new URL(`${baseUrl.replace(/\/?$/, '/')}models/manifest.json`, origin).href;
}
