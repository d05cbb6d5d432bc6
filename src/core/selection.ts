/**
 * Adaptive model selection (paper §5.2, Eq. 7). A group's GGD is the mean of its members' GGD
 * parameters; the chosen group is the one with the least KL(GGD(group) ‖ GGD(input)), reported as
 * the SRGA distance D = log10(KL + 1e-5) + 5. The same distance flags out-of-distribution inputs
 * and, through a calibration, predicts the gain of the chosen model without running it.
 *
 * One addition to the paper: the distances cannot see JPEG here, so when the JPEG check
 * (jpeg-check.ts) fires, the group holding JPEG is chosen instead. The ranking, the OOD flag and
 * everything else still come from the distances.
 */
import { ggdDistance, klGGD } from './ggd.ts';
import type { Ggd } from './ggd-types.ts';

const JPEG_ID = 'jpeg';

export interface ReferenceDegradation {
  readonly id: string;
  readonly ggd: Ggd;
}

export interface GroupDefinition {
  readonly id: string;
  readonly members: readonly string[];
}

/**
 * How the gain of the chosen model is predicted without running it (fitted on held-out data
 * elsewhere). With `expectedGain`, the prediction is the chosen group model's measured mean gain on
 * the degradation nearest the input (its reference GGD); otherwise, or when the table lacks that
 * pair, the linear fit intercept + slope · chosenDistance.
 */
export interface GainCalibration {
  readonly slope: number;
  readonly intercept: number;
  /** expectedGain[groupId][degradationId]: mean PSNR gain (dB) of the group's model on that degradation. */
  readonly expectedGain?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function predictGain(calibration: GainCalibration, chosenGroup: string, chosenDistance: number, nearestDegradation: string): number {
  const expected = calibration.expectedGain?.[chosenGroup]?.[nearestDegradation];
  return expected ?? calibration.intercept + calibration.slope * chosenDistance;
}

export interface SelectionOptions {
  /** Inputs whose nearest group is farther than this are flagged OOD; no flag when absent. */
  readonly oodThreshold?: number;
  readonly calibration?: GainCalibration | null;
  /** The JPEG check's verdict on the input (jpeg-check.ts); absent when the manifest has no check. */
  readonly jpegCheck?: { readonly probability: number; readonly threshold: number };
}

/** The JPEG check's verdict, as selection used it. */
export interface JpegCheckResult {
  readonly probability: number;
  readonly threshold: number;
  /** The check fired, so the group holding JPEG was chosen whatever the distances said. */
  readonly fired: boolean;
}

export interface RankedDistance {
  readonly id: string;
  /** D(KL(candidate ‖ input)). */
  readonly distance: number;
  /** KL(candidate ‖ input). */
  readonly kl: number;
}

export interface SelectionResult {
  /**
   * Id of the group with the least distance (the first listed wins an exact tie), or the group
   * holding JPEG when the JPEG check fired.
   */
  readonly chosen: string;
  readonly chosenDistance: number;
  /** All groups, ascending by distance. */
  readonly groups: RankedDistance[];
  /** All reference degradations, ascending by distance. */
  readonly degradations: RankedDistance[];
  /** Distance to the nearest group: how far the input is from everything trained on. */
  readonly nearestGroupDistance: number;
  /** nearestGroupDistance is above the OOD threshold. */
  readonly ood: boolean;
  readonly predictedGain: number | null;
  /** The degradation the gain prediction assumes: JPEG when the check fired, else the nearest one. */
  readonly likelyDegradation: string;
  readonly jpegCheck: JpegCheckResult | null;
}

/** GGD(C) = (1/n) Σ GGD(d_i): the mean of the members' sigma and beta (paper §5.2). */
export function groupGgd(members: readonly Ggd[]): Ggd {
  if (members.length === 0) throw new RangeError('groupGgd needs at least one member');
  let sigma = 0;
  let beta = 0;
  for (const m of members) {
    sigma += m.sigma;
    beta += m.beta;
  }
  return { sigma: sigma / members.length, beta: beta / members.length };
}

function rank(candidates: { id: string; ggd: Ggd }[], input: Ggd): RankedDistance[] {
  const ranked = candidates.map(({ id, ggd }) => {
    // Eq. 7's direction: the candidate (trained-on) distribution first, the input second.
    const kl = klGGD(ggd, input);
    return { id, kl, distance: ggdDistance(kl) };
  });
  return ranked.sort((a, b) => a.distance - b.distance); // stable: input order breaks ties
}

export function selectGroup(
  input: Ggd,
  reference: readonly ReferenceDegradation[],
  groups: readonly GroupDefinition[],
  options: SelectionOptions = {},
): SelectionResult {
  if (groups.length === 0) throw new RangeError('selectGroup needs at least one group');
  const byId = new Map<string, Ggd>();
  for (const r of reference) {
    if (byId.has(r.id)) throw new Error(`reference degradation "${r.id}" is listed more than once`);
    byId.set(r.id, r.ggd);
  }
  const groupIds = new Set<string>();
  const groupCandidates = groups.map((group) => {
    if (groupIds.has(group.id)) throw new Error(`group "${group.id}" is listed more than once`);
    groupIds.add(group.id);
    if (group.members.length === 0) throw new RangeError(`group "${group.id}" has no members`);
    const members = group.members.map((member) => {
      const ggd = byId.get(member);
      if (!ggd) throw new Error(`group "${group.id}" names unknown degradation "${member}" (no reference GGD for it)`);
      return ggd;
    });
    return { id: group.id, ggd: groupGgd(members) };
  });

  const { oodThreshold, calibration } = options;
  if (oodThreshold !== undefined && !Number.isFinite(oodThreshold)) {
    throw new RangeError(`oodThreshold must be a finite number, got ${oodThreshold}`);
  }
  if (calibration && !(Number.isFinite(calibration.slope) && Number.isFinite(calibration.intercept))) {
    throw new RangeError(`calibration needs finite slope and intercept, got ${JSON.stringify(calibration)}`);
  }

  const rankedGroups = rank(groupCandidates, input);
  const rankedDegradations = rank([...byId].map(([id, ggd]) => ({ id, ggd })), input);
  const nearest = rankedGroups[0];
  const check = options.jpegCheck;
  const jpegGroup = groups.find((g) => g.members.includes(JPEG_ID));
  const fired = !!check && !!jpegGroup && check.probability >= check.threshold;
  const best = fired ? rankedGroups.find((g) => g.id === jpegGroup!.id)! : nearest;
  const likelyDegradation = fired ? JPEG_ID : rankedDegradations[0].id;
  return {
    chosen: best.id,
    chosenDistance: best.distance,
    groups: rankedGroups,
    degradations: rankedDegradations,
    // Distance from everything trained on, so the nearest group's, whichever group restores.
    nearestGroupDistance: nearest.distance,
    ood: oodThreshold !== undefined && nearest.distance > oodThreshold,
    predictedGain: calibration ? predictGain(calibration, best.id, best.distance, likelyDegradation) : null,
    likelyDegradation,
    jpegCheck: check ? { probability: check.probability, threshold: check.threshold, fired } : null,
  };
}
