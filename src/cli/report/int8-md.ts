/**
 * RESULTS.md's int8 subsection: the quality check of static int8 (QDQ) group models
 * (`npm run study:int8`, campaign/int8-study/int8.json). A quantised model may ship only when it
 * loses at most INT8_MAX_LOSS dB on every degradation of its group.
 */
import type { DegradationId } from '../../core/degradations/ids';

export const INT8_MAX_LOSS = 0.1;

export interface Int8Study {
  protocol: { photos: number; crop: number; seed: number; calibrationPhotos: number };
  /** The quantised variants, in the order of each row's `int8`. */
  variants: string[];
  rows: { group: string; task: DegradationId; float: number; int8: number[] }[];
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

/** Per variant, the worst loss and the degradations over the limit. */
export function int8Verdicts(study: Int8Study, name: (id: string) => string) {
  return study.variants.map((label, v) => {
    const losses = study.rows.map((r) => ({ task: r.task, loss: r.float - r.int8[v] }));
    const worst = losses.reduce((a, b) => (b.loss > a.loss ? b : a));
    // 1e-9: a loss of exactly the limit stays within it, whatever the subtraction's rounding.
    const over = losses.filter((l) => l.loss > INT8_MAX_LOSS + 1e-9).map((l) => name(l.task));
    return { label, worst, over, passes: over.length === 0 };
  });
}

export function int8Lines(study: Int8Study | undefined, name: (id: string) => string): string[] {
  if (!study) return [];
  const { protocol } = study;
  const verdicts = int8Verdicts(study, name);
  const header = `| Group | Degradation | float | ${study.variants.map((v) => `int8, ${v}`).join(' | ')} |`;
  return [
    '### int8 (QDQ) versions of the group models',
    '',
    `\`npm run study:int8\`: each group model with its convolutions' weights in int8 (per output channel) and every activation in uint8 (per tensor), the ranges calibrated on ${protocol.calibrationPhotos} training photos degraded by the group's members; PSNR (dB) on the ${protocol.photos} validation photos as in §2 (${protocol.crop} px centre crops, seed ${protocol.seed}), and the change against the float model. A quantised model ships only if it loses at most ${INT8_MAX_LOSS} dB on every degradation of its group.`,
    '',
    header,
    `| --- | --- | ---: | ${study.variants.map(() => '---:').join(' | ')} |`,
    ...study.rows.map((r) => `| ${r.group} | ${name(r.task)} | ${r.float.toFixed(2)} | ${r.int8.map((q) => `${q.toFixed(2)} (${signed(q - r.float)})`).join(' | ')} |`),
    '',
    ...verdicts.map((v) => `- ${v.label}: ${v.passes ? `passes (worst ${name(v.worst.task)}, ${signed(-v.worst.loss)} dB)` : `fails on ${v.over.join(', ')} (worst ${name(v.worst.task)}, ${signed(-v.worst.loss)} dB)`}.`),
    '',
    verdicts.some((v) => v.passes) ? 'A variant passes the check.' : 'No variant passes, so the app and the CLI ship the float models only.',
  ];
}
