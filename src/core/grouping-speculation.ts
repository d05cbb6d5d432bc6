import { searchGroups, type GroupingResult } from './grouping';

/**
 * The grouping search with verifications run `workers` at a time.
 *
 * `searchGroups` asks for one ΔP at a time, and each answer is a training. It is deterministic given
 * its answers, so it can be replayed cheaply: a replay that meets a group with no known answer stops
 * there, and that group is the next question. To keep several trainings busy, we also replay with
 * the pending answer *guessed* (`predictPass`), which names the question after it, and so on (when
 * the guess would end the search, the other answer's question is trained instead). The
 * batch is answered (trained and evaluated) together, and the loop repeats until a replay finishes.
 * The final replay uses only real answers, so the result and its verification log are exactly those
 * of the sequential search; a wrong guess costs one training and nothing else.
 */
export interface SpeculativeSearchOptions {
  distances: readonly (readonly number[])[];
  delta: number;
  maxVerifications?: number;
  tieTolerance?: number;
  workers: number;
  /** ΔP already known (e.g. memoised by an earlier run), keyed by `groupId(members)`. Extended in place. */
  known: Map<string, number>;
  /** Answers a batch of groups (members ascending): their ΔP, in the same order. */
  answer: (batch: number[][]) => Promise<number[]>;
}

export interface SpeculativeSearchResult {
  result: GroupingResult;
  /** Groups answered on a guess, whether or not the search asked about them later. */
  speculated: number[][];
  /** Number of batches answered. */
  rounds: number;
}

export const groupId = (members: readonly number[]) => members.join(',');

/** Thrown by the replay verifier at the first group with no answer yet. */
class PendingQuestion {
  constructor(readonly group: number[]) {}
}

/**
 * A guess at whether a group passes, from the answers so far, used only to choose what to train
 * ahead. Monotonicity first (a superset of a failing group fails; a subset of a passing group
 * passes), then the answered group nearest in mean pairwise distance; with no answers, pairs pass.
 */
export function predictPass(group: readonly number[], answers: ReadonlyMap<string, number>, distances: readonly (readonly number[])[], delta: number): boolean {
  const entries = [...answers].map(([id, deltaP]) => ({ members: id.split(',').map(Number), deltaP }));
  const within = (small: readonly number[], big: readonly number[]) => small.every((m) => big.includes(m));
  if (entries.some((e) => e.deltaP > delta && within(e.members, group))) return false;
  if (entries.some((e) => e.deltaP <= delta && within(group, e.members))) return true;
  const meanDistance = (members: readonly number[]) => {
    let sum = 0, count = 0;
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) { sum += distances[members[i]][members[j]]; count++; }
    return count ? sum / count : 0;
  };
  const mean = meanDistance(group);
  let nearest: { gap: number; pass: boolean } | null = null;
  for (const e of entries) {
    const gap = Math.abs(meanDistance(e.members) - mean);
    if (!nearest || gap < nearest.gap) nearest = { gap, pass: e.deltaP <= delta };
  }
  return nearest?.pass ?? group.length <= 2;
}

export async function searchGroupsSpeculatively(options: SpeculativeSearchOptions): Promise<SpeculativeSearchResult> {
  const { known, distances, delta } = options;
  const replay = (answers: ReadonlyMap<string, number>) => searchGroups({
    distances, delta, maxVerifications: options.maxVerifications, tieTolerance: options.tieTolerance,
    verify: async (members) => {
      const deltaP = answers.get(groupId(members));
      if (deltaP === undefined) throw new PendingQuestion(members);
      return deltaP;
    },
  });
  /** The next question given these answers, or null when the search finishes. */
  const nextQuestion = async (answers: ReadonlyMap<string, number>): Promise<number[] | null> => {
    try {
      await replay(answers);
      return null;
    } catch (error) {
      if (error instanceof PendingQuestion) return error.group;
      throw error;
    }
  };
  const speculated: number[][] = [];
  let rounds = 0;
  for (let question = await nextQuestion(known); question; question = await nextQuestion(known)) {
    const batch = [question];
    const assumed = new Map(known);
    while (batch.length < options.workers) {
      const last = batch[batch.length - 1];
      const guess = predictPass(last, assumed, distances, delta);
      assumed.set(groupId(last), guess ? -Infinity : Infinity);
      let next = await nextQuestion(assumed);
      if (!next) {
        // The guessed answer would end the search, so a worker would idle: train the question
        // the other answer leads to instead (useful exactly when the guess is wrong).
        assumed.set(groupId(last), guess ? Infinity : -Infinity);
        next = await nextQuestion(assumed);
      }
      if (!next) break;
      batch.push(next);
      speculated.push(next);
    }
    const answers = await options.answer(batch);
    if (answers.length !== batch.length) throw new Error(`answer() returned ${answers.length} values for ${batch.length} groups`);
    batch.forEach((members, i) => known.set(groupId(members), answers[i]));
    rounds++;
  }
  return { result: await replay(known), speculated, rounds };
}
