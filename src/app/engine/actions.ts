/**
 * What the user can do, as plain functions over the store, the pixel store, the job queue and the
 * inference client. Components call these; nothing here renders.
 */
import type { Manifest } from '../../core/manifest';
import { analysisFits, decisionFor, resolveRule, type RoutingRuleSetting } from '../features/analysis/decision';
import { decodeImageFile, ImportError, toPayload } from '../features/import/decode';
import { encodePng, thumbnailUrl } from '../features/batch/encode-png';
import { restoredFileName, zipFileName } from '../features/batch/download-names';
import { zipFiles } from '../features/batch/zip';
import { getInferenceClient, isAbort, type ModelChoice, type RestoreProgress } from '../inference/client';
import { newItem, useAppStore } from '../state/store';
import { pixelStore } from '../state/pixels';
import type { ImageItem, RestoreKind } from '../state/types';
import { createEngine } from './engine';
import { createJobQueue } from './job-queue';

export const engine = createEngine({ configure: (...args) => getInferenceClient().configure(...args) });
const queue = createJobQueue((busy) => useAppStore.getState().setBusy(busy));

const store = () => useAppStore.getState();
const item = (id: string): ImageItem | undefined => store().items[id];

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let nextId = 0;
const newId = () => `img-${Date.now().toString(36)}-${(nextId++).toString(36)}`;

/** At most this many files decode at once: each can hold hundreds of MB while decoding. */
const DECODE_CONCURRENCY = 2;

/** Adds files as items at once (so the list shows them), then decodes them and queues their analysis. */
export async function importFiles(files: readonly File[]): Promise<void> {
  if (files.length === 0) return;
  const added = files.map((file) => ({ file, item: newItem(newId(), file.name || 'pasted image.png', file.size) }));
  store().addItems(added.map((a) => a.item));
  store().announce(`${files.length} ${files.length === 1 ? 'image' : 'images'} added.`);
  let next = 0;
  const worker = async () => {
    while (next < added.length) {
      const { file, item } = added[next++];
      await decodeOne(item.id, file);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, added.length) }, worker));
}

async function decodeOne(id: string, file: File): Promise<void> {
  try {
    const decoded = await decodeImageFile(file);
    if (!item(id)) {
      decoded.bitmap.close(); // removed while decoding
      return;
    }
    pixelStore.setSource(id, { width: decoded.width, height: decoded.height, rgba: decoded.rgba, bitmap: decoded.bitmap });
    const thumbnail = await thumbnailUrl(decoded.bitmap);
    store().updateItem(id, () => ({
      decode: {
        status: 'ready',
        width: decoded.width,
        height: decoded.height,
        format: decoded.format,
        hasAlpha: decoded.hasAlpha,
        grayscale: decoded.grayscale,
        animated: decoded.animated,
        thumbnailUrl: thumbnail,
      },
    }));
    analyse(id);
  } catch (error) {
    const text = error instanceof ImportError ? error.message : `This file could not be read: ${message(error)}`;
    store().updateItem(id, () => ({ decode: { status: 'error', message: text } }));
    store().announce(`${item(id)?.name ?? 'A file'}: ${text}`);
  }
}

/** Queues the analysis (descriptor → DDR statistic → distances → chosen group). */
export function analyse(id: string): void {
  const source = pixelStore.source(id);
  if (!source) return;
  const queued = queue.enqueue({
    itemId: id,
    kind: 'analyse',
    run: async (signal) => {
      try {
        const manifest = await engine.ready(signal);
        store().setAnalysis(id, { status: 'running' });
        // Under the rule in the settings; analysed again if the user switched to a rule that reads
        // other descriptor patches meanwhile (followRoutingRule sees only finished analyses).
        const ruleNow = () => resolveRule(store().settings.routingRule, manifest);
        let rule = ruleNow();
        let result = await getInferenceClient().analyse(toPayload(source), rule, signal);
        while (!signal.aborted && ruleNow() !== rule && !analysisFits(result, manifest, store().settings.routingRule)) {
          rule = ruleNow();
          result = await getInferenceClient().analyse(toPayload(source), rule, signal);
        }
        if (signal.aborted) return;
        store().setAnalysis(id, { status: 'done', result });
      } catch (error) {
        if (isAbort(error, signal)) return;
        store().setAnalysis(id, { status: 'error', message: message(error) });
      }
    },
    onCancel: () => store().setAnalysis(id, { status: 'cancelled' }),
  });
  if (queued) store().setAnalysis(id, { status: 'queued' });
}

/**
 * After the routing rule changed: analyses again every photo whose analysis read another number of
 * descriptor patches than the rule now in use reads (the others are decided again without one).
 */
export function followRoutingRule(manifest: Manifest): void {
  const setting = store().settings.routingRule;
  for (const target of Object.values(store().items)) {
    if (target.analysis.status === 'done' && !analysisFits(target.analysis.result, manifest, setting)) analyse(target.id);
  }
}

/**
 * The model GRIDS restores with: the user's override, else the routing decision under `rule` (a
 * group, the mix baseline, or none: the photo kept as it is). Null before the analysis.
 */
export function gridsChoice(target: ImageItem, manifest: Manifest | null | undefined, rule: RoutingRuleSetting): ModelChoice | null {
  if (target.override) return target.override;
  if (target.analysis.status !== 'done' || !manifest) return null;
  return decisionFor(target.analysis.result, manifest, rule).model;
}

/** gridsChoice with the engine's manifest and the rule in the settings, for actions outside React. */
function currentChoice(target: ImageItem, manifest: Manifest | null = engine.manifest()): ModelChoice | null {
  return gridsChoice(target, manifest, store().settings.routingRule);
}

/** Progress is reported after every tile; the store hears about it at most every 100 ms (and at the end). */
function throttledProgress(report: (progress: RestoreProgress) => void): (progress: RestoreProgress) => void {
  let last = 0;
  return (progress) => {
    const now = performance.now();
    if (progress.done === progress.total || now - last >= 100) {
      last = now;
      report(progress);
    }
  };
}

/**
 * Queues the restorations of one image (GRIDS, and the mix baseline when asked) ahead of other
 * images' queued work: a click on Restore should not wait behind a batch of analyses.
 */
export function restore(id: string, kinds: readonly RestoreKind[] = ['grids']): void {
  enqueueRestore(id, kinds);
  queue.prioritise(id);
}

function enqueueRestore(id: string, kinds: readonly RestoreKind[]): void {
  for (const kind of kinds) {
    const target = item(id);
    if (!target || target.decode.status !== 'ready') return;
    // When GRIDS itself restores with the baseline, a second baseline run would be the same image.
    if (kind === 'baseline' && kinds.includes('grids') && currentChoice(target)?.kind === 'baseline') continue;
    const queued = queue.enqueue({
      itemId: id,
      kind: kind === 'grids' ? 'restore' : 'baseline',
      run: (signal) => runRestore(id, kind, signal),
      onCancel: () => store().setRestore(id, kind, { status: 'cancelled' }),
    });
    if (queued) store().setRestore(id, kind, { status: 'queued', model: kind === 'baseline' ? { kind: 'baseline' } : currentChoice(target) });
  }
}

async function runRestore(id: string, kind: RestoreKind, signal: AbortSignal): Promise<void> {
  try {
    const manifest = await engine.ready(signal);
    const target = item(id);
    const source = pixelStore.source(id);
    if (!target || !source) return;
    let model: ModelChoice | null;
    if (kind === 'baseline') {
      if (!manifest.baseline) throw new Error('These models have no mix baseline to compare with.');
      model = { kind: 'baseline' };
    } else {
      // Decided when the run starts, so a rule switched while it waited applies. 'none' goes through
      // the worker like any model and comes back as the original pixels, so downloads work the same.
      model = currentChoice(target, manifest);
      if (!model) throw new Error('The analysis did not finish, so no group was chosen. Pick a group to restore with.');
    }
    store().setRestore(id, kind, { status: 'running', model, progress: null });
    const onProgress = throttledProgress((progress) => {
      if (!signal.aborted) store().setRestore(id, kind, { status: 'running', model, progress });
    });
    const result = await getInferenceClient().restore(toPayload(source), model, onProgress, signal);
    if (signal.aborted) return;
    const rgba = new Uint8ClampedArray(result.rgba);
    const bitmap = await createImageBitmap(new ImageData(rgba, result.width, result.height));
    const png = await encodePng(result);
    if (signal.aborted || !item(id)) {
      bitmap.close();
      return;
    }
    const previous = item(id)?.restore[kind];
    if (previous?.status === 'done') URL.revokeObjectURL(previous.result.downloadUrl);
    pixelStore.setResult(id, kind, { width: result.width, height: result.height, rgba, bitmap, png });
    store().setRestore(id, kind, {
      status: 'done',
      result: {
        model: result.model,
        backend: result.backend,
        fallbackReason: result.fallbackReason,
        tiles: result.tiles,
        milliseconds: result.milliseconds,
        width: result.width,
        height: result.height,
        downloadUrl: URL.createObjectURL(png),
        downloadName: restoredFileName(target.name, kind),
      },
    });
    store().announce(`${target.name}: ${kind === 'grids' ? 'restored' : 'baseline finished'}.`);
  } catch (error) {
    if (isAbort(error, signal)) return;
    store().setRestore(id, kind, { status: 'error', message: message(error) });
  }
}

/** Restores every image that has no GRIDS result yet (and the baseline too when the setting asks). */
export function restoreAll(): void {
  const { order, items, settings } = store();
  for (const id of order) {
    const target = items[id];
    if (target.decode.status !== 'ready') continue;
    const kinds: RestoreKind[] = [];
    if (target.restore.grids.status !== 'done') kinds.push('grids');
    if (settings.alsoBaseline && target.restore.baseline.status !== 'done') kinds.push('baseline');
    enqueueRestore(id, kinds);
  }
}

/** Stops the image's analysis, queued or running; "Analyse" starts it again. */
export function cancelAnalysis(id: string): void {
  queue.cancel(id, ['analyse']);
  store().announce('Analysis stopped.');
}

/** Stops the image's restorations, queued or running; the image stays and can be restored again. */
export function cancelRestore(id: string): void {
  queue.cancel(id, ['restore', 'baseline']);
  store().announce('Restoration cancelled.');
}

export function cancelEverything(): void {
  queue.cancelAll();
}

export function setOverride(id: string, model: ModelChoice | null): void {
  store().updateItem(id, () => ({ override: model }));
}

function releaseUrls(target: ImageItem): void {
  if (target.decode.status === 'ready' && target.decode.thumbnailUrl) URL.revokeObjectURL(target.decode.thumbnailUrl);
  for (const r of Object.values(target.restore)) if (r.status === 'done') URL.revokeObjectURL(r.result.downloadUrl);
}

export function removeImage(id: string): void {
  const target = item(id);
  queue.cancel(id);
  if (target) releaseUrls(target);
  pixelStore.delete(id);
  store().removeItem(id);
}

export function clearAll(): void {
  for (const id of [...store().order]) removeImage(id);
}

/** Every finished restoration as one zip (GRIDS results, and baseline results when there are any). */
export async function downloadAll(): Promise<void> {
  const { order, items } = store();
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const id of order) {
    for (const kind of ['grids', 'baseline'] as const) {
      const state = items[id].restore[kind];
      const result = pixelStore.result(id, kind);
      if (state.status === 'done' && result) files.push({ name: state.result.downloadName, bytes: new Uint8Array(await result.png.arrayBuffer()) });
    }
  }
  if (files.length === 0) return;
  const zip = zipFiles(files);
  const url = URL.createObjectURL(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = zipFileName();
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  store().announce(`Downloading ${files.length} ${files.length === 1 ? 'image' : 'images'} as a zip.`);
}
