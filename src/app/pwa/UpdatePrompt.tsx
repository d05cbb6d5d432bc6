import { useEffect, useState } from 'react';
import { useRegisterSW } from 'virtual:pwa-register/react';
import { useAppStore } from '../state/store';

/**
 * Service worker lifecycle for the user: "ready offline" once, "offline use is off" when the
 * browser refuses to store the app (a full disk, a private window: the worker's install fails and
 * it is discarded), and "A new version is ready — Reload" when an update is waiting. It never
 * reloads by itself (registerType 'prompt'), and the button waits while a job runs, so a
 * restoration is never cut off by an update.
 */
export function UpdatePrompt() {
  const [offlineOff, setOfflineOff] = useState(false);
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW: (_url: string, registration: ServiceWorkerRegistration | undefined) => {
      const installing = registration?.installing;
      if (!registration || !installing || registration.active) return;
      const check = () => installing.state === 'redundant' && !registration.active && setOfflineOff(true);
      installing.addEventListener('statechange', check);
      check();
    },
    onRegisterError: (error: unknown) => {
      console.warn('Offline support is unavailable:', error);
      setOfflineOff(true);
    },
  });
  const busy = useAppStore((s) => s.busy);
  const reload = async () => {
    const registration = await navigator.serviceWorker?.getRegistration();
    const waiting = registration?.waiting ?? null;
    const controlled = Boolean(navigator.serviceWorker?.controller);
    await updateServiceWorker(true);
    // The plugin reloads when the new worker takes control of this page. A page opened before any
    // worker controlled it (the first visit) is never taken over, so reload it ourselves once the
    // new worker is active.
    if (!controlled) {
      if (waiting && waiting.state !== 'activated') {
        await new Promise<void>((resolve) => {
          const done = () => waiting.state === 'activated' && resolve();
          waiting.addEventListener('statechange', done);
          setTimeout(resolve, 10_000);
        });
      }
      window.location.reload();
    }
  };
  const hasImages = useAppStore((s) => s.order.length > 0);

  useEffect(() => {
    if (!offlineReady) return;
    const timer = setTimeout(() => setOfflineReady(false), 8000);
    return () => clearTimeout(timer);
  }, [offlineReady, setOfflineReady]);

  if (needRefresh) {
    return (
      <div className="banner" role="status" data-testid="update-banner">
        <span>
          A new version is ready — Reload{hasImages ? ' (your images will be cleared)' : ''}.
          {busy && <span className="muted"> Waiting for the current run to finish.</span>}
        </span>
        <span className="banner-actions">
          <button type="button" className="button button-small button-primary" onClick={() => void reload()} disabled={busy} data-testid="update-reload">
            Reload
          </button>
          <button type="button" className="button button-small button-quiet" onClick={() => setNeedRefresh(false)}>
            Later
          </button>
        </span>
      </div>
    );
  }
  if (offlineOff) {
    return (
      <div className="banner" role="status" data-testid="offline-off">
        <span>
          Offline use is off: this browser did not let the app save itself and its models on this device (its storage may be
          full, or this may be a private window). Everything works while you are online.
        </span>
        <button type="button" className="button button-small button-quiet" onClick={() => setOfflineOff(false)}>
          OK
        </button>
      </div>
    );
  }
  if (offlineReady) {
    return (
      <div className="banner" role="status" data-testid="offline-ready">
        <span>Ready to work offline: the app and its models are saved on this device.</span>
        <button type="button" className="button button-small button-quiet" onClick={() => setOfflineReady(false)}>
          OK
        </button>
      </div>
    );
  }
  return null;
}
