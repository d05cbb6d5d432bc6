/**
 * The pixels behind each item, outside the reactive store: RGBA buffers can be hundreds of MB and
 * must never be copied or diffed by React. Components read them when the store says they exist.
 */
import type { RestoreKind } from './types';

export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  /** Ready to draw. */
  bitmap: ImageBitmap;
}

interface ItemPixels {
  source: Pixels;
  results: Partial<Record<RestoreKind, Pixels & { png: Blob }>>;
}

const store = new Map<string, ItemPixels>();

export const pixelStore = {
  setSource(id: string, source: Pixels): void {
    store.set(id, { source, results: {} });
  },
  source(id: string): Pixels | undefined {
    return store.get(id)?.source;
  },
  setResult(id: string, kind: RestoreKind, result: Pixels & { png: Blob }): void {
    const entry = store.get(id);
    if (!entry) return;
    entry.results[kind]?.bitmap.close();
    entry.results[kind] = result;
  },
  result(id: string, kind: RestoreKind): (Pixels & { png: Blob }) | undefined {
    return store.get(id)?.results[kind];
  },
  delete(id: string): void {
    const entry = store.get(id);
    if (!entry) return;
    entry.source.bitmap.close();
    for (const result of Object.values(entry.results)) result?.bitmap.close();
    store.delete(id);
  },
};
