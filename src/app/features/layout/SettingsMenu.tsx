import { useAppStore } from '../../state/store';
import { RoutingRuleField } from './RoutingRuleField';

const TILE_SIZES = [128, 256, 512];

/** Few settings, in a disclosure: most people never need them. */
export function SettingsMenu() {
  const settings = useAppStore((s) => s.settings);
  const setSettings = useAppStore((s) => s.setSettings);
  return (
    <details className="popover">
      <summary className="chip chip-button">Settings</summary>
      <div className="popover-panel popover-right stack" data-testid="settings-panel">
        <label className="check">
          <input
            type="checkbox"
            checked={settings.preferWebgpu}
            onChange={(e) => setSettings({ preferWebgpu: e.currentTarget.checked })}
            data-testid="setting-webgpu"
          />
          Use the GPU (WebGPU) when available
        </label>
        <label className="field">
          <span>Tile size</span>
          <select value={settings.tile} onChange={(e) => setSettings({ tile: Number(e.currentTarget.value) })} data-testid="setting-tile">
            {TILE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size} px{size === 256 ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </label>
        <p className="muted small">Smaller tiles use less memory; larger ones are faster on a GPU. Settings apply to the next run.</p>
        <RoutingRuleField />
      </div>
    </details>
  );
}
