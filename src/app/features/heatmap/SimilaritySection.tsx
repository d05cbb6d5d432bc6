import { useManifest } from '../../queries/manifest';
import { useAppStore } from '../../state/store';
import { Heatmap } from './Heatmap';

/** The similarity heatmap with the selected photo's distances once it is analysed. */
export function SimilaritySection() {
  const manifest = useManifest();
  const selected = useAppStore((s) => (s.selectedId ? s.items[s.selectedId] : undefined));
  if (!manifest.data) return null;
  const input = selected?.analysis.status === 'done' ? { name: selected.name, distances: selected.analysis.result.degradations } : null;
  return (
    <section className="card similarity" aria-labelledby="similarity-heading" data-testid="similarity-section">
      <h2 id="similarity-heading">How similar the degradations are</h2>
      <p className="muted">
        Each cell is the distance between two degradations' deep-feature statistics; the models were grouped so that
        similar damage shares one network. Lines mark the groups.
        {input ? ' The last row is your photo.' : ' Analyse a photo to see where it falls.'}
      </p>
      <Heatmap manifest={manifest.data} input={input} />
    </section>
  );
}
