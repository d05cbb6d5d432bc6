/**
 * The model files a manifest names, and their integrity: every file's byte size and SHA-256 are in
 * the manifest (`integrity`), and the app and the CLI check a file against them before a session is
 * created from it, so a half-updated or damaged zoo is refused with the file's name instead of
 * failing somewhere inside onnxruntime.
 */
import type { ModelChoice } from './auto-choice';
import type { Manifest, ModelInfo } from './manifest';

/** A model file by its path relative to the manifest, with what it is (for messages). */
export interface NamedModelFile {
  file: string;
  /** "descriptor", "degradation router", "group …", "mix baseline", "single-task …". */
  role: string;
}

export interface ModelFile extends NamedModelFile {
  sizeBytes: number;
  sha256: string;
}

type ModelSpecs = Pick<Manifest, 'descriptor' | 'router' | 'groups' | 'baseline' | 'singleTask'>;

/** Every model file the manifest names, each once: the descriptor, the router, the groups, the baseline, and the single-task models. */
export function namedModelFiles(m: ModelSpecs): NamedModelFile[] {
  const files = new Map<string, NamedModelFile>();
  const add = (file: string, role: string) => {
    if (!files.has(file)) files.set(file, { file, role });
  };
  add(m.descriptor.file, 'descriptor');
  if (m.router) add(m.router.file, 'degradation router');
  for (const group of m.groups) add(group.model.file, `group ${group.name}`);
  if (m.baseline) add(m.baseline.file, 'mix baseline');
  for (const [id, model] of Object.entries(m.singleTask ?? {})) if (model) add(model.file, `single-task ${id}`);
  return [...files.values()];
}

/** What the app downloads and the worker runs (all but the single-task models), with their size and digest. */
export function modelFilesOf(manifest: Manifest): ModelFile[] {
  return namedModelFiles({ ...manifest, singleTask: undefined }).map((f) => ({ ...f, ...manifest.integrity[f.file] }));
}

/** The file's entry, by its path (for the CLI, which loads one model at a time). */
export function modelFileOf(manifest: Manifest, file: string): ModelFile {
  const named = namedModelFiles(manifest).find((f) => f.file === file);
  if (!named) throw new RangeError(`the manifest names no model file '${file}'`);
  return { ...named, ...manifest.integrity[file] };
}

/**
 * Null when `bytes` are the file the manifest describes; otherwise the problem, in the user's terms
 * and naming the file. `sha256` is the lowercase hex digest of the bytes (the platform computes it:
 * crypto.subtle in the browser, node:crypto in the CLI).
 */
export function integrityProblem(model: ModelFile, byteLength: number, sha256: string): string | null {
  if (byteLength !== model.sizeBytes) {
    return `The ${model.role} model (${model.file}) has ${byteLength} bytes but the manifest says ${model.sizeBytes}: it is incomplete or from another build of the models. Reinstall or rebuild the models.`;
  }
  if (sha256 !== model.sha256) {
    return `The ${model.role} model (${model.file}) is damaged: its SHA-256 does not match the manifest's. Reinstall or rebuild the models.`;
  }
  return null;
}

/** The model a choice restores with (the worker and `grids restore`), with a message in the user's terms when the manifest lacks it. */
export function modelFor(manifest: Pick<Manifest, 'groups' | 'baseline'>, choice: Exclude<ModelChoice, { kind: 'none' }>): ModelInfo {
  if (choice.kind === 'baseline') {
    if (!manifest.baseline) throw new Error('these models have no baseline (mix-trained) model to compare with');
    return manifest.baseline;
  }
  const group = manifest.groups.find((g) => g.id === choice.id);
  if (!group) throw new Error(`unknown model group "${choice.id}"; the models have: ${manifest.groups.map((g) => g.id).join(', ')}`);
  return group.model;
}
