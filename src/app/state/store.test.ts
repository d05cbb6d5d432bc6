import { beforeEach, describe, expect, it } from 'vitest';
import { newItem, selectOrderedItems, useAppStore } from './store';

describe('app store', () => {
  beforeEach(() => useAppStore.getState().clear());

  it('selects the first added image and moves the selection to a neighbour on removal', () => {
    const { addItems } = useAppStore.getState();
    addItems([newItem('a', 'a.png', 1), newItem('b', 'b.png', 1), newItem('c', 'c.png', 1)]);
    expect(useAppStore.getState().selectedId).toBe('a');
    useAppStore.getState().select('b');
    useAppStore.getState().removeItem('b');
    expect(useAppStore.getState().selectedId).toBe('c');
    useAppStore.getState().removeItem('c');
    expect(useAppStore.getState().selectedId).toBe('a');
    expect(selectOrderedItems(useAppStore.getState()).map((i) => i.id)).toEqual(['a']);
  });

  it('updates one restoration without touching the other', () => {
    useAppStore.getState().addItems([newItem('a', 'a.png', 1)]);
    useAppStore.getState().setRestore('a', 'baseline', { status: 'queued', model: { kind: 'baseline' } });
    const { restore } = useAppStore.getState().items.a;
    expect(restore.baseline.status).toBe('queued');
    expect(restore.grids.status).toBe('idle');
  });
});
