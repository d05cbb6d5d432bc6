import type { RestoreKind } from '../../state/types';

const SUFFIX: Record<RestoreKind, string> = { grids: 'restored', baseline: 'baseline' };

/** Longest stem kept (in characters): file systems allow 255 bytes, and the suffix and a "-n" need room. */
export const MAX_STEM = 120;
/** Names Windows reserves for devices, whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * A stem safe on every system: control and format characters (bidirectional overrides that could
 * disguise the extension included), line separators, path separators and the characters Windows forbids
 * become "_", runs of dots become one (no ".."), leading and trailing dots and spaces go (no hidden
 * files), at most MAX_STEM characters, a device name gets a "_", and it is never empty.
 */
export function safeStem(stem: string): string {
  const cleaned = stem
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}<>:"/\\|?*]/gu, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const short = [...cleaned].slice(0, MAX_STEM).join('').replace(/[\s.]+$/, '');
  if (!short) return 'image';
  return RESERVED.test(short) ? `_${short}` : short;
}

/** photo.jpg → photo.restored.png; "my.holiday.webp" → my.holiday.restored.png; the baseline gets ".baseline". */
export function restoredFileName(original: string, kind: RestoreKind = 'grids'): string {
  const base = original.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return `${safeStem(dot > 0 ? base.slice(0, dot) : base)}.${SUFFIX[kind]}.png`;
}

/** Zip entries must be unique: the second photo.restored.png becomes photo.restored-2.png, and so on. */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${ext}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/** grids-restored-2025-03-14.zip (local date). */
export function zipFileName(date: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `grids-restored-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.zip`;
}
