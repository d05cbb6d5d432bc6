import { MAX_MEGAPIXELS } from './limits';
import { openFilePicker } from './file-picker';
import { SamplePicker } from './SamplePicker';

/** The first screen: one clear action, a sample, and three lines on what happens. */
export function EmptyState() {
  return (
    <section className="empty-state" aria-labelledby="empty-heading">
      <div className="drop-zone" data-testid="drop-zone">
        <svg className="drop-zone-icon" viewBox="0 0 48 48" aria-hidden="true">
          <rect x="6" y="10" width="36" height="28" rx="4" />
          <path d="M6 32 L18 22 L26 29 L32 24 L42 32" />
          <circle cx="32" cy="18" r="3" />
        </svg>
        <h2 id="empty-heading">Drop photos here, paste, or choose files</h2>
        <p className="muted">PNG, JPEG or WebP, up to {MAX_MEGAPIXELS} MP each. Nothing leaves your device.</p>
        <div className="actions">
          <button type="button" className="button button-primary" onClick={openFilePicker} data-testid="choose-files">
            Choose files
          </button>
        </div>
        <SamplePicker />
      </div>
      <ol className="how-it-works">
        <li>
          <strong>Analyse.</strong> A small network describes the photo's damage statistically and compares it with
          eleven known degradations.
        </li>
        <li>
          <strong>Choose.</strong> The closest group of similar degradations wins; each group has its own restoration
          model.
        </li>
        <li>
          <strong>Restore.</strong> That model runs tile by tile on your GPU or CPU. Compare, then download.
        </li>
      </ol>
    </section>
  );
}
