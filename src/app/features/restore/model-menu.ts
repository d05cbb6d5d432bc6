/**
 * The restore panel's model menu: option values for every choice the user can make. A group's
 * value is its id (tests pick groups by id); the other choices start with a colon, which the zoo's
 * group ids ("group-1", …) never do.
 */
import type { Manifest } from '../../../core/manifest';
import type { ModelChoice } from '../../inference/client';
import { groupTag } from '../analysis/format';

export const AUTOMATIC_VALUE = '';
export const KEEP_ORIGINAL_VALUE = ':none';
const BASELINE_VALUE = ':baseline';

export function menuValue(override: ModelChoice | null): string {
  if (!override) return AUTOMATIC_VALUE;
  if (override.kind === 'none') return KEEP_ORIGINAL_VALUE;
  return override.kind === 'baseline' ? BASELINE_VALUE : override.id;
}

export function menuChoice(value: string): ModelChoice | null {
  if (value === AUTOMATIC_VALUE) return null;
  if (value === KEEP_ORIGINAL_VALUE) return { kind: 'none' };
  if (value === BASELINE_VALUE) return { kind: 'baseline' };
  return { kind: 'group', id: value };
}

/** A model's name in the panel: "GRIDS · G2", "Mix baseline", "Original (kept as it is)". */
export function modelLabel(model: ModelChoice | null, manifest: Manifest | undefined): string {
  if (!model) return 'GRIDS';
  if (model.kind === 'baseline') return 'Mix baseline';
  if (model.kind === 'none') return 'Original (kept as it is)';
  return `GRIDS · ${groupTag(manifest?.groups, model.id)}`;
}

/** The automatic option names what the decision picked. */
export function automaticName(model: ModelChoice, manifest: Manifest): string {
  if (model.kind === 'baseline') return 'Mix baseline';
  if (model.kind === 'none') return 'Keep original';
  return manifest.groups.find((g) => g.id === model.id)?.name ?? model.id;
}

/** "G2", "the mix baseline", "no restoration": what the predicted gain is for. */
export function modelPhrase(model: ModelChoice, manifest: Manifest | undefined): string {
  if (model.kind === 'baseline') return 'the mix baseline';
  if (model.kind === 'none') return 'no restoration';
  return groupTag(manifest?.groups, model.id);
}
