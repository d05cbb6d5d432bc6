import { InvalidArgumentError } from 'commander';
import { DEGRADATION_IDS, isDegradationId, type DegradationId } from '../core/degradations/ids';

/** commander argument parsers that fail with a message in the user's terms. */
export function integer(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got "${value}"`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${value}"`);
    return n;
  };
}

export function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0, got "${value}"`);
    return n;
  };
}

export function degradationId(value: string): DegradationId {
  if (!isDegradationId(value)) throw new InvalidArgumentError(`unknown degradation "${value}"; one of: ${DEGRADATION_IDS.join(', ')}`);
  return value;
}

/** "all" or a comma-separated list of degradation ids. */
export function taskList(value: string): DegradationId[] {
  if (value === 'all') return [...DEGRADATION_IDS];
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('--tasks needs at least one degradation id, or "all"');
  return [...new Set(ids.map(degradationId))];
}

/** Prints a JSON result on stdout (machine-readable); human lines go to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function info(line: string): void {
  process.stderr.write(line + '\n');
}
