import { useEffect, useState } from 'react';
import { createInferenceClient } from '../../workers/inference/client';
import type { BackendReport } from '../../workers/inference/backend';

export type BackendState =
  | { status: 'detecting' }
  | { status: 'ready'; report: BackendReport }
  | { status: 'error'; message: string };

/** Asks the inference worker (where models will run) which backend it can use. */
export function useBackend(): BackendState {
  const [state, setState] = useState<BackendState>({ status: 'detecting' });
  useEffect(() => {
    const client = createInferenceClient();
    let live = true;
    client
      .detectBackend()
      .then((report) => live && setState({ status: 'ready', report }))
      .catch((error: unknown) => live && setState({ status: 'error', message: String(error) }));
    return () => {
      live = false;
      client.terminate();
    };
  }, []);
  return state;
}
