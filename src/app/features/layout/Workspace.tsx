import { useEffect, useRef } from 'react';
import { useAppStore } from '../../state/store';
import { BatchList } from '../batch/BatchList';
import { DETAIL_HEADING_ID, ItemDetail } from './ItemDetail';

/** With images: the list on the side, the selected image in the middle. */
export function Workspace() {
  const selected = useAppStore((s) => (s.selectedId ? s.items[s.selectedId] : undefined));
  // Coming from the empty state, the button that had focus is gone: move focus to the new image.
  const mounted = useRef(false);
  useEffect(() => {
    if (mounted.current) return;
    mounted.current = true;
    if (document.activeElement === document.body || document.activeElement === null) document.getElementById(DETAIL_HEADING_ID)?.focus();
  }, []);
  return (
    <div className="workspace">
      <BatchList />
      {selected ? <ItemDetail item={selected} /> : <p className="muted">Choose an image in the list.</p>}
    </div>
  );
}
