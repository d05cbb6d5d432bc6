import { removeWithFocus } from '../batch/remove-with-focus';
import { useManifest } from '../../queries/manifest';
import type { ImageItem } from '../../state/types';
import { AnalysisCard } from '../analysis/AnalysisCard';
import { CompareView } from '../compare/CompareView';
import { FORMAT_LABEL } from '../import/image-header';
import { formatBytes, formatMegapixels } from '../import/limits';
import { RestorePanel } from '../restore/RestorePanel';

export const DETAIL_HEADING_ID = 'detail-heading';

/** The selected image: the viewer, then analysis and restoration side by side. */
export function ItemDetail({ item }: { item: ImageItem }) {
  const manifest = useManifest().data;
  const { decode } = item;
  return (
    <article className="detail" aria-labelledby={DETAIL_HEADING_ID} data-testid="item-detail" data-item-id={item.id}>
      <header className="detail-header">
        <div>
          <h2 id={DETAIL_HEADING_ID} tabIndex={-1} className="detail-name">
            {item.name}
          </h2>
          <p className="muted small" data-testid="item-facts">
            {decode.status === 'ready'
              ? [
                  `${decode.width} × ${decode.height}`,
                  formatMegapixels(decode),
                  FORMAT_LABEL[decode.format],
                  formatBytes(item.bytes),
                  decode.hasAlpha ? 'transparency kept' : null,
                  decode.grayscale ? 'grayscale' : null,
                  decode.animated ? 'animated: only its first frame is used' : null,
                ]
                  .filter(Boolean)
                  .join(' · ')
              : formatBytes(item.bytes)}
          </p>
        </div>
        <button type="button" className="button button-small button-quiet" onClick={() => removeWithFocus(item.id)}>
          Remove
        </button>
      </header>
      {decode.status === 'error' ? (
        <div className="notice notice-error detail-error" role="alert" data-testid="detail-error">
          <strong>This file cannot be used.</strong> {decode.message}
        </div>
      ) : decode.status === 'decoding' ? (
        <div className="compare compare-placeholder" aria-busy="true">
          <span className="spinner" aria-hidden="true" /> Reading the image…
        </div>
      ) : (
        <>
          <CompareView key={item.id} item={item} />
          <div className="panels">
            <AnalysisCard item={item} manifest={manifest} />
            <RestorePanel item={item} manifest={manifest} />
          </div>
        </>
      )}
    </article>
  );
}
