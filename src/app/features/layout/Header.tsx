import { BackendChip } from './BackendChip';
import { ModelStatus } from './ModelStatus';
import { SettingsMenu } from './SettingsMenu';
import { usePopoverDismiss } from './usePopoverDismiss';

export function Header() {
  usePopoverDismiss();
  return (
    <header className="app-header">
      <div className="brand">
        <img src={`${import.meta.env.BASE_URL}icons/icon.svg`} alt="" width="28" height="28" />
        <div>
          <h1>GRIDS</h1>
          <p className="muted small">Photo restoration, with the model made for the damage</p>
        </div>
      </div>
      <div className="header-chips">
        <ModelStatus />
        <BackendChip />
        <SettingsMenu />
      </div>
    </header>
  );
}
