import { useEffect, useState } from 'react';
import { getInferenceClient, type BackendReport } from './client';

export type BackendState =
  | { status: 'detecting' }
  | { status: 'ready'; report: BackendReport }
  | { status: 'error'; message: string };

/** Asks the inference worker (where models will run) which backend it can use. */
export function useBackend(): BackendState {
  const [state, setState] = useState<BackendState>({ status: 'detecting' });
  useEffect(() => {
    let live = true;
    getInferenceClient()
      .detectBackend()
      .then((report) => live && setState({ status: 'ready', report }))
      .catch((error: unknown) => live && setState({ status: 'error', message: error instanceof Error ? error.message : String(error) }));
    return () => {
      live = false;
    };
  }, []);
  return state;
}
