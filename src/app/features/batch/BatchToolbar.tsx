import { useShallow } from 'zustand/react/shallow';
import { clearAll, downloadAll, restoreAll } from '../../engine/actions';
import { useAppStore } from '../../state/store';
import { openFilePicker } from '../import/file-picker';

/** The list (and this button) go away; focus lands on the empty state's main action. */
function clearAndRefocus(): void {
  clearAll();
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid="choose-files"]')?.focus());
}

export function BatchToolbar() {
  const counts = useAppStore(
    useShallow((s) => {
      let restorable = 0;
      let restored = 0;
      for (const id of s.order) {
        const item = s.items[id];
        if (item.decode.status !== 'ready') continue;
        if (item.restore.grids.status === 'done') restored++;
        else if (item.restore.grids.status !== 'queued' && item.restore.grids.status !== 'running') restorable++;
      }
      return { total: s.order.length, restorable, restored };
    }),
  );
  return (
    <div className="batch-toolbar">
      <button type="button" className="button button-small" onClick={openFilePicker} data-testid="add-files">
        Add photos
      </button>
      <button
        type="button"
        className="button button-small"
        onClick={restoreAll}
        disabled={counts.restorable === 0}
        data-testid="restore-all"
      >
        Restore all{counts.restorable > 0 ? ` (${counts.restorable})` : ''}
      </button>
      <button
        type="button"
        className="button button-small"
        onClick={() => void downloadAll()}
        disabled={counts.restored === 0}
        data-testid="download-all"
      >
        Download all{counts.restored > 0 ? ` (${counts.restored})` : ''}
      </button>
      <button type="button" className="button button-small button-quiet" onClick={clearAndRefocus} data-testid="clear-all">
        Clear
      </button>
    </div>
  );
}
