/**
 * Markdown formatting shared by the sections of docs/RESULTS.md (results-md.ts, selection-md.ts):
 * numbers, degradation names and tables.
 */
import type { DegradationId } from '../../core/degradations/ids';
import { DEGRADATION_TABLE } from '../../core/degradations/table';
import { OOD_DEGRADATION_TABLE } from '../../core/degradations/out-of-distribution';

export const NOT_MEASURED = 'not measured in this run';

export const f2 = (x: number) => fixed(x, 2);
/** Signed, 2 decimals by default: "+0.12", "-0.50", never "-0.00". */
export function signed(x: number, digits = 2): string {
  const s = fixed(x, digits);
  return s.startsWith('-') ? s : `+${s}`;
}
export const pct = (share: number) => `${fixed(share * 100, 1)} %`;
export function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}
export const code = (s: string) => `\`${s}\``;
export const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function degradationName(id: string): string {
  if (id in DEGRADATION_TABLE) return DEGRADATION_TABLE[id as DegradationId].name;
  if (id in OOD_DEGRADATION_TABLE) return OOD_DEGRADATION_TABLE[id as keyof typeof OOD_DEGRADATION_TABLE].name;
  return id;
}
export const names = (ids: readonly string[]) => ids.map(degradationName).join(', ');

export function table(headers: string[], rows: string[][], align?: ('l' | 'r' | 'c')[]): string {
  const sep = headers.map((_, i) => ({ l: '---', r: '---:', c: ':---:' })[align?.[i] ?? 'l']);
  return [`| ${headers.map(cell).join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export const verdict = (met: boolean | null) => (met === null ? '– not measured' : met ? '✅ met' : '❌ not met');

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function hms(seconds: number): string {
  const s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export const membersKey = (members: readonly string[]) => [...members].sort().join('+');
