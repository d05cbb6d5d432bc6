/**
 * §8 of docs/RESULTS.md, the selection: how each rule routes the validation crops, the JPEG check,
 * blind use, the safe automatic choice, and the selection studies.
 */
import { DEGRADATION_IDS, type DegradationId } from '../../core/degradations/ids';
import { isOodDegradation, OOD_DEGRADATION_IDS } from '../../core/degradations/out-of-distribution';
import type { RouterCalibration } from '../router/calibrate';
import type { RouterOnCrop } from '../router/on-validation';
import type { SelectionStudy } from '../study/selection-study';
import type { AutoChoiceResult } from '../zoo/auto-choice';
import type { BlindUseResult } from '../zoo/blind-use';
import { checkFired } from '../zoo/jpeg-check';
import { degradationName, f2, mean, names, NOT_MEASURED, pct, signed, table } from './markdown';
import type { ResultsReport } from './results-md';

export interface Group {
  id: string;
  members: DegradationId[];
}

/** The partition's groups with the ids the zoo gives them (group-1, group-2, … in partition order). */
export function groupsOf(report: ResultsReport): Group[] {
  return report.search.partitionIds.map((members, i) => ({ id: `group-${i + 1}`, members }));
}

/** "group-1 × 35, group-2 × 6": where crops went, most first. */
function routedTo(chosen: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const g of chosen) counts.set(g, (counts.get(g) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], undefined, { numeric: true })).map(([g, c]) => `${g} × ${c}`).join(', ');
}

/** A confusion table: crops of each source (rows) chosen per group (columns), bold where the group holds the source. */
function confusionTable(rows: readonly { source: string; chosen: string }[], sources: readonly string[], groupIds: readonly string[], groups: readonly Group[]): string {
  return table(['Source', ...groupIds], sources.map((src) => {
    const mine = rows.filter((s) => s.source === src);
    return [
      isOodDegradation(src) ? `${degradationName(src)} (OOD)` : degradationName(src),
      ...groupIds.map((g) => {
        const c = mine.filter((s) => s.chosen === g).length;
        return groups.find((x) => x.id === g)?.members.includes(src as DegradationId) ? `**${c}**` : String(c);
      }),
    ];
  }), ['l', ...groupIds.map(() => 'r' as const)]);
}

/**
 * The learned router's selection accuracy on §8's crops (its most probable group holds the crop's degradation),
 * where the zoo measured it there (src/cli/router/on-validation.ts); undefined otherwise.
 */
export function routerSelectionAccuracy(report: ResultsReport): number | undefined {
  const routerIn = report.router?.onValidation?.filter((c) => c.kind === 'in') ?? [];
  if (!routerIn.length) return undefined;
  const groups = groupsOf(report);
  return routerIn.filter((c) => groups.find((g) => g.id === c.chosen)?.members.includes(c.source as DegradationId)).length / routerIn.length;
}

export function selectionSection(report: ResultsReport): string[] {
  const cal = report.calibration;
  const inDist = cal.samples.filter((s) => s.kind === 'in');
  const groups = groupsOf(report);
  const groupIds = [...new Set([...groups.map((g) => g.id), ...cal.samples.map((s) => s.chosen)])].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const hasNearest = inDist.length > 0 && inDist.every((s) => s.nearest !== undefined);
  const crops = report.preset.calibrationCrops;
  const images = new Set(inDist.map((s) => s.image)).size;
  // The learned router on the same crops (src/cli/router/on-validation.ts), where the zoo measured it.
  const router = report.router?.onValidation;
  const routerIn = router?.filter((c) => c.kind === 'in') ?? [];
  const holds = (groupId: string, source: string) => groups.find((g) => g.id === groupId)?.members.includes(source as DegradationId) ?? false;
  const out = [
    '## 8. Selection accuracy',
    '',
    `Each of ${images} validation photo(s)${crops ? ` (${crops} corner crop(s) each, ${report.preset.eval.crop} px)` : ''} degraded by each of the ${DEGRADATION_IDS.length} degradations (calibration seed ${report.preset.eval.seed + 1}); a crop counts as correct when the group chosen (by the DDR distance, ${report.jpegCheck ? 'and the JPEG check where it fires; see below' : 'the paper\'s rule alone'}) contains its degradation. ` +
      `Overall: **${pct(cal.selectionAccuracy.overall)}** of ${inDist.length} crops.` +
      (router ? ` The learned router (its most probable group, through the shipped manifest as \`grids select\` decides) on the same crops: **${pct(routerSelectionAccuracy(report) ?? NaN)}**.` : ''),
    '',
  ];
  const headers = ['Degradation', 'Crops', 'KL: correct group', ...(hasNearest ? ['Nearest reference is the true one'] : []), 'KL: routed to', ...(router ? ['Router: correct group', 'Router: routed to'] : [])];
  const rows = DEGRADATION_IDS.map((id) => {
    const mine = inDist.filter((s) => s.source === id);
    const share = cal.selectionAccuracy.perDegradation[id];
    const routerMine = routerIn.filter((c) => c.source === id);
    return [
      degradationName(id), String(mine.length), share === undefined ? '–' : pct(share),
      ...(hasNearest ? [mine.length ? pct(mine.filter((s) => s.nearest === id).length / mine.length) : '–'] : []),
      routedTo(mine.map((s) => s.chosen)) || '–',
      ...(router ? [routerMine.length ? pct(routerMine.filter((c) => holds(c.chosen, id)).length / routerMine.length) : '–', routedTo(routerMine.map((c) => c.chosen)) || '–'] : []),
    ];
  });
  out.push(table(headers, rows, ['l', 'r', 'r', ...(hasNearest ? ['r' as const] : []), 'l', ...(router ? ['r', 'l'] as const : [])]));
  if (!hasNearest) out.push('', `The nearest single reference of each crop was ${NOT_MEASURED}.`);
  out.push('', '### Confusion summary', '', 'Crops of each source (rows) routed to each group (columns); bold cells are groups that contain the source. Out-of-distribution sources are routed too (before the threshold rejects them).', '');
  const sources = [...DEGRADATION_IDS, ...OOD_DEGRADATION_IDS.filter((o) => cal.samples.some((s) => s.source === o))];
  if (router) out.push('The KL rule (the paper\'s):', '');
  out.push(confusionTable(cal.samples, sources, groupIds, groups));
  if (router) out.push('', 'The learned router (its most probable group):', '', confusionTable(router, sources, groupIds, groups));
  out.push('', `Groups: ${groups.map((g) => `${g.id} = {${names(g.members)}}`).join('; ')}.`);
  return [...out, ...jpegCheckLines(report, groups), ...blindUseLines(report.blindUse, routerIn), ...autoChoiceLines(report.autoChoice, groups, report.jpegCheck?.check.threshold, report.router?.calibration.policy)];
}

/** The learned router has no JPEG check: it names JPEG as one of its classes. Its row: crops sent to a group holding JPEG. */
function routerJpegRow(router: readonly RouterOnCrop[] | undefined, groups: readonly Group[]): string[][] {
  const inDist = router?.filter((c) => c.kind === 'in') ?? [];
  if (!inDist.length) return [];
  const toJpeg = (c: RouterOnCrop) => groups.find((g) => g.id === c.chosen)?.members.includes('jpeg') ?? false;
  const jpeg = inDist.filter((c) => c.source === 'jpeg'), others = inDist.filter((c) => c.source !== 'jpeg');
  return [['validation crops, learned router (no check: sent to the JPEG group)', `${jpeg.filter(toJpeg).length} / ${jpeg.length}`, `${others.filter(toJpeg).length} / ${others.length}`]];
}

/** The check on the automatic choice's held-out training photos, where it was measured (nothing when it was not). */
function heldOutRow(auto: AutoChoiceResult | undefined, fired: (s: { jpegProbability?: number }) => boolean): string[][] {
  if (!auto || !auto.samples.every((s) => s.jpegProbability !== undefined)) return [];
  const jpeg = auto.samples.filter((s) => s.source === 'jpeg');
  const others = auto.samples.filter((s) => s.source !== 'jpeg');
  return [[`held-out training crops (the automatic choice's)`, `${jpeg.filter(fired).length} / ${jpeg.length}`, `${others.filter(fired).length} / ${others.length}`]];
}

/** The JPEG check: what it was trained on, and on the calibration crops what it caught and what it changed. */
function jpegCheckLines(report: ResultsReport, groups: { id: string; members: DegradationId[] }[]): string[] {
  const out = ['', '### The JPEG check', ''];
  const trained = report.jpegCheck;
  const inDist = report.calibration.samples.filter((s) => s.kind === 'in');
  if (!trained || !inDist.every((s) => s.jpegProbability !== undefined && s.nearestGroup !== undefined)) {
    return [...out, `The JPEG check was ${NOT_MEASURED} (the zoo predates it): the groups above are the distance rule's alone.`];
  }
  const threshold = trained.check.threshold;
  const fired = (s: { jpegProbability?: number }) => checkFired(s, threshold);
  const jpeg = inDist.filter((s) => s.source === 'jpeg');
  const others = inDist.filter((s) => s.source !== 'jpeg');
  const falseBy = new Map<string, number>();
  for (const s of others.filter(fired)) falseBy.set(s.source, (falseBy.get(s.source) ?? 0) + 1);
  const holds = (groupId: string, source: string) => groups.find((g) => g.id === groupId)?.members.includes(source as DegradationId) ?? false;
  const paperRight = inDist.filter((s) => holds(s.nearestGroup!, s.source)).length;
  const oods = report.calibration.samples.filter((s) => s.kind === 'ood');
  const t = trained.training;
  out.push(
    `The distance rule cannot see JPEG (at most 25 % of JPEG crops right under any rule, layer or descriptor of the study below). The check looks for JPEG's 8×8 block grid in the same descriptor features: per feature channel, the energy on block boundaries against that inside blocks, with a few shape statistics, read by a ${trained.check.description}. When P(JPEG) ≥ ${threshold}, the group holding JPEG restores, whatever the distances say; the OOD badge still uses the distance to the nearest group (core/jpeg-check.ts).`,
    '',
    table(['Photos', 'JPEG caught', 'Other degradations called JPEG'], [
      ['training (its own data)', `${t.jpegCaught} / ${t.jpeg}`, `${t.falseCalls} / ${t.others}`],
      ...heldOutRow(report.autoChoice, fired),
      [`validation crops (above)`, `${jpeg.filter(fired).length} / ${jpeg.length}`, `${others.filter(fired).length} / ${others.length}${falseBy.size ? ` (${[...falseBy].map(([src, n]) => `${degradationName(src)} ${n}`).join(', ')})` : ''}`],
      ...routerJpegRow(report.router?.onValidation, groups),
      ...(oods.length ? [['out-of-distribution crops', '–', `${oods.filter(fired).length} / ${oods.length}`]] : []),
    ], ['l', 'r', 'r']),
    '',
    `On the validation crops the distance rule alone picks the right group for ${pct(paperRight / inDist.length)} (JPEG: ${pct(jpeg.filter((s) => holds(s.nearestGroup!, s.source)).length / jpeg.length)}); with the check, ${pct(inDist.filter((s) => s.correct).length / inDist.length)} (JPEG: ${pct(jpeg.filter((s) => s.correct).length / jpeg.length)}).`,
  );
  return out;
}

/** The policy behind the app's default model: per group, the held-out crops routed to it. */
function autoChoiceLines(auto: AutoChoiceResult | undefined, groups: { id: string; members: DegradationId[] }[], jpegCheckThreshold: number | undefined, routerPolicy?: RouterCalibration['policy']): string[] {
  const out = ['', '### The safe automatic choice', ''];
  if (!auto) return [...out, `The safe automatic choice was ${NOT_MEASURED} (the zoo predates the stage).`];
  const gain = (v: number | null) => (v === null ? '–' : signed(v));
  // With a JPEG check, its route is decided apart: the group rows count only the crops the distances sent.
  const route = auto.jpegCheckRoute;
  const jpegGroup = groups.find((g) => g.members.includes('jpeg'));
  const byCheck = (x: AutoChoiceResult['samples'][number]) => !!route && jpegCheckThreshold !== undefined && checkFired(x, jpegCheckThreshold);
  const rows = groups.map((g) => {
    const t = auto.policy[g.id];
    const routed = auto.samples.filter((x) => x.chosen === g.id && !byCheck(x));
    const right = routed.filter((x) => g.members.includes(x.source)).length;
    const r = routerPolicy?.[g.id];
    return [g.id, names(g.members), String(t.routed), t.routed ? pct(right / t.routed) : '–', gain(t.groupGain), gain(t.baselineGain), t.use === 'group' ? 'the group' : '**mix baseline**',
      ...(routerPolicy ? [r ? String(r.routed) : '–', r ? (r.use === 'group' ? 'the group' : '**mix baseline**') : '–'] : [])];
  });
  if (route && jpegGroup) {
    const sent = auto.samples.filter(byCheck);
    const right = sent.filter((x) => jpegGroup.members.includes(x.source)).length;
    rows.push([`${jpegGroup.id}, by the JPEG check`, names(jpegGroup.members), String(route.routed), route.routed ? pct(right / route.routed) : '–', gain(route.groupGain), gain(route.baselineGain), route.use === 'group' ? 'the group' : '**mix baseline**', ...(routerPolicy ? ['–', '–'] : [])]);
  }
  out.push(
    `The app restores with the group its selection picks only where that group's model beat the mix baseline on held-out crops routed to it; elsewhere it restores with the baseline and says why (core/auto-choice.ts). Measured on ${auto.samples.length} crops: ${auto.cropsPerImage} corner crop(s) of ${auto.crop ?? 'full'} px of ${auto.images.length} training photo(s) that neither the references nor the validation used, each degraded by each of the ${DEGRADATION_IDS.length} degradations. "Right" is the share of the routed crops whose degradation the group holds; gains are PSNR (dB, RGB) over the degraded input. The blind-use table above scores this policy on the validation crops, which it never saw.${routerPolicy ? ' The last two columns are the same policy under the learned router, measured on its own routes of held-out crops (the learned router\'s subsection below has its gains).' : ''}`,
    '',
    table(['Group', 'Members', 'KL: routed crops', 'Right', 'Group model: gain', 'Mix baseline: gain', 'KL: restores with', ...(routerPolicy ? ['Router: routed crops', 'Router: restores with'] : [])], rows, ['l', 'l', 'r', 'r', 'r', 'r', 'l', ...(routerPolicy ? ['r', 'l'] as const : [])]),
  );
  return out;
}

/** What a wrong choice costs: the automatic choice against the right group and the mix baseline, crop by crop. */
function blindUseLines(blind: BlindUseResult | undefined, router: readonly RouterOnCrop[] = []): string[] {
  const out = ['', '### Blind use: what the selection costs', ''];
  if (!blind) return [...out, `Blind use was ${NOT_MEASURED} (the zoo predates the stage).`];
  const cells = (g: { meanGain: number; worseThanInput: number }) => [signed(g.meanGain), pct(g.worseThanInput)];
  const safe = !!blind.overall.safe;
  const safeCells = (g?: { meanGain: number; worseThanInput: number }) => (safe ? (g ? cells(g) : ['–', '–']) : []);
  // The router's columns: its most probable group, and what it restores with by default (0 dB where it keeps the photo).
  const withRouter = router.length > 0;
  const gainCells = (gains: number[]) => cells({ meanGain: mean(gains), worseThanInput: gains.filter((g) => g < 0).length / gains.length });
  const routerCells = (of: readonly RouterOnCrop[]) => (withRouter ? [...gainCells(of.map((c) => c.chosenGain!)), ...gainCells(of.map((c) => c.automaticGain!))] : []);
  out.push(
    `The same crops restored ${safe ? 'four' : 'three'} ways: by the group the selection chose (the paper's rule, with the JPEG check where the zoo has one), by the group that contains the crop's degradation (what section 2 measures), by the mix baseline${safe ? ', and by the safe automatic choice, what the app does (the chosen group, or the baseline where the group proved unreliable on held-out photos; next subsection)' : ''}.${withRouter ? ' The last four columns are the learned router on the same crops: the group it finds most probable, and what it restores with by default (its routing contract with the safe policy for its routes; a photo it keeps as it is gains 0).' : ''} Gain is PSNR (dB, RGB) over the degraded input; "worse" is the share of crops restored below the input's PSNR.`,
    '',
    table(['Degradation', 'Crops', 'KL: chosen group: gain', 'worse', 'Right group: gain', 'worse', 'Mix baseline: gain', 'worse', ...(safe ? ['KL: safe automatic: gain', 'worse'] : []), ...(withRouter ? ['Router: chosen group: gain', 'worse', 'Router: automatic: gain', 'worse'] : [])],
      [
        ...blind.rows.map((r) => [degradationName(r.degradation), String(r.crops), ...cells(r.auto), ...cells(r.oracle), ...cells(r.baseline), ...safeCells(r.safe), ...routerCells(router.filter((c) => c.source === r.degradation))]),
        ['**All**', String(blind.overall.crops), ...cells(blind.overall.auto), ...cells(blind.overall.oracle), ...cells(blind.overall.baseline), ...safeCells(blind.overall.safe), ...routerCells(router)],
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', ...(safe ? ['r', 'r'] as const : []), ...(withRouter ? ['r', 'r', 'r', 'r'] as const : [])]),
  );
  if (blind.safePrediction) {
    out.push('', `The gain the app predicts for the model it restores with under the KL rule (the group's gain-table entry for the nearest degradation, or the baseline's where the baseline restores) against the gain measured with the safe automatic choice: Pearson r = **${f2(blind.safePrediction.r)}**, mean absolute error ${f2(blind.safePrediction.meanAbsError)} dB (section 10 scores the prediction for the chosen group; the router's own prediction is scored by the routing protocol below).`);
  }
  return out;
}

/** What one photo's statistic can tell apart, whatever rule reads it (scripts/selection-study.ts). */
export function selectionStudyLines(studies: SelectionStudy[]): string[] {
  if (studies.length === 0) return [];
  const rows = studies.flatMap((s) => Object.entries(s.results).map(([rule, r]) => [
    `${s.label}, ${s.layer}`, rule, String(s.crops), pct(r.accuracy), pct(r.perDegradation.jpeg ?? NaN), r.auroc === null ? '–' : f2(r.auroc),
  ]));
  return [
    '', '### What one photo\'s statistic can tell apart', '',
    `\`npm run study:selection\` scores other rules on the calibration crops above (all of them, or with \`--crops-per-image\` the first corners of each photo; the Crops column). "pooled" is the app's rule and references. "per-photo mean" keeps the rule but makes each reference the mean statistic of ${studies[0].photos} training photos analysed one by one, as a user's photo is. "k-NN" is a 15-nearest-neighbour vote over those per-photo statistics: it assumes no rule, so it estimates what the numbers themselves separate. "per-channel" fits one GGD per feature channel instead of the pooled PCA scores. A crop is right when the group chosen holds its degradation.`,
    '',
    table(['Descriptor, layer', 'Rule', 'Crops', 'Right group', 'JPEG', 'OOD AUROC'], rows, ['l', 'l', 'r', 'r', 'r', 'r']),
  ];
}
