import { zipSync } from 'fflate';
import { uniqueNames } from './download-names';

/**
 * Stores (level 0) rather than deflates: PNGs are already compressed, so deflating again would
 * cost seconds for nothing. Synchronous, but storing is a copy and a CRC.
 */
export function zipFiles(files: readonly { name: string; bytes: Uint8Array }[]): Uint8Array {
  const names = uniqueNames(files.map((f) => f.name));
  return zipSync(Object.fromEntries(files.map((f, i) => [names[i], [f.bytes, { level: 0 }]])));
}
