import { useQuery } from '@tanstack/react-query';
import { ManifestError, parseManifest, type Manifest } from '../../core/manifest';
import { manifestUrlFor } from './model-files';

/** No manifest on the server: the app runs, but nothing can be analysed until models are built. */
export class ManifestMissingError extends Error {
  override name = 'ManifestMissingError';
}

export const MANIFEST_URL = manifestUrlFor(import.meta.env.BASE_URL, self.location.origin);

export async function fetchManifest(url: string = MANIFEST_URL): Promise<Manifest> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-cache' });
  } catch {
    throw new Error(
      navigator.onLine === false
        ? 'You are offline, and the models are not saved on this device yet. Connect once to download them; after that the app also works offline.'
        : 'The models manifest could not be reached. Check the connection; after one visit the app also works offline.',
    );
  }
  // A static server's single-page fallback answers a missing file with index.html.
  const html = response.headers.get('content-type')?.includes('text/html');
  if (response.status === 404 || (response.ok && html)) {
    throw new ManifestMissingError('No models are installed: models/manifest.json is missing. Build them with `npx grids zoo` (see README).');
  }
  if (!response.ok) throw new Error(`The models manifest could not be loaded (HTTP ${response.status}).`);
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new Error('The models manifest is not valid JSON.');
  }
  return parseManifest(json); // ManifestError names every bad field
}

export function useManifest() {
  return useQuery({
    queryKey: ['manifest', MANIFEST_URL],
    queryFn: () => fetchManifest(),
    staleTime: Infinity,
    // Retrying cannot fix a missing or invalid manifest; a network hiccup, once.
    retry: (failures, error) => !(error instanceof ManifestError || error instanceof ManifestMissingError) && failures < 1,
  });
}
