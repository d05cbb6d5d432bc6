/**
 * App state (zustand): the images, their jobs' states and the settings. Pixels are not here
 * (state/pixels.ts) so that state stays small and cheap to compare; actions that run jobs live in
 * engine/actions.ts.
 */
import { create } from 'zustand';
import { isRoutingRuleSetting } from '../features/analysis/decision';
import type { AnalysisState, ImageItem, RestoreKind, RestoreState, Settings } from './types';

export const DEFAULT_SETTINGS: Settings = { preferWebgpu: true, tile: 256, overlap: 16, alsoBaseline: false, routingRule: 'auto' };

export interface AppState {
  items: Record<string, ImageItem>;
  /** Items in the order they were added. */
  order: string[];
  selectedId: string | null;
  settings: Settings;
  /** A job is queued or running (the update banner waits for it). */
  busy: boolean;
  /** Last message for screen readers (one polite live region). */
  announcement: string;

  addItems(items: ImageItem[]): void;
  updateItem(id: string, update: (item: ImageItem) => Partial<ImageItem>): void;
  setAnalysis(id: string, analysis: AnalysisState): void;
  setRestore(id: string, kind: RestoreKind, restore: RestoreState): void;
  removeItem(id: string): void;
  clear(): void;
  select(id: string | null): void;
  setSettings(settings: Partial<Settings>): void;
  setBusy(busy: boolean): void;
  announce(message: string): void;
}

export function newItem(id: string, name: string, bytes: number): ImageItem {
  return {
    id,
    name,
    bytes,
    decode: { status: 'decoding' },
    analysis: { status: 'idle' },
    restore: { grids: { status: 'idle' }, baseline: { status: 'idle' } },
    override: null,
  };
}

const SETTINGS_KEY = 'grids-settings';

/** Settings survive reloads; nothing else does (images stay on the page only). */
function loadSettings(): Settings {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(SETTINGS_KEY) ?? 'null') as Partial<Settings> | null;
    const settings = { ...DEFAULT_SETTINGS, ...(saved ?? {}) };
    // A value saved by another version of the app must not reach decideRoute.
    return isRoutingRuleSetting(settings.routingRule) ? settings : { ...settings, routingRule: DEFAULT_SETTINGS.routingRule };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

function saveSettings(settings: Settings): void {
  try {
    globalThis.localStorage?.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Private mode or storage full: settings just won't persist.
  }
}

export const useAppStore = create<AppState>()((set) => ({
  items: {},
  order: [],
  selectedId: null,
  settings: loadSettings(),
  busy: false,
  announcement: '',

  addItems: (items) =>
    set((s) => ({
      items: { ...s.items, ...Object.fromEntries(items.map((item) => [item.id, item])) },
      order: [...s.order, ...items.map((item) => item.id)],
      selectedId: s.selectedId ?? items[0]?.id ?? null,
    })),
  updateItem: (id, update) =>
    set((s) => {
      const item = s.items[id];
      return item ? { items: { ...s.items, [id]: { ...item, ...update(item) } } } : {};
    }),
  setAnalysis: (id, analysis) =>
    set((s) => {
      const item = s.items[id];
      return item ? { items: { ...s.items, [id]: { ...item, analysis } } } : {};
    }),
  setRestore: (id, kind, restore) =>
    set((s) => {
      const item = s.items[id];
      return item ? { items: { ...s.items, [id]: { ...item, restore: { ...item.restore, [kind]: restore } } } } : {};
    }),
  removeItem: (id) =>
    set((s) => {
      const { [id]: _removed, ...items } = s.items;
      const index = s.order.indexOf(id);
      const order = s.order.filter((other) => other !== id);
      // Selection moves to the neighbour, as in a file list.
      const selectedId = s.selectedId === id ? (order[Math.min(index, order.length - 1)] ?? null) : s.selectedId;
      return { items, order, selectedId };
    }),
  clear: () => set({ items: {}, order: [], selectedId: null }),
  select: (id) => set({ selectedId: id }),
  setSettings: (patch) =>
    set((s) => {
      const settings = { ...s.settings, ...patch };
      saveSettings(settings);
      return { settings };
    }),
  setBusy: (busy) => set({ busy }),
  announce: (announcement) => set({ announcement }),
}));

/** The items in order (a stable array while neither changes). */
export function selectOrderedItems(s: Pick<AppState, 'items' | 'order'>): ImageItem[] {
  return s.order.map((id) => s.items[id]).filter(Boolean);
}
