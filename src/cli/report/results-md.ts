import { foreignLines, type ForeignStudy } from './foreign-md';
import { int8Lines, type Int8Study } from './int8-md';
import { protocolRows, routerSection, type RoutingValidation } from './router-md';
import type { RouterTrainingResult } from '../router/stage';
import type { RouterCalibration } from '../router/calibrate';
import type { OodFit } from '../router/ood';
import type { RouterOnCrop } from '../router/on-validation';
import { DEGRADATION_IDS, type DegradationId } from '../../core/degradations/ids';
import { isOodDegradation, OOD_DEGRADATION_IDS } from '../../core/degradations/out-of-distribution';
import { quantile } from '../../core/calibration-stats';
import type { Manifest } from '../../core/manifest';
import type { EvalResult } from '../eval/evaluate';
import type { VerificationRecord } from '../search/group-search';
import type { ReferenceSet } from '../similarity/references';
import type { SelectionStudy } from '../study/selection-study';
import type { BlindUseResult } from '../zoo/blind-use';
import type { AutoChoiceResult } from '../zoo/auto-choice';
import type { JpegCheckTraining } from '../zoo/jpeg-check';
import { oodDistanceOf, type CalibrationResult, type CalibrationSample } from '../zoo/calibrate';
import type { FromScratchGroup, LayerCandidate } from '../zoo/pipeline';
import type { ZooPreset } from '../zoo/presets';
import { heatmapSvg } from './heatmap-svg';
import { code, degradationName, f2, hms, mean, membersKey, names, NOT_MEASURED, pct, signed, table, verdict } from './markdown';
import { groupsOf, routerSelectionAccuracy, selectionSection, selectionStudyLines } from './selection-md';
import { scatterSvg, stripPlotSvg } from './charts-svg';

/**
 * docs/RESULTS.md from the JSON a `grids zoo` run leaves in its work folder (zoo-report.json,
 * timings.json, the train logs) and the manifest it published: every number in the document is
 * computed here from those inputs, never typed by hand. Pure: the caller reads the files
 * (scripts/make-results.ts) and writes the markdown and the figures this returns.
 *
 * §8's selection tables are in selection-md.ts, the learned router's in router-md.ts, the damage made
 * by other tools in foreign-md.ts, the int8 check in int8-md.ts, the formatting they share in markdown.ts.
 *
 * Reports of older zoo builds lack some fields (layer choice, from-scratch group models, the
 * expected-gain table, the gain predictor, the nearest degradation of a calibration sample); their
 * sections then say "not measured in this run".
 */

/** One verification of the search's log, with member ids (as the zoo's search stage stores it). */
export interface LoggedVerification {
  group: DegradationId[];
  deltaP: number;
  passed: boolean;
  order: number;
  phase: string;
}

/** The search stage of zoo-report.json (SearchOutcome with ids in the log). */
export interface SearchStage {
  partitionIds: DegradationId[][];
  lMax: number;
  verifierCalls: number;
  budgetExhausted: boolean;
  candidateCounts?: number[];
  verifications: LoggedVerification[];
  records?: Record<string, VerificationRecord>;
  /** Absent in reports written before speculation was recorded. */
  unusedSpeculations?: DegradationId[][];
}

export type ResultsSample = Omit<CalibrationSample, 'crop' | 'nearest' | 'nearestDistance' | 'predictedGain'> &
  Partial<Pick<CalibrationSample, 'crop' | 'nearest' | 'nearestDistance' | 'predictedGain'>>;

/** zoo-report.json, with the fields older reports lack made optional. */
export interface ResultsReport {
  preset: Omit<ZooPreset, 'calibrationCrops' | 'expectedGainImages' | 'router'> & Partial<Pick<ZooPreset, 'calibrationCrops' | 'expectedGainImages' | 'router'>>;
  command: string;
  machine: { cpus: number; model: string; platform: string; node: string };
  timings: Record<string, number>;
  layerChoice?: { chosen: string; fixedByPreset: boolean; candidates: LayerCandidate[]; rule?: string };
  references: Pick<ReferenceSet, 'order' | 'separatedCount'> & { matrices: { symmetric: number[][] } };
  evaluation: { single: EvalResult; baseline: EvalResult; grids: EvalResult };
  search: SearchStage;
  groupModels?: { trained: FromScratchGroup[]; files: Record<string, string> };
  expectedGain?: { images: string[]; table: Record<string, Record<string, number>> };
  /** Automatic choice vs oracle group vs mix baseline on the calibration crops (absent in older reports). */
  blindUse?: BlindUseResult;
  /** The safe automatic choice's held-out measurement and policy (absent in older reports). */
  autoChoice?: AutoChoiceResult;
  /** The learned router's training and held-out calibration (absent in older reports). */
  router?: { training: RouterTrainingResult; calibration: RouterCalibration; ood?: OodFit; onValidation?: RouterOnCrop[] };
  /** The JPEG check's training (absent in older reports). */
  jpegCheck?: Pick<JpegCheckTraining, 'training'> & { check: { threshold: number; description: string } };
  calibration: Omit<CalibrationResult, 'samples' | 'gainPrediction'> & {
    samples: ResultsSample[];
    gainPrediction?: CalibrationResult['gainPrediction'];
  };
}

export type TrainingKind = 'descriptor' | 'single-task' | 'baseline' | 'verification' | 'group';

/** The last line of one model's train-log.jsonl. */
export interface TrainingLog {
  /** e.g. 'single-jpeg', 'baseline', 'descriptor', or a group key. */
  model: string;
  kind: TrainingKind;
  steps: number;
  seconds: number;
}

export interface ResultsInput {
  report: ResultsReport;
  manifest: Manifest | null;
  /** timings.json of the work folder (null: use the report's). */
  timings: Record<string, number> | null;
  trainLogs: TrainingLog[];
  /** runs.jsonl of the work folder: every `grids zoo` invocation (absent in older folders). */
  runs?: { startedAt: string; command: string; stopAfter: string | null; code: string | null }[];
  /** The hand-written discussion (text null when the file does not exist). */
  discussion: { path: string; text: string | null };
  /** The work folder as named in the document, e.g. 'campaign/zoo-full'. */
  source: string;
  /** Path of the figures folder relative to the markdown file, e.g. 'results'. */
  figuresLink: string;
  /** The zoo's similarity.svg (null: drawn here from the report's matrix). */
  similaritySvg: string | null;
  /**
   * Extra from-scratch trainings of verified groups, run beside the zoo (`<work>/scratch-check/`):
   * does the fine-tuned verifier's bias flip a pass/fail near δ? Absent when none were run.
   */
  scratchChecks?: FromScratchGroup[];
  /** Selection studies (scripts/selection-study.ts, campaign/descriptor-study/); absent when none were run. */
  selectionStudies?: SelectionStudy[];
  /** Both routing rules through the routing protocol on the validation photos (<work>/router/validation.json). */
  routingValidation?: RoutingValidation;
  /** The int8 quality check (scripts/int8-study.ts, campaign/int8-study/int8.json); absent when not run. */
  int8Study?: Int8Study;
  /** Damage made by other tools (scripts/foreign-study.ts, campaign/foreign-study/foreign.json); absent when not run. */
  foreignStudy?: ForeignStudy;
}

export interface ResultsOutput {
  markdown: string;
  /** File name (inside the figures folder) → SVG text. */
  figures: Record<string, string>;
}

/** Thresholds of the issue's targets. */
export const TARGETS = {
  gainOverBaselineDb: 1.0,
  selectionAccuracy: 0.95,
  oodAuroc: 0.9,
  gainPearson: 0.7,
  /** 4 MB, in bytes (decimal megabytes: the stricter reading of "4 MB"). */
  maxModelBytes: 4_000_000,
  /** From-scratch vs fine-tuned ΔP: at least `groups` groups within `toleranceDb`. */
  fineTune: { groups: 2, toleranceDb: 0.2 },
} as const;

/** The paper's numbers (Table 1 and §5–6 text), for the comparison section. */
const PAPER = {
  gridsVsBaseline: { srresnet: 1.44, restormer: 2.24 },
  gridsVsSingle: { srresnet: 0.05, restormer: 0.09 },
  baselineVsSingle: { srresnet: -1.32, restormer: -2.15 },
  worstDrop: { srresnet: { db: 0.85, id: 'jpeg' as DegradationId }, restormer: { db: 0.68, id: 'rl' as DegradationId } },
  groups: [
    ['gaussian_blur', 'motion_blur', 'rl'],
    ['sr', 'ringing', 'defocus_blur'],
    ['jpeg', 'poisson_noise', 'inpainting'],
    ['gaussian_noise', 'salt_pepper'],
  ] as DegradationId[][],
  /** "ringing, R-L, defocus blur and motion blur degradations are relatively close to each other". */
  closeSet: ['ringing', 'rl', 'defocus_blur', 'motion_blur'] as DegradationId[],
  /** "the Gaussian blur, Salt&pepper noise and JPEG compression degradations exhibit significant variation". */
  distinctSet: ['gaussian_blur', 'salt_pepper', 'jpeg'] as DegradationId[],
};

// ---------------------------------------------------------------------------------------------
// Derived numbers

export interface PsnrRow {
  id: DegradationId;
  input: number | undefined;
  single: number | undefined;
  baseline: number | undefined;
  grids: number | undefined;
  group: string | undefined;
}

export function psnrRows(report: ResultsReport): PsnrRow[] {
  const { single, baseline, grids } = report.evaluation;
  const groups = groupsOf(report);
  return DEGRADATION_IDS.map((id) => ({
    id,
    input: (baseline.input.perTask[id] ?? single.input.perTask[id])?.psnr,
    single: single.models[id]?.perTask[id]?.psnr,
    baseline: baseline.models.baseline?.perTask[id]?.psnr,
    grids: grids.models.grids?.perTask[id]?.psnr,
    group: groups.find((g) => g.members.includes(id))?.id,
  }));
}

/** Mean of a column over the 11 degradations (undefined when one is missing). */
function columnMean(rows: PsnrRow[], key: 'input' | 'single' | 'baseline' | 'grids'): number | undefined {
  const values = rows.map((r) => r[key]);
  return values.every((v) => v !== undefined) ? mean(values as number[]) : undefined;
}

interface Summary {
  rows: PsnrRow[];
  avg: { input?: number; single?: number; baseline?: number; grids?: number };
  gainOverBaseline?: number;
  gainOverSingle?: number;
  baselineVsSingle?: number;
  worstDrop?: { id: DegradationId; drop: number };
}

function summarise(report: ResultsReport): Summary {
  const rows = psnrRows(report);
  const avg = { input: columnMean(rows, 'input'), single: columnMean(rows, 'single'), baseline: columnMean(rows, 'baseline'), grids: columnMean(rows, 'grids') };
  const diff = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a - b : undefined);
  let worstDrop: Summary['worstDrop'];
  for (const r of rows) {
    if (r.single === undefined || r.grids === undefined) continue;
    const drop = r.single - r.grids;
    if (!worstDrop || drop > worstDrop.drop) worstDrop = { id: r.id, drop };
  }
  return {
    rows, avg, worstDrop,
    gainOverBaseline: diff(avg.grids, avg.baseline),
    gainOverSingle: diff(avg.grids, avg.single),
    baselineVsSingle: diff(avg.baseline, avg.single),
  };
}

/** The gain predictor's r, falling back to the distance-only line when the report has no predictor. */
function gainR(report: ResultsReport): { r: number; method: string; fallback: boolean } {
  const gp = report.calibration.gainPrediction;
  if (gp) return { r: gp.r, method: gp.method, fallback: false };
  return { r: report.calibration.gainFit.r, method: 'linear', fallback: true };
}

interface FineTuneCheck {
  rows: { group: FromScratchGroup; diff: number | null; within: boolean | null }[];
  compared: number;
  within: number;
}

function fineTuneCheck(report: ResultsReport): FineTuneCheck | null {
  if (!report.groupModels) return null;
  const rows = report.groupModels.trained.map((group) => {
    const diff = group.fineTunedDeltaP === null ? null : group.deltaP - group.fineTunedDeltaP;
    return { group, diff, within: diff === null ? null : Math.abs(diff) <= TARGETS.fineTune.toleranceDb };
  });
  return { rows, compared: rows.filter((r) => r.diff !== null).length, within: rows.filter((r) => r.within).length };
}

export interface Target {
  label: string;
  target: string;
  measured: string;
  met: boolean | null;
}

/** The paper's KL rule's targets, on §8's corner crops: its selection, its OOD threshold (§9) and its gain prediction (§10). */
export function klRuleTargets(report: ResultsReport): Target[] {
  const out: Target[] = [];
  const acc = report.calibration.selectionAccuracy.overall;
  out.push({ label: 'Selection accuracy', target: `≥ ${pct(TARGETS.selectionAccuracy)}`, measured: pct(acc), met: acc >= TARGETS.selectionAccuracy });
  const au = report.calibration.ood.auroc;
  out.push({ label: 'OOD AUROC', target: `≥ ${f2(TARGETS.oodAuroc)}`, measured: f2(au), met: au >= TARGETS.oodAuroc });
  const g = gainR(report);
  out.push({
    label: 'Gain prediction',
    target: `Pearson r ≥ ${f2(TARGETS.gainPearson)} (predicted vs actual gain)`,
    measured: g.fallback ? `r = ${f2(g.r)} (linear fit in distance: this run recorded no gain predictor)` : `r = ${f2(g.r)} (${g.method})`,
    met: g.r >= TARGETS.gainPearson,
  });
  return out;
}

/** The targets that hold whatever rule routes: the models' PSNR against the baseline and the single-task models, their size, the verifier. */
export function modelTargets(report: ResultsReport, manifest: Manifest | null): Target[] {
  const s = summarise(report);
  const delta = report.preset.delta;
  const out: Target[] = [];
  out.push({
    label: 'GRIDS vs mix baseline',
    target: `≥ ${f2(TARGETS.gainOverBaselineDb)} dB better on average`,
    measured: s.gainOverBaseline === undefined ? NOT_MEASURED : `${signed(s.gainOverBaseline)} dB`,
    met: s.gainOverBaseline === undefined ? null : s.gainOverBaseline >= TARGETS.gainOverBaselineDb,
  });
  out.push({
    label: 'GRIDS vs single-task models',
    target: `no degradation more than δ = ${f2(delta)} dB below its single-task model`,
    measured: s.worstDrop === undefined ? NOT_MEASURED : `worst drop ${f2(s.worstDrop.drop)} dB (${degradationName(s.worstDrop.id)})`,
    met: s.worstDrop === undefined ? null : s.worstDrop.drop <= delta,
  });
  if (manifest) {
    const largest = [...manifest.groups].sort((a, b) => b.model.sizeBytes - a.model.sizeBytes)[0];
    out.push({
      label: 'Group model size',
      target: `≤ ${TARGETS.maxModelBytes / 1e6} MB each`,
      measured: `largest ${(largest.model.sizeBytes / 1e6).toFixed(3)} MB (${largest.id}, ${largest.model.file})`,
      met: largest.model.sizeBytes <= TARGETS.maxModelBytes,
    });
  } else {
    out.push({ label: 'Group model size', target: `≤ ${TARGETS.maxModelBytes / 1e6} MB each`, measured: `${NOT_MEASURED} (no manifest)`, met: null });
  }
  const ft = fineTuneCheck(report);
  out.push({
    label: 'Fine-tuned vs from-scratch ΔP',
    target: `at least ${TARGETS.fineTune.groups} groups within ${f2(TARGETS.fineTune.toleranceDb)} dB`,
    measured: ft === null ? NOT_MEASURED : `${ft.within} of ${ft.compared} compared groups within ${f2(TARGETS.fineTune.toleranceDb)} dB`,
    met: ft === null ? null : ft.within >= TARGETS.fineTune.groups,
  });
  return out;
}

/** A target of the learned router, the rule the app ships, with the paper's KL rule measured beside it. */
export interface RuleTarget {
  label: string;
  threshold: string;
  router: string;
  kl: string;
  met: boolean | null;
}

/**
 * The learned router's targets: selection accuracy on §8's corner crops (where the zoo measured the router
 * there), then every row of the routing protocol (§8, the validation photos' centre crops) that has a target.
 */
export function routerTargets(report: ResultsReport, validation: RoutingValidation | undefined): RuleTarget[] {
  const acc = routerSelectionAccuracy(report);
  const out: RuleTarget[] = [{
    label: 'Selection accuracy (section 8\'s corner crops)',
    threshold: `≥ ${pct(TARGETS.selectionAccuracy)}`,
    router: acc === undefined ? NOT_MEASURED : pct(acc),
    kl: pct(report.calibration.selectionAccuracy.overall),
    met: acc === undefined ? null : acc >= TARGETS.selectionAccuracy,
  }];
  for (const row of validation ? protocolRows(validation) : []) {
    if (row.target) out.push({ label: row.label, threshold: row.target.threshold, router: row.router, kl: row.kl, met: row.target.met });
  }
  return out;
}

/** Off-diagonal facts about the symmetric distance matrix. */
export function similarityFacts(order: readonly DegradationId[], matrix: readonly (readonly number[])[]) {
  const n = order.length;
  const perDegradation = order.map((id, i) => {
    let nearest = -1;
    for (let j = 0; j < n; j++) if (j !== i && (nearest < 0 || matrix[i][j] < matrix[i][nearest])) nearest = j;
    const others = matrix[i].filter((_, j) => j !== i);
    return { id, nearest: order[nearest], nearestDistance: matrix[i][nearest], meanDistance: mean(others) };
  });
  const pairMean = (ids: readonly DegradationId[]) => {
    const idx = ids.map((id) => order.indexOf(id)).filter((i) => i >= 0);
    const values: number[] = [];
    for (let a = 0; a < idx.length; a++) for (let b = a + 1; b < idx.length; b++) values.push(matrix[idx[a]][idx[b]]);
    return values.length ? mean(values) : NaN;
  };
  const mostDistinct = [...perDegradation].sort((a, b) => b.meanDistance - a.meanDistance).slice(0, 3);
  return { perDegradation, closeSetMean: pairMean(PAPER.closeSet), allPairsMean: pairMean(order), mostDistinct };
}

/** Pairs of degradations on which two partitions agree (together in both, or apart in both). */
function pairAgreement(a: DegradationId[][], b: DegradationId[][]) {
  const groupOf = (p: DegradationId[][], id: DegradationId) => p.findIndex((g) => g.includes(id));
  let agree = 0, together = 0, togetherInA = 0, pairs = 0;
  for (let i = 0; i < DEGRADATION_IDS.length; i++) {
    for (let j = i + 1; j < DEGRADATION_IDS.length; j++) {
      const x = DEGRADATION_IDS[i], y = DEGRADATION_IDS[j];
      const inA = groupOf(a, x) === groupOf(a, y), inB = groupOf(b, x) === groupOf(b, y);
      pairs++;
      if (inA === inB) agree++;
      if (inA) togetherInA++;
      if (inA && inB) together++;
    }
  }
  return { agree, pairs, together, togetherInA };
}

export interface DistanceStats {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** Share of the values above the threshold (flagged as out of distribution). */
  above: number;
}

export function distanceStats(values: readonly number[], threshold: number): DistanceStats | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, min: s[0], q1: quantile(s, 0.25), median: quantile(s, 0.5), q3: quantile(s, 0.75), max: s[s.length - 1], above: s.filter((v) => v > threshold).length / s.length };
}

/** Planned steps of a training of this kind under the preset. */
function plannedSteps(preset: ResultsReport['preset'], kind: TrainingKind): number {
  if (kind === 'descriptor') return preset.descriptor.steps;
  if (kind === 'verification') return preset.verifyFineTune ? preset.verifySteps : preset.restorer.steps;
  return preset.restorer.steps;
}

// ---------------------------------------------------------------------------------------------
// Sections

function summarySection(input: ResultsInput, s: Summary): string[] {
  const { report, manifest } = input;
  const groups = groupsOf(report);
  const out = ['## 1. Summary', ''];
  if (report.router) {
    const v = input.routingValidation;
    out.push(
      '### The rule the app ships: the learned router',
      '',
      'The app, `grids select` and `grids restore` choose the model with the learned router (section 8) when the manifest ships one; the paper\'s KL rule is a setting (Settings → *Routing rule*, `--rule kl`). ' +
        `The router's targets, with the KL rule measured beside it on the same crops: selection accuracy on section 8's corner crops of the validation photos, then the shared routing protocol on their centre crops${v ? ` (\`npm run routing:validation\`, ${v.createdAt.slice(0, 10)})` : ''}. Nothing was fitted or tuned on the validation photos.`,
      '',
      table(['Target', 'Threshold', 'Learned router (shipped)', 'KL rule (paper)', 'Verdict'], routerTargets(report, v).map((t) => [t.label, t.threshold, t.router, t.kl, verdict(t.met)]), ['l', 'l', 'r', 'r', 'l']),
    );
    if (!v) out.push('', '_The routing protocol has not been run on the validation photos yet (`npm run routing:validation`): its rows are missing._');
    const g = gainR(report);
    out.push('', `On section 8's crops the KL rule's OOD threshold separates out-of-distribution crops at AUROC ${f2(report.calibration.ood.auroc)} (section 9; the paper's target is ${f2(TARGETS.oodAuroc)}), and its gain prediction reaches r = ${f2(g.r)} (section 10; target ${f2(TARGETS.gainPearson)}).`);
  } else {
    out.push(
      '### The rule the app ships: the paper\'s KL rule',
      '',
      `This zoo has no learned router, so the app routes by the KL distance to each group's reference${report.jpegCheck ? ', with the JPEG check' : ''} (section 8), on section 8's corner crops of the validation photos:`,
      '',
      table(['Target', 'Threshold', 'Measured', 'Verdict'], klRuleTargets(report).map((t) => [t.label, t.target, t.measured, verdict(t.met)])),
    );
  }
  out.push('', '### The models\' targets', '');
  out.push(table(['Target', 'Threshold', 'Measured', 'Verdict'], modelTargets(report, manifest).map((t) => [t.label, t.target, t.measured, verdict(t.met)])));
  out.push('', '### Model facts', '');
  out.push(`- Preset ${code(report.preset.name)}; restorers are SRResNet-style (width ${report.preset.restorer.width}, depth ${report.preset.restorer.depth}).`);
  out.push(`- Number of groups: **${groups.length}** (paper: 4), for ${DEGRADATION_IDS.length} degradations.`);
  const rows = groups.map((g) => {
    const m = manifest?.groups.find((mg) => mg.id === g.id);
    const size = m && membersKey(m.members) === membersKey(g.members) ? `${(m.model.sizeBytes / 1e6).toFixed(3)} MB (${m.model.file})` : 'not in the manifest';
    const kind = g.members.length === 1 ? 'single-task model' : 'group model';
    return [g.id, names(g.members), kind, size];
  });
  out.push('', table(['Group', 'Members', 'Model', 'File size'], rows));
  if (!manifest) out.push('', `No manifest was read: file sizes are ${NOT_MEASURED}.`);
  else {
    const mp = manifest.search?.partition;
    if (mp && (mp.length !== groups.length || mp.some((g, i) => membersKey(g) !== membersKey(groups[i].members)))) {
      out.push('', `**Warning:** the manifest's partition differs from the report's: the manifest is not from this run.`);
    }
    if (manifest.preset !== report.preset.name) out.push('', `**Warning:** the manifest was built with preset ${code(manifest.preset)}, the report with ${code(report.preset.name)}.`);
  }
  if (s.gainOverBaseline !== undefined && s.gainOverSingle !== undefined) {
    out.push('', `On average over the ${DEGRADATION_IDS.length} degradations, GRIDS is ${signed(s.gainOverBaseline)} dB against the mix baseline and ${signed(s.gainOverSingle)} dB against the single-task models (section 2).`);
  }
  const blind = report.blindUse?.overall;
  if (blind) {
    const routerIn = report.router?.onValidation?.filter((c) => c.kind === 'in' && c.automaticGain !== null) ?? [];
    const routerGains = routerIn.map((c) => c.automaticGain!);
    const routerLine = routerGains.length
      ? ` Used blind on section 8's ${routerGains.length} crops, the learned router's automatic choice gains ${signed(mean(routerGains))} dB over the degraded input and leaves ${pct(routerGains.filter((g) => g < 0).length / routerGains.length)} of them worse than the input.`
      : '';
    out.push('', `Section 2 gives each degradation the group that contains it, as the paper does.${routerLine} Used blind with the KL rule, GRIDS gains ${signed(blind.auto.meanGain)} dB over the degraded input on average, against ${signed(blind.baseline.meanGain)} dB for the mix baseline on the same ${blind.crops} crops, and leaves ${pct(blind.auto.worseThanInput)} of them worse than the input (section 8, blind use).`);
    if (blind.safe) {
      out.push('', `Under the KL rule the app therefore restores with the mix baseline wherever a group's model lost to it on held-out training photos routed to that group (section 8, the safe automatic choice). So used, it gains ${signed(blind.safe.meanGain)} dB and leaves ${pct(blind.safe.worseThanInput)} of the crops worse than the input.`);
    }
  }
  return out;
}

function psnrSection(report: ResultsReport, s: Summary): string[] {
  const p = report.evaluation.grids.protocol;
  const opt = (v?: number) => (v === undefined ? '–' : f2(v));
  const d = (a?: number, b?: number) => (a === undefined || b === undefined ? '–' : signed(a - b));
  const rows = s.rows.map((r) => [degradationName(r.id), opt(r.input), opt(r.single), opt(r.baseline), opt(r.grids), d(r.grids, r.single), d(r.grids, r.baseline), r.group ?? '–']);
  const a = s.avg;
  rows.push(['**Average**', opt(a.input), opt(a.single), opt(a.baseline), opt(a.grids), d(a.grids, a.single), d(a.grids, a.baseline), '']);
  return [
    '## 2. PSNR on the validation photos (Table 1 style)',
    '',
    `Protocol: ${p.crop === null ? 'whole photos' : `${p.crop}×${p.crop} px centre crops`} of ${p.images.length} validation photos (never used for training or for the references), ` +
      `one fixed degradation draw per (photo, degradation), seed ${p.seed}; every model sees the same degraded inputs. ` +
      `Metric: ${p.metric}. Each cell is the mean PSNR (dB, RGB) over the photos; the average row is the unweighted mean over the ${DEGRADATION_IDS.length} degradations (Table 1's "Avg."). ` +
      'As in Table 1, the ΔP columns are GRIDS minus the other model (positive: GRIDS is better); the search\'s ΔP (section 6) is a drop, single-task minus group model.',
    '',
    table(['Degradation', 'Degraded input', 'Single-task', 'Mix baseline', 'GRIDS', 'ΔP GRIDS vs single-task', 'ΔP GRIDS vs baseline', 'Served by'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
  ];
}

function paperSection(report: ResultsReport, s: Summary): string[] {
  const ours = (v?: number) => (v === undefined ? NOT_MEASURED : `${signed(v)} dB`);
  const groups = groupsOf(report);
  const agreement = pairAgreement(PAPER.groups, report.search.partitionIds);
  const paperGroups = PAPER.groups.map((g, i) => `C${i + 1}: ${names(g)}`).join('; ');
  const ourGroups = groups.map((g) => `${g.id}: ${names(g.members)}`).join('; ');
  return [
    '## 3. Comparison with the paper',
    '',
    `The paper trains on DIV2K for 600k iterations per model; this run uses a far smaller SRResNet-style network (width ${report.preset.restorer.width}, depth ${report.preset.restorer.depth}) trained for ${report.preset.restorer.steps} steps, so absolute PSNR is not comparable; the differences are.`,
    '',
    table(['Quantity', 'Paper (SRResNet)', 'Paper (Restormer)', 'This run'], [
      ['GRIDS − mix baseline, average PSNR', `${signed(PAPER.gridsVsBaseline.srresnet)} dB`, `${signed(PAPER.gridsVsBaseline.restormer)} dB`, ours(s.gainOverBaseline)],
      ['GRIDS − single-task, average PSNR', `${signed(PAPER.gridsVsSingle.srresnet)} dB`, `${signed(PAPER.gridsVsSingle.restormer)} dB`, ours(s.gainOverSingle)],
      ['Mix baseline − single-task, average PSNR', `${signed(PAPER.baselineVsSingle.srresnet)} dB`, `${signed(PAPER.baselineVsSingle.restormer)} dB`, ours(s.baselineVsSingle)],
      [
        'Largest drop of GRIDS below single-task',
        `${f2(PAPER.worstDrop.srresnet.db)} dB (${degradationName(PAPER.worstDrop.srresnet.id)})`,
        `${f2(PAPER.worstDrop.restormer.db)} dB (${degradationName(PAPER.worstDrop.restormer.id)})`,
        s.worstDrop ? `${f2(s.worstDrop.drop)} dB (${degradationName(s.worstDrop.id)})` : NOT_MEASURED,
      ],
      ['Number of groups (δ = 0.7 dB in the paper)', '4', '4', `${groups.length} (δ = ${f2(report.preset.delta)} dB)`],
    ], ['l', 'r', 'r', 'r']),
    '',
    `- Paper's groups (searched with Restormer): ${paperGroups}.`,
    `- Ours: ${ourGroups}.`,
    `- Agreement: of the ${agreement.togetherInA} degradation pairs the paper groups together, ${agreement.together} are grouped together here; the two partitions agree on ${agreement.agree} of all ${agreement.pairs} pairs (together in both or apart in both).`,
    '',
    'Paper figures: Table 1 and §6.1 (averages and the largest per-degradation drop), §5.3 (the four groups).',
  ];
}

function similaritySection(input: ResultsInput): string[] {
  const { report } = input;
  const { order, matrices, separatedCount } = report.references;
  const m = matrices.symmetric;
  const facts = similarityFacts(order, m);
  const headers = ['', ...order.map(degradationName)];
  const rows = order.map((id, i) => [`**${degradationName(id)}**`, ...m[i].map((v, j) => (i === j ? '–' : f2(v)))]);
  const closer = facts.closeSetMean < facts.allPairsMean;
  const common = facts.mostDistinct.filter((d) => PAPER.distinctSet.includes(d.id)).length;
  return [
    '## 4. Degradation similarity matrix',
    '',
    `![Symmetric degradation distance matrix](${input.figuresLink}/similarity.svg)`,
    '',
    `Distances are the SRGA index log10(KL + 1e-5) + 5 between the GGDs of the degradations' deep representations (symmetrised KL), from training photos only; smaller means more similar. ` +
      `Separation: **${separatedCount}/${order.length}** held-out draws (other seeds, other patches) are nearest their own reference.`,
    '',
    table(headers, rows, ['l', ...order.map(() => 'r' as const)]),
    '',
    `**The paper's matrix** (Fig. 3), in its words: "ringing, R-L, defocus blur and motion blur degradations are relatively close to each other, while the Gaussian blur, Salt&pepper noise and JPEG compression degradations exhibit significant variation".`,
    '',
    '**Ours:**',
    '',
    `- Mean distance among ringing, R-L, defocus blur and motion blur: ${f2(facts.closeSetMean)}, against ${f2(facts.allPairsMean)} over all ${(order.length * (order.length - 1)) / 2} pairs: ` +
      (closer ? 'they are mutually closer than average, as in the paper.' : 'they are **not** mutually closer than average, unlike the paper.'),
    `- Largest mean distance to the others: ${facts.mostDistinct.map((d) => `${degradationName(d.id)} (${f2(d.meanDistance)})`).join(', ')}; ` +
      `${common} of these 3 are among the paper's Gaussian blur, salt & pepper noise and JPEG.`,
    '',
    table(['Degradation', 'Nearest neighbour', 'Distance', 'Mean distance to the others'], facts.perDegradation.map((d) => [degradationName(d.id), degradationName(d.nearest), f2(d.nearestDistance), f2(d.meanDistance)]), ['l', 'l', 'r', 'r']),
  ];
}

function layerSection(report: ResultsReport): string[] {
  const out = ['## 5. DDR layer choice', ''];
  const lc = report.layerChoice;
  if (!lc) return [...out, `The layer choice was ${NOT_MEASURED}${report.preset.ddr.layer ? ` (the preset fixes the layer: ${code(report.preset.ddr.layer)})` : ''}.`];
  if (lc.fixedByPreset || !lc.candidates.length) return [...out, `Layer ${code(lc.chosen)}, fixed by the preset: no candidates measured (${NOT_MEASURED}).`];
  const n = report.references.order.length;
  out.push(
    'Each candidate layer of the descriptor was measured: the similarity matrix\'s separation (held-out draws nearest their own reference), and on validation crops the share routed to their own degradation (top-1) and to a degradation of the same family. Candidates are listed cheapest first.',
    '',
    table(['Layer', 'Separated', 'Top-1', 'Family', 'Crops', 'Chosen'], lc.candidates.map((c) => [code(c.layer), `${c.separatedCount}/${n}`, pct(c.top1), pct(c.family), String(c.crops), c.layer === lc.chosen ? '**yes**' : '']), ['l', 'r', 'r', 'r', 'r', 'c']),
    '',
    `Chosen layer: ${code(lc.chosen)}${lc.rule ? `: the ${lc.rule}` : ''}.`,
  );
  return out;
}

function searchSection(report: ResultsReport): string[] {
  const search = report.search;
  const groups = groupsOf(report);
  const records = new Map(Object.values(search.records ?? {}).map((r) => [membersKey(r.group), r]));
  const drops = (members: string[]) => {
    const r = records.get(membersKey(members));
    return r ? members.map((d) => `${degradationName(d)} ${r.perTask[d] ? signed(r.perTask[d].drop) : '–'}`).join('; ') : '–';
  };
  const log = [...search.verifications].sort((a, b) => a.order - b.order);
  const out = [
    '## 6. The grouping search',
    '',
    `- δ = ${f2(report.preset.delta)} dB: a group passes when its worst PSNR drop against its members' single-task models (ΔP) is at most δ.`,
    `- Partition found (${groups.length} group${groups.length === 1 ? '' : 's'}): ${groups.map((g) => `{${names(g.members)}}`).join(', ')}.`,
    `- Largest feasible group size L_max = ${search.lMax}.`,
    `- Verifier calls (trainings): ${search.verifierCalls}, budget ${report.preset.maxVerifications}; budget ${search.budgetExhausted ? '**exhausted** (groups not verified by then counted as failing, so the partition may use more groups than the optimum)' : 'not exhausted'}.`,
    `- Verifications ${report.preset.verifyFineTune ? `fine-tune the mix baseline for ${report.preset.verifySteps} steps` : `train from scratch for ${report.preset.restorer.steps} steps`}.`,
  ];
  if (search.candidateCounts) out.push(`- Candidates kept after prefiltering, by group size 1…${search.candidateCounts.length}: ${search.candidateCounts.join(', ')}.`);
  out.push(
    '',
    '### Verification log',
    '',
    'Every verifier call in order. ΔP and the per-member drops are single-task PSNR minus group-model PSNR (dB; positive = the group model is worse).',
    '',
    table(['#', 'Phase', 'Size', 'Group', 'ΔP (dB)', 'Result', 'Per-member drop (dB)'],
      log.map((v) => [String(v.order), v.phase, String(v.group.length), names(v.group), signed(v.deltaP), v.passed ? 'pass' : 'fail', drops(v.group)]), ['r', 'l', 'r', 'l', 'r', 'l', 'l']),
    '',
    '### Unused speculative trainings',
    '',
  );
  if (!search.unusedSpeculations) out.push(`Speculative trainings were ${NOT_MEASURED}.`);
  else if (!search.unusedSpeculations.length) out.push('None: every group trained on a guess was later asked about by the search.');
  else {
    out.push(
      `${search.unusedSpeculations.length} group(s) were trained on a guess (while another verification was pending) that the search then did not ask about; they cost a training each and had no effect on the result.`,
      '',
      table(['Group', 'ΔP (dB)'], search.unusedSpeculations.map((g) => {
        const r = records.get(membersKey(g));
        return [names(g), r ? signed(r.deltaP) : '–'];
      }), ['l', 'r']),
    );
  }
  return out;
}

function fineTuneSection(report: ResultsReport, extra: readonly FromScratchGroup[]): string[] {
  const out = ['## 7. Fine-tuned vs from-scratch verification', ''];
  const ft = fineTuneCheck(report);
  if (!ft) return [...out, `The from-scratch group models were ${NOT_MEASURED}.`];
  if (!report.preset.verifyFineTune) return [...out, 'Verifications trained from scratch in this run, so there is nothing to compare.'];
  const tol = TARGETS.fineTune.toleranceDb;
  const delta = report.preset.delta;
  const row = (group: FromScratchGroup, diff: number | null, within: boolean | null) => [
    names(group.members), group.inPartition ? 'yes' : 'no', group.fineTunedDeltaP === null ? '–' : signed(group.fineTunedDeltaP), signed(group.deltaP),
    diff === null ? '–' : signed(diff), within === null ? '–' : within ? 'yes' : 'no',
    group.fineTunedDeltaP === null ? '–' : `${group.fineTunedDeltaP <= delta ? 'pass' : 'fail'} / ${group.deltaP <= delta ? 'pass' : 'fail'}`,
  ];
  const headers = ['Group', 'In partition', 'Fine-tuned ΔP (dB)', 'From-scratch ΔP (dB)', 'Difference (dB)', `Within ${f2(tol)} dB`, `At δ = ${f2(delta)}: fine-tuned / from scratch`];
  const align: ('l' | 'c' | 'r')[] = ['l', 'c', 'r', 'r', 'r', 'c', 'c'];
  out.push(
    `The search verifies groups by fine-tuning the mix baseline (${report.preset.verifySteps} steps); the paper trains each group from scratch. Groups of the partition with more than one member (and verified groups, to compare at least two) were trained again from scratch with the full recipe (${report.preset.restorer.steps} steps), and their ΔP compared.`,
    '',
    table(headers, ft.rows.map((r) => row(r.group, r.diff, r.within)), align),
    '',
    `${ft.compared} group(s) compared, ${ft.within} within ${f2(tol)} dB; the issue requires at least ${TARGETS.fineTune.groups}: **${ft.within >= TARGETS.fineTune.groups ? 'met' : 'not met'}**.`,
  );
  if (extra.length) {
    out.push(
      '',
      `Extra checks (\`scratch-check/\` in the work folder, same recipe, trained after the zoo): failed verifications whose fine-tuned ΔP lies just above δ, where a bias of the size measured above could flip the answer.`,
      '',
      table(headers, extra.map((g) => {
        const diff = g.fineTunedDeltaP === null ? null : g.deltaP - g.fineTunedDeltaP;
        return row(g, diff, diff === null ? null : Math.abs(diff) <= tol);
      }), align),
    );
  }
  return out;
}

function oodSection(report: ResultsReport, link: string, figures: Record<string, string>): string[] {
  const cal = report.calibration;
  const t = cal.oodThreshold;
  const inDist = cal.samples.filter((s) => s.kind === 'in');
  const oodSources = [...OOD_DEGRADATION_IDS.filter((o) => cal.samples.some((s) => s.source === o)), ...new Set(cal.samples.filter((s) => s.kind === 'ood' && !isOodDegradation(s.source)).map((s) => s.source))];
  const categories = [
    { label: 'in-distribution (11 degradations)', values: inDist.map(oodDistanceOf) },
    ...oodSources.map((src) => ({ label: degradationName(src), values: cal.samples.filter((s) => s.source === src).map(oodDistanceOf) })),
  ];
  figures['ood-distances.svg'] = stripPlotSvg(categories, {
    title: 'Distance to the chosen group, by source',
    xLabel: 'DDR distance to the chosen group (log10 KL + 5)',
    threshold: { value: t, label: `OOD threshold ${f2(t)}` },
    note: `AUROC ${f2(cal.ood.auroc)}; TPR ${pct(cal.ood.tpr)}, FPR ${pct(cal.ood.fpr)} at the threshold`,
  });
  const rows = categories.map((c) => {
    const st = distanceStats(c.values, t);
    return st ? [c.label, String(st.n), f2(st.min), f2(st.q1), f2(st.median), f2(st.q3), f2(st.max), pct(st.above)] : [c.label, '0', '–', '–', '–', '–', '–', '–'];
  });
  const flagged = DEGRADATION_IDS.map((id) => {
    const mine = inDist.filter((s) => s.source === id);
    return { id, above: mine.filter((s) => oodDistanceOf(s) > t).length, n: mine.length };
  }).filter((f) => f.above > 0);
  return [
    '## 9. Out-of-distribution calibration',
    '',
    `The threshold maximises Youden's J (TPR − FPR) for "distance to the chosen group > threshold means out of distribution", between the in-distribution crops of section 8 and the same crops hazed, colour-cast and under-exposed (degradations none of the models was trained on).`,
    '',
    `- Threshold: **${f2(t)}**`,
    `- At the threshold: TPR ${pct(cal.ood.tpr)} (OOD crops flagged), FPR ${pct(cal.ood.fpr)} (in-distribution crops flagged)`,
    `- AUROC: **${f2(cal.ood.auroc)}**`,
    '',
    `![Distance distributions with the OOD threshold](${link}/ood-distances.svg)`,
    '',
    table(['Source', 'n', 'Min', 'Q1', 'Median', 'Q3', 'Max', 'Above threshold'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
    flagged.length
      ? `In-distribution crops above the threshold, by degradation: ${flagged.map((f) => `${degradationName(f.id)} ${f.above}/${f.n}`).join(', ')}.`
      : 'No in-distribution crop lies above the threshold.',
  ];
}

function gainSection(report: ResultsReport, link: string, figures: Record<string, string>): string[] {
  const cal = report.calibration;
  const inDist = cal.samples.filter((s) => s.kind === 'in' && s.gain !== null);
  const out = ['## 10. Gain prediction without inference', ''];
  const gp = cal.gainPrediction;
  const predicted = inDist.filter((s) => s.predictedGain !== undefined && s.predictedGain !== null);
  if (!gp) {
    out.push(`The gain predictor was ${NOT_MEASURED}; the distance-only line below stands in for it (r = ${f2(cal.gainFit.r)}).`);
  } else {
    const how = gp.method === 'expected-gain'
      ? `expected-gain table: each group model's mean PSNR gain per degradation, measured on ${report.expectedGain ? `${report.expectedGain.images.length} training photo(s)` : 'training photos'} the references did not use; a crop's prediction is the entry of (chosen group, nearest degradation)`
      : 'linear in the distance to the chosen group (least squares on these crops)';
    out.push(`Method: ${how}. Pearson r between predicted and actual gain: **${f2(gp.r)}** (target ≥ ${f2(TARGETS.gainPearson)}).`);
  }
  if (predicted.length) {
    const mae = mean(predicted.map((s) => Math.abs(s.predictedGain! - s.gain!)));
    figures['gain-prediction.svg'] = scatterSvg(
      predicted.map((s) => ({ x: s.predictedGain!, y: s.gain!, series: s.chosen, label: `${degradationName(s.source)}, ${s.image}` })),
      { title: 'Predicted vs actual PSNR gain', xLabel: 'predicted gain (dB)', yLabel: 'actual gain (dB)', identityLine: true, note: `${gp ? `r = ${f2(gp.r)}, ` : ''}n = ${predicted.length}, mean absolute error ${f2(mae)} dB` },
    );
    out.push('', `![Predicted vs actual gain](${link}/gain-prediction.svg)`, '', `${predicted.length} in-distribution crops; mean absolute error ${f2(mae)} dB; the dashed line is y = x.`);
  } else {
    out.push('', `Per-crop predicted gains were ${NOT_MEASURED}.`);
  }
  const fit = cal.gainFit;
  figures['gain-vs-distance.svg'] = scatterSvg(
    inDist.map((s) => ({ x: s.chosenDistance, y: s.gain!, series: s.chosen, label: `${degradationName(s.source)}, ${s.image}` })),
    { title: 'Actual PSNR gain vs distance to the chosen group', xLabel: 'DDR distance to the chosen group', yLabel: 'actual gain (dB)', fitLine: { slope: fit.slope, intercept: fit.intercept, label: `gain = ${f2(fit.intercept)} ${fit.slope < 0 ? '−' : '+'} ${f2(Math.abs(fit.slope))} · d` }, note: `linear fit r = ${f2(fit.r)}, n = ${fit.n}` },
  );
  out.push(
    '',
    '### Secondary: linear fit in distance',
    '',
    `The fallback predictor, gain ≈ ${f2(fit.intercept)} ${fit.slope < 0 ? '−' : '+'} ${f2(Math.abs(fit.slope))} × distance: r = **${f2(fit.r)}** over ${fit.n} crops.`,
    '',
    `![Gain vs distance with the linear fit](${link}/gain-vs-distance.svg)`,
    '',
    '### Expected-gain table',
    '',
  );
  const eg = report.expectedGain;
  if (!eg) out.push(`The expected-gain table was ${NOT_MEASURED}.`);
  else {
    const groups = groupsOf(report);
    const ids = Object.keys(eg.table).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    out.push(
      `Mean PSNR gain (dB) of each group model (columns) on each degradation (rows), on ${eg.images.length} training photo(s); bold cells are degradations in the group.`,
      '',
      table(['Degradation', ...ids], DEGRADATION_IDS.map((d) => [degradationName(d), ...ids.map((g) => {
        const v = eg.table[g]?.[d];
        if (v === undefined) return '–';
        return groups.find((x) => x.id === g)?.members.includes(d) ? `**${signed(v)}**` : signed(v);
      })]), ['l', ...ids.map(() => 'r' as const)]),
    );
  }
  return out;
}

function reproductionSection(input: ResultsInput): string[] {
  const { report } = input;
  const p = report.preset;
  const timings = input.timings ?? report.timings;
  const out = [
    '## 11. Reproduction',
    '',
    'Command line (of the run that wrote the report):',
    '',
    '```sh',
    report.command,
    '```',
    '',
    ...(input.runs?.length
      ? [
          `Every invocation of \`grids zoo\` on this work folder (${code('runs.jsonl')}; a campaign resumes the same command many times):`,
          '',
          table(['Started (UTC)', 'Command', 'Stopped after', 'Code'], input.runs.map((r) => [r.startedAt, code(r.command), r.stopAfter ?? '–', r.code ? code(r.code.slice(0, 12) + (r.code.endsWith('+changes') ? '+changes' : '')) : '–']), ['l', 'l', 'l', 'l']),
          '',
        ]
      : []),
    'Preset:',
    '',
    '```json',
    JSON.stringify(p, null, 2),
    '```',
    '',
    'Seeds (see src/cli/zoo/pipeline.ts):',
    '',
    `- training and DDR protocol seed: ${p.seed}`,
    `- evaluation seed (Table 1, search verifications, from-scratch groups): ${p.eval.seed}`,
    `- calibration seed: ${p.eval.seed + 1} (evaluation seed + 1)`,
    `- DDR layer measurement seed: ${p.eval.seed + 2}; expected-gain table seed: ${p.eval.seed + 3}`,
    '',
    '### Stage timings',
    '',
    `Wall-clock seconds of each stage of this run (timings.json; a resumed stage counts only its last run, and ${code('trainings')} sums its runs).`,
    '',
  ];
  const entries = Object.entries(timings);
  const total = entries.reduce((a, [, v]) => a + v, 0);
  out.push(table(['Stage', 'Seconds', 'h:mm:ss'], [...entries.map(([k, v]) => [k, v.toFixed(0), hms(v)]), ['**Total**', total.toFixed(0), hms(total)]], ['l', 'r', 'r']));
  out.push('', '### Training time', '');
  if (!input.trainLogs.length) out.push(`Training times were ${NOT_MEASURED} (no train logs found).`);
  else {
    const kinds: TrainingKind[] = ['descriptor', 'baseline', 'single-task', 'verification', 'group'];
    const label: Record<TrainingKind, string> = {
      descriptor: 'descriptor', baseline: 'mix baseline', 'single-task': 'single-task', verification: p.verifyFineTune ? 'search verification (fine-tuned)' : 'search verification', group: 'group model (from scratch)',
    };
    const logs = [...input.trainLogs].sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || a.model.localeCompare(b.model));
    const totalSeconds = logs.reduce((a, l) => a + l.seconds, 0);
    const incomplete = logs.filter((l) => l.steps < plannedSteps(p, l.kind));
    out.push(
      'Training seconds from each model\'s train-log.jsonl (its last line). Every training runs in its own process on one core, so these are core-seconds.',
      '',
      table(['Kind', 'Trainings', 'Core-hours'], kinds.filter((k) => logs.some((l) => l.kind === k)).map((k) => {
        const mine = logs.filter((l) => l.kind === k);
        return [label[k], String(mine.length), (mine.reduce((a, l) => a + l.seconds, 0) / 3600).toFixed(2)];
      }).concat([['**Total**', String(logs.length), `**${(totalSeconds / 3600).toFixed(2)}**`]]), ['l', 'r', 'r']),
      '',
      `Total: **${(totalSeconds / 3600).toFixed(2)} core-hours** (${totalSeconds.toFixed(0)} core-seconds) over ${logs.length} trainings.` +
        (incomplete.length ? ` ${incomplete.length} training(s) stopped before their planned steps: ${incomplete.map((l) => l.model).join(', ')}.` : ''),
      '',
      'Per model (steps done / planned):',
      '',
      table(['Model', 'Kind', 'Steps', 'Seconds', 'Core-hours'], logs.map((l) => [l.model.replaceAll('+', ' + '), label[l.kind], `${l.steps}/${plannedSteps(p, l.kind)}`, l.seconds.toFixed(0), (l.seconds / 3600).toFixed(3)]), ['l', 'l', 'r', 'r', 'r']),
    );
  }
  const mc = report.machine;
  out.push('', '### Machine', '', `${mc.cpus} × ${mc.model}, ${mc.platform}, Node ${mc.node}.`);
  return out;
}

function discussionSection(input: ResultsInput): string[] {
  const d = input.discussion;
  const out = ['## 12. Discussion', ''];
  if (d.text === null) return [...out, `No discussion has been written yet (${code(d.path)} does not exist).`];
  return [...out, `_This section is written by hand in ${code(d.path)} and included verbatim; everything above is generated._`, '', d.text.trimEnd()];
}

// ---------------------------------------------------------------------------------------------

export function resultsMarkdown(input: ResultsInput): ResultsOutput {
  const { report } = input;
  const figures: Record<string, string> = {};
  figures['similarity.svg'] = input.similaritySvg ?? heatmapSvg(report.references.matrices.symmetric, report.references.order, { title: 'Degradation distance' });
  const s = summarise(report);
  const link = input.figuresLink;
  const sections: string[][] = [
    summarySection(input, s),
    [...psnrSection(report, s), ...withBlankLine(int8Lines(input.int8Study, degradationName))],
    paperSection(report, s),
    similaritySection(input),
    layerSection(report),
    searchSection(report),
    fineTuneSection(report, input.scratchChecks ?? []),
    [...selectionSection(report), ...withBlankLine(routerSection(report.router, input.routingValidation, degradationName)), ...withBlankLine(foreignLines(input.foreignStudy, degradationName)), ...selectionStudyLines(input.selectionStudies ?? [])],
    oodSection(report, link, figures),
    gainSection(report, link, figures),
    reproductionSection(input),
    discussionSection(input),
  ];
  const head = [
    '# GRIDS results',
    '',
    `> Generated by ${code('npm run docs:results')} from the JSON in ${code(input.source)} (zoo-report.json, timings.json, train logs) and the published manifest. Do not edit by hand: edit the generator (scripts/make-results.ts, src/cli/report/results-md.ts) or the hand-written discussion, then regenerate.`,
    '',
    `Preset ${code(report.preset.name)}.${input.manifest ? ` Manifest created ${input.manifest.createdAt}.` : ''}`,
    '',
  ];
  return { markdown: sectionsJoin(head, sections), figures };
}

const withBlankLine = (lines: string[]) => (lines.length ? ['', ...lines] : lines);

function sectionsJoin(head: string[], sections: string[][]): string {
  // Sections end without blank lines, so they join with exactly one (the discussion stays verbatim).
  return `${[head.join('\n').trimEnd(), ...sections.map((lines) => lines.join('\n').trimEnd())].join('\n\n')}\n`;
}
