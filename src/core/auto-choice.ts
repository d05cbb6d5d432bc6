/**
 * The safe automatic choice. The paper restores with the group its selection picks (selection.ts).
 * Ours misroutes often, and a misrouted group model can lose far more than the mix baseline
 * (docs/RESULTS.md, blind use). So the zoo measures, for each group, what happens when the selection
 * picks it: on held-out training photos (never the validation ones), every crop routed to the group
 * is restored by the group's model and by the mix baseline. The app restores with the group only
 * where that beat the baseline on average, and with the baseline elsewhere. The user can still pick
 * any group.
 *
 * The JPEG check (jpeg-check.ts) is a route of its own: the crops it sends to the JPEG group are
 * mostly JPEG, those the distances send there mostly are not, so each route gets its own decision.
 */

/** Which model restores: a group of the manifest, the mix baseline, or none (the photo stays as it is). */
export type ModelChoice = { kind: 'group'; id: string } | { kind: 'baseline' } | { kind: 'none' };

/** A model choice as one string: the group id, 'baseline' or 'none' (the CLI's JSON, the app's data attributes). */
export function modelKey(model: ModelChoice): string {
  return model.kind === 'group' ? model.id : model.kind;
}

/** The choice a key names: modelKey's inverse ('none', 'baseline', else a group id). */
export function modelChoiceOf(key: string): ModelChoice {
  return key === 'none' || key === 'baseline' ? { kind: key } : { kind: 'group', id: key };
}

/** One held-out crop: the group the selection picked, and both models' PSNR gains (dB over the degraded input). */
export interface RoutedGain {
  readonly chosen: string;
  readonly groupGain: number;
  readonly baselineGain: number;
}

/** What the held-out crops routed to one group showed. */
export interface GroupTrust {
  /** Held-out crops the selection routed to this group. */
  readonly routed: number;
  /** Mean gain of the group's model on them (null when none was routed). */
  readonly groupGain: number | null;
  /** Mean gain of the mix baseline on the same crops. */
  readonly baselineGain: number | null;
  /** What the app restores with when the selection picks this group. */
  readonly use: 'group' | 'baseline';
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The policy: trust a group only when its model beat the baseline, on average, on the crops routed
 * to it. A group no crop was routed to has no evidence, so it gets the baseline (the safe default).
 */
export function decideAutoChoice(groupIds: readonly string[], samples: readonly RoutedGain[]): Record<string, GroupTrust> {
  const known = new Set(groupIds);
  for (const s of samples) {
    if (!known.has(s.chosen)) throw new Error(`a held-out crop was routed to "${s.chosen}", which is not one of the groups`);
    if (!Number.isFinite(s.groupGain) || !Number.isFinite(s.baselineGain)) throw new RangeError(`gains must be finite numbers, got ${JSON.stringify(s)}`);
  }
  return Object.fromEntries(groupIds.map((id) => [id, decideRouteTrust(samples.filter((s) => s.chosen === id))]));
}

/** The same rule for one route: the crops it sent to one model. */
export function decideRouteTrust(routed: readonly Pick<RoutedGain, 'groupGain' | 'baselineGain'>[]): GroupTrust {
  if (!routed.length) return { routed: 0, groupGain: null, baselineGain: null, use: 'baseline' };
  const groupGain = mean(routed.map((s) => s.groupGain));
  const baselineGain = mean(routed.map((s) => s.baselineGain));
  return { routed: routed.length, groupGain, baselineGain, use: groupGain > baselineGain ? 'group' : 'baseline' };
}

export interface AutomaticChoice {
  /** The model the app restores with when the user picks none. */
  readonly model: { kind: 'group'; id: string } | { kind: 'baseline' };
  /**
   * - 'trusted': the policy trusts the picked group;
   * - 'unreliable': the policy falls back to the baseline for the picked group;
   * - 'no-policy': the manifest has no policy (or no baseline), so the picked group is used, as in the paper.
   */
  readonly reason: 'trusted' | 'unreliable' | 'no-policy';
  /** The held-out evidence behind the decision (null without a policy). */
  readonly evidence: GroupTrust | null;
  /** The JPEG check chose the group, so the evidence is that of the check's route. */
  readonly viaJpegCheck: boolean;
}

/**
 * The model to restore with when the selection picked `chosen`. `jpegCheckRoute` is the decision
 * for the JPEG check's route, passed only when the check chose the group; without one, the group's
 * own decision applies.
 */
export function automaticChoice(
  chosen: string,
  policy: Readonly<Record<string, GroupTrust>> | undefined,
  hasBaseline: boolean,
  jpegCheckRoute?: GroupTrust,
): AutomaticChoice {
  const viaJpegCheck = !!jpegCheckRoute;
  const evidence = jpegCheckRoute ?? policy?.[chosen];
  if (!evidence || !hasBaseline) return { model: { kind: 'group', id: chosen }, reason: 'no-policy', evidence: evidence ?? null, viaJpegCheck };
  return evidence.use === 'group'
    ? { model: { kind: 'group', id: chosen }, reason: 'trusted', evidence, viaJpegCheck }
    : { model: { kind: 'baseline' }, reason: 'unreliable', evidence, viaJpegCheck };
}
