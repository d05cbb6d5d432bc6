import { useEffect } from 'react';
import { useManifest } from '../queries/manifest';
import { useModels } from '../queries/models';
import { useAppStore } from '../state/store';
import { wasmThreadsFor } from '../inference/client';
import { engine, followRoutingRule } from './actions';

/**
 * Feeds the engine (outside React) with what React Query loaded and the current settings, and has
 * photos analysed again when a new routing rule reads other descriptor patches. Renders nothing.
 */
export function EngineBridge() {
  const manifest = useManifest();
  const models = useModels(manifest.data);
  const settings = useAppStore((s) => s.settings);
  useEffect(() => {
    if (manifest.isError) engine.setInput({ status: 'error', message: manifest.error.message });
    else if (models.status === 'error') engine.setInput({ status: 'error', message: models.message });
    else if (manifest.data && models.status === 'ready') {
      engine.setInput({
        status: 'ready',
        manifest: manifest.data,
        models: models.models,
        settings: { preferWebgpu: settings.preferWebgpu, wasmThreads: wasmThreadsFor(self), tile: settings.tile, overlap: settings.overlap },
      });
    } else engine.setInput({ status: 'loading' });
  });
  const routingRule = settings.routingRule;
  useEffect(() => {
    if (manifest.data) followRoutingRule(manifest.data);
  }, [routingRule, manifest.data]);
  return null;
}
