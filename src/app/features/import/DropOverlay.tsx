/** Shown while files are dragged over the window; the whole window is the drop target. */
export function DropOverlay({ visible }: { visible: boolean }) {
  return (
    <div className={`drop-overlay ${visible ? 'is-visible' : ''}`} aria-hidden="true" data-testid="drop-overlay">
      <div className="drop-overlay-card">Drop to add photos</div>
    </div>
  );
}
