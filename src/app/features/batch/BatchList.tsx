import { useShallow } from 'zustand/react/shallow';
import { useManifest } from '../../queries/manifest';
import { removeWithFocus } from './remove-with-focus';
import { selectOrderedItems, useAppStore } from '../../state/store';
import type { ImageItem } from '../../state/types';
import { itemStatus } from './item-status';
import { BatchToolbar } from './BatchToolbar';

/** The images, in the order added: pick one to see it; status at a glance; per-item errors stay on the item. */
export function BatchList() {
  const items = useAppStore(useShallow(selectOrderedItems));
  const selectedId = useAppStore((s) => s.selectedId);
  return (
    <nav className="batch" aria-label="Images">
      <BatchToolbar />
      <ul className="batch-list" data-testid="batch-list">
        {items.map((item) => (
          <BatchRow key={item.id} item={item} selected={item.id === selectedId} />
        ))}
      </ul>
    </nav>
  );
}

function BatchRow({ item, selected }: { item: ImageItem; selected: boolean }) {
  const select = useAppStore((s) => s.select);
  const manifest = useManifest().data;
  const rule = useAppStore((s) => s.settings.routingRule);
  const status = itemStatus(item, manifest, rule);
  const thumbnail = item.decode.status === 'ready' ? item.decode.thumbnailUrl : null;
  const describedBy = `status-${item.id}`;
  return (
    <li
      className={`batch-row ${selected ? 'is-selected' : ''} tone-${status.tone}`}
      data-testid="batch-item"
      data-item-id={item.id}
      data-name={item.name}
      data-status={status.stage}
    >
      <button
        type="button"
        className="batch-select"
        aria-current={selected ? 'true' : undefined}
        aria-describedby={describedBy}
        onClick={() => select(item.id)}
        data-testid="select-item"
      >
        <span className="thumb" aria-hidden="true">
          {thumbnail ? <img src={thumbnail} alt="" /> : <span className="thumb-placeholder" />}
        </span>
        <span className="batch-text">
          <span className="batch-name">{item.name}</span>
          <span
            id={describedBy}
            className="batch-status"
            data-testid={status.tone === 'error' ? 'item-error' : 'item-status'}
          >
            {status.text}
          </span>
        </span>
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={`Remove ${item.name}`}
        title="Remove"
        onClick={() => removeWithFocus(item.id)}
        data-testid="remove-item"
      >
        <svg viewBox="0 0 16 16" aria-hidden="true">
          <path d="M4 4 L12 12 M12 4 L4 12" />
        </svg>
      </button>
    </li>
  );
}
