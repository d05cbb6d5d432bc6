import { defaultRule, type RoutingRule } from '../../../core/routing';
import { useManifest } from '../../queries/manifest';
import { useAppStore } from '../../state/store';
import { resolveRule } from '../analysis/decision';

/**
 * Which rule picks the model that restores a photo by default. Switching decides every analysed
 * photo again; where the two rules read different numbers of descriptor patches, the photos are
 * analysed again (EngineBridge).
 */
export function RoutingRuleField() {
  const manifest = useManifest().data;
  const setting = useAppStore((s) => s.settings.routingRule);
  const setSettings = useAppStore((s) => s.setSettings);
  const hasRouter = !!manifest?.router;
  // What actually decides: a saved 'router' falls back to KL with models that have no router.
  const shown: RoutingRule = manifest ? resolveRule(setting, manifest) : setting === 'auto' ? 'router' : setting;
  const choose = (rule: RoutingRule) => setSettings({ routingRule: manifest && rule === defaultRule(manifest) ? 'auto' : rule });
  return (
    <>
      <label className="field">
        <span>Routing rule</span>
        <select value={shown} onChange={(e) => choose(e.currentTarget.value as RoutingRule)} disabled={!manifest} data-testid="setting-routing-rule">
          <option value="router" disabled={!hasRouter}>
            {hasRouter || !manifest ? 'Learned router (default)' : 'Learned router (not in these models)'}
          </option>
          <option value="kl">{manifest && !hasRouter ? "Paper's KL rule (default)" : "Paper's KL rule"}</option>
        </select>
      </label>
      <p className="muted small">
        Which model restores a photo when you pick none. The router reads the damage from the photo and can leave a clean
        photo as it is; the paper's rule takes the group nearest by KL distance.
        {manifest?.router?.descriptorPatches !== undefined && manifest.router.descriptorPatches < manifest.descriptor.input.patchCount
          ? ` The router reads ${manifest.router.descriptorPatches} patches of a photo, the paper's rule ${manifest.descriptor.input.patchCount}: switching analyses the photos again.`
          : ' Applies at once, without a new analysis.'}
      </p>
    </>
  );
}
