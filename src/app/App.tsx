import { EngineBridge } from './engine/EngineBridge';
import { DropOverlay } from './features/import/DropOverlay';
import { EmptyState } from './features/import/EmptyState';
import { FileInput } from './features/import/FileInput';
import { useDropAndPaste } from './features/import/useDropAndPaste';
import { Header } from './features/layout/Header';
import { ModelsProblem } from './features/layout/ModelStatus';
import { Workspace } from './features/layout/Workspace';
import { SimilaritySection } from './features/heatmap/SimilaritySection';
import { UpdatePrompt } from './pwa/UpdatePrompt';
import { useAppStore } from './state/store';

export function App() {
  const hasImages = useAppStore((s) => s.order.length > 0);
  const announcement = useAppStore((s) => s.announcement);
  const dragging = useDropAndPaste();
  return (
    <div className="app">
      <EngineBridge />
      <Header />
      <UpdatePrompt />
      <main className="main" id="main">
        <ModelsProblem />
        {hasImages ? <Workspace /> : <EmptyState />}
        <SimilaritySection />
      </main>
      <footer className="footer muted small">
        GRIDS: grouped multiple-degradation restoration with image degradation similarity (Cao et al.). Everything runs
        in your browser.
      </footer>
      <FileInput />
      <DropOverlay visible={dragging} />
      <p className="visually-hidden" aria-live="polite" data-testid="announcer">
        {announcement}
      </p>
    </div>
  );
}
