/** Model files live next to the manifest; `file` is relative to it (the schema forbids "..", schemes and "/"). */
export function modelUrl(file: string, manifestUrl: string | URL): string {
  return new URL(file, manifestUrl).href;
}

/** The manifest's URL under the app's base path (works when the app is deployed below "/"). */
export function manifestUrlFor(baseUrl: string, origin: string): string {
  return new URL(`${baseUrl.replace(/\/?$/, '/')}models/manifest.json`, origin).href;
}
