import type { RestoreKind } from '../../state/types';

const SUFFIX: Record<RestoreKind, string> = { grids: 'restored', baseline: 'baseline' };

/** photo.jpg → photo.restored.png; "my.holiday.webp" → my.holiday.restored.png; the baseline gets ".baseline". */
export function restoredFileName(original: string, kind: RestoreKind = 'grids'): string {
  const base = original.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const stem = (dot > 0 ? base.slice(0, dot) : base).trim() || 'image';
  return `${stem}.${SUFFIX[kind]}.png`;
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
