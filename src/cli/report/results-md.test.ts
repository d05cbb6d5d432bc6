import { describe, expect, it } from 'vitest';
import { DEGRADATION_IDS, type DegradationId } from '../../core/degradations/ids';
import { DEGRADATION_TABLE } from '../../core/degradations/table';
import type { GroupTrust } from '../../core/auto-choice';
import type { Manifest } from '../../core/manifest';
import type { EvalResult } from '../eval/evaluate';
import type { FromScratchGroup } from '../zoo/pipeline';
import { resultsMarkdown, type ResultsInput, type ResultsReport, type ResultsSample } from './results-md';
import type { ForeignStudy } from './foreign-md';
import type { RouterOnCrop } from '../router/on-validation';
import { assertWellFormedXml } from './xml-well-formed';

// ---------------------------------------------------------------------------------------------
// Fixture: a whole zoo report built here, with numbers chosen so that every expectation below can
// be worked out by hand or recomputed independently.

const IDS = [...DEGRADATION_IDS];
const nameOf = (id: string) => DEGRADATION_TABLE[id as DegradationId].name;
/** The paper's four groups (so the agreement with the paper is total). */
const PARTITION: DegradationId[][] = [
  ['gaussian_blur', 'motion_blur', 'rl'],
  ['sr', 'ringing', 'defocus_blur'],
  ['jpeg', 'poisson_noise', 'inpainting'],
  ['gaussian_noise', 'salt_pepper'],
];
const groupOf = (id: DegradationId) => `group-${PARTITION.findIndex((g) => g.includes(id)) + 1}`;

/** 1-D positions: distance(i, j) = |p_i − p_j| + 2, no ties between nearest neighbours. */
const POSITIONS: Record<DegradationId, number> = {
  motion_blur: 0, rl: 0.15, defocus_blur: 0.35, ringing: 0.6, sr: 1.3, jpeg: 2.1, poisson_noise: 2.8,
  inpainting: 3.6, gaussian_noise: 4.05, salt_pepper: 5.5, gaussian_blur: 7.3,
};
const distance = (a: DegradationId, b: DegradationId) => (a === b ? 0 : Math.abs(POSITIONS[a] - POSITIONS[b]) + 2);

const SINGLE = IDS.map((_, i) => 26 + ((i * 7) % 5) * 0.41);
const INPUT = IDS.map((_, i) => 20 + i * 0.37);

function evalResult(models: Record<string, Record<string, number>>, input: number[]): EvalResult {
  const scores = (psnr: number) => ({ psnr, psnrY: psnr + 1, ssim: 0.5, perImage: [] });
  const perTask = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([t, v]) => [t, scores(v)]));
  return {
    protocol: { seed: 5, crop: 64, images: ['a.png', 'b.png', 'c.png'], tasks: IDS, metric: 'PSNR' },
    input: { perTask: perTask(Object.fromEntries(IDS.map((t, i) => [t, input[i]]))), average: scores(0) },
    models: Object.fromEntries(Object.entries(models).map(([name, values]) => [name, { file: `${name}.onnx`, perTask: perTask(values), average: scores(-999) }])),
  };
}

interface FixtureOptions {
  /** GRIDS − single-task, per degradation. */
  gridsMinusSingle?: number[];
  /** Mix baseline − single-task, per degradation. */
  baselineMinusSingle?: number[];
  accuracy?: number;
  auroc?: number;
  gainR?: number | null;
  gainFitR?: number;
  trained?: FromScratchGroup[];
}

const GRIDS_MINUS_SINGLE = IDS.map((_, i) => 0.05 - 0.1 * (i % 4));
const BASELINE_MINUS_SINGLE = IDS.map((_, i) => -1.3 - (i % 3) * 0.2);

const trainedGroup = (members: DegradationId[], fineTuned: number | null, scratch: number): FromScratchGroup => ({
  members, onnx: 'x.onnx', inPartition: true, deltaP: scratch, perTask: {}, fineTunedDeltaP: fineTuned,
});

function calibrationSamples(): ResultsSample[] {
  const samples: ResultsSample[] = [];
  // Two crops per degradation; the second crop of even-indexed degradations goes to group-4.
  IDS.forEach((source, i) => {
    for (let crop = 0; crop < 2; crop++) {
      const chosen = crop === 1 && i % 2 === 0 ? 'group-4' : groupOf(source);
      samples.push({
        image: 'a.png', crop, source, kind: 'in', chosen, chosenDistance: 1 + ((i + crop) % 4), nearest: crop === 0 ? source : 'jpeg', nearestDistance: 1,
        predictedGain: 0.5 + 0.1 * i, correct: chosen === groupOf(source), inputPsnr: 20, gain: 0.4 + 0.1 * i + 0.05 * crop,
      });
    }
  });
  const ood: [ResultsSample['source'], number[]][] = [['haze', [1, 2, 4, 8]], ['colour_cast', [0.4, 0.8]], ['low_light', [6, 7, 9]]];
  for (const [source, distances] of ood) {
    distances.forEach((d, crop) => samples.push({ image: 'a.png', crop, source, kind: 'ood', chosen: 'group-1', chosenDistance: d, predictedGain: null, correct: null, inputPsnr: null, gain: null }));
  }
  return samples;
}

function makeReport(o: FixtureOptions = {}): ResultsReport {
  const gms = o.gridsMinusSingle ?? GRIDS_MINUS_SINGLE, bms = o.baselineMinusSingle ?? BASELINE_MINUS_SINGLE;
  const samples = calibrationSamples();
  return {
    preset: {
      name: 'fixture',
      descriptor: { width: 8, depth: 2, scale: 4, steps: 100, batch: 4, patch: 16, lr: 1e-3 },
      restorer: { width: 16, depth: 2, activation: 'relu', steps: 200, batch: 4, patch: 32, lr: 1e-3 },
      ddr: { patchSize: 16, patchCount: 64, k: 16, referenceImages: 8, referenceCrop: 96 },
      eval: { crop: 64, seed: 5 },
      calibrationCrops: 2,
      expectedGainImages: 3,
      delta: 0.7,
      verifyFineTune: true,
      verifySteps: 50,
      maxVerifications: 9,
      seed: 11,
    },
    command: 'grids zoo --preset fixture --work /w',
    machine: { cpus: 2, model: 'Test CPU', platform: 'linux', node: 'v20' },
    timings: { trainings: 100 },
    layerChoice: {
      chosen: 'hidden_hr', fixedByPreset: false,
      candidates: [
        { layer: 'last_block', separatedCount: 7, top1: 0.5, family: 0.75, crops: 33, perDegradation: {} },
        { layer: 'hidden_hr', separatedCount: 9, top1: 0.625, family: 0.8125, crops: 33, perDegradation: {} },
      ],
    },
    references: { order: IDS, separatedCount: 8, matrices: { symmetric: IDS.map((a) => IDS.map((b) => distance(a, b))) } },
    evaluation: {
      single: evalResult(Object.fromEntries(IDS.map((t, i) => [t, { [t]: SINGLE[i] }])), INPUT),
      baseline: evalResult({ baseline: Object.fromEntries(IDS.map((t, i) => [t, SINGLE[i] + bms[i]])) }, INPUT),
      grids: evalResult({ grids: Object.fromEntries(IDS.map((t, i) => [t, SINGLE[i] + gms[i]])) }, INPUT),
    },
    search: {
      partitionIds: PARTITION,
      lMax: 3,
      verifierCalls: 4,
      budgetExhausted: false,
      candidateCounts: [11, 6, 4, 0, 0, 0, 0, 0, 0, 0, 0],
      verifications: [
        // Deliberately out of order: the log is printed by `order`.
        { group: ['jpeg', 'poisson_noise', 'inpainting'], deltaP: 0.41, passed: true, order: 2, phase: 'prefilter' },
        { group: ['gaussian_blur', 'motion_blur', 'rl', 'sr'], deltaP: 1.23, passed: false, order: 0, phase: 'lmax' },
        { group: ['gaussian_blur', 'motion_blur', 'rl'], deltaP: 0.37, passed: true, order: 1, phase: 'lmax' },
        { group: ['gaussian_noise', 'salt_pepper'], deltaP: -0.12, passed: true, order: 3, phase: 'solve' },
      ],
      records: {
        'gaussian_blur+motion_blur+rl': {
          group: ['gaussian_blur', 'motion_blur', 'rl'], deltaP: 0.37, model: 'm', onnx: 'm.onnx', trainSeconds: 1, fineTunedFrom: null,
          perTask: { gaussian_blur: { group: 25, single: 25.37, drop: 0.37 }, motion_blur: { group: 24, single: 23.9, drop: -0.1 }, rl: { group: 30, single: 30.21, drop: 0.21 } },
        },
        'sr+ringing': {
          group: ['sr', 'ringing'], deltaP: 0.83, model: 'm', onnx: 'm.onnx', trainSeconds: 1, fineTunedFrom: null,
          perTask: { sr: { group: 25, single: 25.83, drop: 0.83 }, ringing: { group: 24, single: 24.5, drop: 0.5 } },
        },
      },
      unusedSpeculations: [['sr', 'ringing']],
    },
    groupModels: {
      trained: o.trained ?? [trainedGroup(['gaussian_blur', 'motion_blur', 'rl'], 0.37, 0.47), trainedGroup(['sr', 'ringing', 'defocus_blur'], 0.2, 0.05)],
      files: {},
    },
    expectedGain: {
      images: ['t1.png', 't2.png', 't3.png'],
      table: Object.fromEntries(PARTITION.map((_, g) => [`group-${g + 1}`, Object.fromEntries(IDS.map((t, i) => [t, g - i * 0.1]))])),
    },
    calibration: {
      samples,
      oodThreshold: 3,
      ood: { auroc: o.auroc ?? 0.93, tpr: 0.7777777777777778, fpr: 0.25 },
      selectionAccuracy: {
        overall: o.accuracy ?? 0.96,
        perDegradation: Object.fromEntries(IDS.map((t, i) => [t, i % 2 === 0 && groupOf(t) !== 'group-4' ? 0.5 : 1])),
      },
      gainFit: { slope: 0.25, intercept: -0.5, r: o.gainFitR ?? 0.42, n: 22 },
      ...(o.gainR === null ? {} : { gainPrediction: { method: 'expected-gain' as const, r: o.gainR ?? 0.8 } }),
    },
  };
}

function makeManifest(sizes: number[]): Manifest {
  return {
    version: 1, createdAt: '2025-01-01T00:00:00.000Z', preset: 'fixture',
    groups: PARTITION.map((members, i) => ({ id: `group-${i + 1}`, name: 'g', members, model: { file: `group-${i + 1}.onnx`, sizeBytes: sizes[i], arch: 'srresnet', width: 16, depth: 2 } })),
    search: { delta: 0.7, partition: PARTITION, verifications: [] },
  } as unknown as Manifest;
}

function render(report: ResultsReport, extra: Partial<ResultsInput> = {}) {
  return resultsMarkdown({
    report, manifest: makeManifest([1_000_000, 2_000_000, 3_000_000, 3_900_000]), timings: { trainings: 3600, search: 1800 },
    trainLogs: [
      { model: 'baseline', kind: 'baseline', steps: 200, seconds: 3600 },
      { model: 'single-jpeg', kind: 'single-task', steps: 150, seconds: 1800 },
      { model: 'sr+ringing', kind: 'verification', steps: 50, seconds: 5400 },
    ],
    discussion: { path: 'campaign/discussion.md', text: 'We found **things**.\n\n| a | b |\n' },
    source: 'campaign/zoo-full', figuresLink: 'results', similaritySvg: null,
    ...extra,
  });
}

// ---------------------------------------------------------------------------------------------
// Reading the markdown back

/** The text of section `n` ("## n. …"), up to the next level-2 heading. */
function section(md: string, n: number): string {
  const start = md.indexOf(`\n## ${n}. `);
  expect(start, `section ${n}`).toBeGreaterThanOrEqual(0);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end < 0 ? undefined : end);
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/** The cells of the table row whose first cell is `first`. */
function row(text: string, first: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith('|') && cells(l)[0] === first);
  expect(line, `row "${first}"`).toBeDefined();
  return cells(line!);
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sgn = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

// ---------------------------------------------------------------------------------------------

describe('resultsMarkdown: PSNR table', () => {
  const report = makeReport();
  const md = render(report).markdown;
  const s2 = section(md, 2);
  const psnr = (r: EvalResult, model: string, t: DegradationId) => r.models[model].perTask[t]!.psnr;
  const single = IDS.map((t) => psnr(report.evaluation.single, t, t));
  const baseline = IDS.map((t) => psnr(report.evaluation.baseline, 'baseline', t));
  const grids = IDS.map((t) => psnr(report.evaluation.grids, 'grids', t));
  const input = IDS.map((t) => report.evaluation.baseline.input.perTask[t]!.psnr);

  it('has one row per degradation with the report’s numbers, the differences and the serving group', () => {
    IDS.forEach((t, i) => {
      expect(row(s2, nameOf(t))).toEqual([
        nameOf(t), input[i].toFixed(2), single[i].toFixed(2), baseline[i].toFixed(2), grids[i].toFixed(2),
        sgn(grids[i] - single[i]), sgn(grids[i] - baseline[i]), groupOf(t),
      ]);
    });
  });

  it('has an average row equal to the mean recomputed over the 11 degradations (not the stored averages)', () => {
    const avg = row(s2, '**Average**');
    expect(avg.slice(1, 7)).toEqual([
      mean(input).toFixed(2), mean(single).toFixed(2), mean(baseline).toFixed(2), mean(grids).toFixed(2),
      sgn(mean(grids) - mean(single)), sgn(mean(grids) - mean(baseline)),
    ]);
  });

  it('states the protocol', () => {
    expect(s2).toContain('64×64 px centre crops of 3 validation photos');
    expect(s2).toContain('seed 5');
  });

  it('compares the averages with the paper, and finds full agreement with the paper’s groups', () => {
    const s3 = section(md, 3);
    expect(row(s3, 'GRIDS − mix baseline, average PSNR')).toEqual(['GRIDS − mix baseline, average PSNR', '+1.44 dB', '+2.24 dB', `${sgn(mean(grids) - mean(baseline))} dB`]);
    expect(row(s3, 'GRIDS − single-task, average PSNR')[3]).toBe(`${sgn(mean(grids) - mean(single))} dB`);
    expect(row(s3, 'Mix baseline − single-task, average PSNR')[3]).toBe(`${sgn(mean(baseline) - mean(single))} dB`);
    expect(row(s3, 'Number of groups (δ = 0.7 dB in the paper)')[3]).toBe('4 (δ = 0.70 dB)');
    expect(s3).toContain('of the 10 degradation pairs the paper groups together, 10 are grouped together here');
    expect(s3).toContain('agree on 55 of all 55 pairs');
  });
});

describe('resultsMarkdown: targets', () => {
  const verdictOf = (md: string, label: string) => row(section(md, 1), label)[3];
  const measuredOf = (md: string, label: string) => row(section(md, 1), label)[2];

  it('GRIDS vs baseline: met from 1.0 dB up, not met below', () => {
    const above = render(makeReport({ baselineMinusSingle: IDS.map((_, i) => -1.1 - (i % 2) * 0.1), gridsMinusSingle: IDS.map(() => 0) })).markdown;
    // mean(baseline − single) = −(6·1.1 + 5·1.2)/11 = −1.1455: GRIDS is 1.1455 dB better.
    expect(measuredOf(above, 'GRIDS vs mix baseline')).toBe('+1.15 dB');
    expect(verdictOf(above, 'GRIDS vs mix baseline')).toBe('✅ met');
    const below = render(makeReport({ baselineMinusSingle: IDS.map(() => -0.95), gridsMinusSingle: IDS.map(() => 0) })).markdown;
    expect(measuredOf(below, 'GRIDS vs mix baseline')).toBe('+0.95 dB');
    expect(verdictOf(below, 'GRIDS vs mix baseline')).toBe('❌ not met');
  });

  it('worst drop against single-task: names the worst degradation, met within δ = 0.7 dB only', () => {
    const drops = (worst: number) => IDS.map((t) => (t === 'jpeg' ? -worst : -0.1));
    const within = render(makeReport({ gridsMinusSingle: drops(0.65) })).markdown;
    expect(measuredOf(within, 'GRIDS vs single-task models')).toBe('worst drop 0.65 dB (JPEG)');
    expect(verdictOf(within, 'GRIDS vs single-task models')).toBe('✅ met');
    const beyond = render(makeReport({ gridsMinusSingle: drops(0.75) })).markdown;
    expect(measuredOf(beyond, 'GRIDS vs single-task models')).toBe('worst drop 0.75 dB (JPEG)');
    expect(verdictOf(beyond, 'GRIDS vs single-task models')).toBe('❌ not met');
  });

  it('selection accuracy ≥ 95 %, OOD AUROC ≥ 0.9, gain r ≥ 0.7', () => {
    const good = render(makeReport({ accuracy: 0.96, auroc: 0.91, gainR: 0.71 })).markdown;
    const bad = render(makeReport({ accuracy: 0.94, auroc: 0.89, gainR: 0.69 })).markdown;
    expect(measuredOf(good, 'Selection accuracy')).toBe('96.0 %');
    expect(verdictOf(good, 'Selection accuracy')).toBe('✅ met');
    expect(verdictOf(bad, 'Selection accuracy')).toBe('❌ not met');
    expect(measuredOf(good, 'OOD AUROC')).toBe('0.91');
    expect(verdictOf(good, 'OOD AUROC')).toBe('✅ met');
    expect(verdictOf(bad, 'OOD AUROC')).toBe('❌ not met');
    expect(measuredOf(good, 'Gain prediction')).toBe('r = 0.71 (expected-gain)');
    expect(verdictOf(good, 'Gain prediction')).toBe('✅ met');
    expect(verdictOf(bad, 'Gain prediction')).toBe('❌ not met');
  });

  it('falls back to the linear fit’s r when the report has no gain predictor, and says so', () => {
    const good = render(makeReport({ gainR: null, gainFitR: 0.75 })).markdown;
    expect(measuredOf(good, 'Gain prediction')).toMatch(/^r = 0\.75 \(linear fit in distance/);
    expect(verdictOf(good, 'Gain prediction')).toBe('✅ met');
    expect(verdictOf(render(makeReport({ gainR: null, gainFitR: 0.5 })).markdown, 'Gain prediction')).toBe('❌ not met');
  });

  it('group model size ≤ 4 MB each; not measured without a manifest', () => {
    const small = render(makeReport()).markdown;
    expect(measuredOf(small, 'Group model size')).toContain('3.900 MB (group-4');
    expect(verdictOf(small, 'Group model size')).toBe('✅ met');
    const large = render(makeReport(), { manifest: makeManifest([1, 4_100_000, 2, 3]) }).markdown;
    expect(measuredOf(large, 'Group model size')).toContain('4.100 MB (group-2');
    expect(verdictOf(large, 'Group model size')).toBe('❌ not met');
    const none = render(makeReport(), { manifest: null }).markdown;
    expect(verdictOf(none, 'Group model size')).toBe('– not measured');
  });

  it('fine-tuned vs from-scratch: at least two groups within 0.2 dB', () => {
    const two = render(makeReport({ trained: [trainedGroup(['sr', 'ringing'], 0.3, 0.4), trainedGroup(['jpeg', 'inpainting'], 0.5, 0.35), trainedGroup(['rl', 'gaussian_noise'], null, 0.9)] })).markdown;
    expect(measuredOf(two, 'Fine-tuned vs from-scratch ΔP')).toBe('2 of 2 compared groups within 0.20 dB');
    expect(verdictOf(two, 'Fine-tuned vs from-scratch ΔP')).toBe('✅ met');
    const one = render(makeReport({ trained: [trainedGroup(['sr', 'ringing'], 0.3, 0.4), trainedGroup(['jpeg', 'inpainting'], 0.5, 0.75)] })).markdown;
    expect(measuredOf(one, 'Fine-tuned vs from-scratch ΔP')).toBe('1 of 2 compared groups within 0.20 dB');
    expect(verdictOf(one, 'Fine-tuned vs from-scratch ΔP')).toBe('❌ not met');
    const s7 = section(one, 7);
    expect(row(s7, 'SR, Ringing').slice(2)).toEqual(['+0.30', '+0.40', '+0.10', 'yes', 'pass / pass']);
    expect(row(s7, 'JPEG, Inpainting').slice(2)).toEqual(['+0.50', '+0.75', '+0.25', 'no', 'pass / fail']);
    expect(s7).toContain('**not met**');
    expect(s7).not.toContain('Extra checks');
  });

  it('blind use: the automatic choice beside the right group and the baseline, and in the summary', () => {
    const report = makeReport();
    const g = (meanGain: number, worseThanInput: number) => ({ meanGain, worseThanInput });
    report.blindUse = {
      rows: [{ degradation: 'jpeg', crops: 4, auto: g(-1.5, 0.75), oracle: g(0.9, 0), baseline: g(0.4, 0.25) }],
      overall: { crops: 4, auto: g(-1.5, 0.75), oracle: g(0.9, 0), baseline: g(0.4, 0.25) },
    };
    const md = render(report).markdown;
    expect(section(md, 1)).toContain('GRIDS gains -1.50 dB over the degraded input on average, against +0.40 dB for the mix baseline on the same 4 crops, and leaves 75.0 % of them worse');
    const s8 = section(md, 8);
    const blind = s8.slice(s8.indexOf('### Blind use'));
    expect(row(blind, 'JPEG').slice(1)).toEqual(['4', '-1.50', '75.0 %', '+0.90', '0.0 %', '+0.40', '25.0 %']);
    expect(row(blind, '**All**')[1]).toBe('4');
    expect(section(render(makeReport()).markdown, 8)).toContain('Blind use was');
  });

  it('both rules side by side in §8: the router\'s accuracy, routes, confusion, JPEG row and blind-use columns, recomputed from its crops', () => {
    const report = makeReport();
    const g = (meanGain: number, worseThanInput: number) => ({ meanGain, worseThanInput });
    report.blindUse = {
      rows: [{ degradation: 'jpeg', crops: 2, auto: g(-1.5, 0.5), oracle: g(0.9, 0), baseline: g(0.4, 0) }],
      overall: { crops: 2, auto: g(-1.5, 0.5), oracle: g(0.9, 0), baseline: g(0.4, 0) },
    };
    // JPEG: one crop to its group (gain 2, kept by default: 0), one to group-1 (gain −1, baseline +0.5).
    const crop = (source: RouterOnCrop['source'], chosen: string, automatic: string, chosenGain: number | null, automaticGain: number | null, kind: 'in' | 'ood' = 'in'): RouterOnCrop => ({
      image: 'a.png', crop: 0, source, kind, chosen, automatic, reason: 'trusted', ood: false, chosenGain, automaticGain,
    });
    report.router = {
      training: { onnx: 'r.onnx', trainPhotos: 3, samples: 12, hyper: { hidden: 8, epochs: 1, batch: 4, learningRate: 1e-3, weightDecay: 0, labelSmoothing: 0, minPatches: 4, seed: 1 }, history: [], seconds: 1 },
      calibration: { images: ['b.png'], crops: [], temperature: 1, noDamageThreshold: 0.5, gain: {}, policy: { 'group-4': { routed: 3, groupGain: 1, baselineGain: 0.5, use: 'group' } }, policyDescription: 'test', heldOut: { routing: 1, perClass: {}, noDamageOnClean: 1 } },
      onValidation: [crop('jpeg', groupOf('jpeg'), 'none', 2, 0), crop('jpeg', 'group-1', 'baseline', -1, 0.5), crop('sr', groupOf('jpeg'), groupOf('jpeg'), 0.3, 0.3), crop('haze', 'group-1', 'none', null, null, 'ood')],
    };
    // The JPEG check's table (where the router gets a row of its own) needs the check's per-crop verdicts.
    for (const x of report.calibration.samples) [x.nearestGroup, x.jpegProbability] = [x.chosen, 0.1];
    report.jpegCheck = { check: { threshold: 0.5, description: 'fixture model' }, training: { jpegCaught: 7, jpeg: 8, falseCalls: 1, others: 80 } };
    const s8 = section(render(report).markdown, 8);
    // JPEG: 1 of 2 crops to a group holding it; SR: right only if the fixture's partition puts SR with JPEG.
    const right = [groupOf('jpeg') === groupOf('jpeg'), false, PARTITION.find((p) => p.includes('jpeg'))!.includes('sr')].filter(Boolean).length;
    expect(s8).toContain(`on the same crops: **${(100 * right / 3).toFixed(1)} %**`);
    expect(row(s8, 'JPEG').slice(-2)).toEqual(['50.0 %', [groupOf('jpeg'), 'group-1'].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).map((id) => `${id} × 1`).join(', ')]);
    const confusion = s8.slice(s8.indexOf('The learned router (its most probable group)'));
    expect(row(confusion, 'Haze (OOD)')[1]).toBe('1');
    expect(row(s8, 'validation crops, learned router (no check: sent to the JPEG group)').slice(1)).toEqual(['1 / 2', '1 / 1']);
    const blind = s8.slice(s8.indexOf('### Blind use'));
    expect(row(blind, 'JPEG').slice(-4)).toEqual(['+0.50', '50.0 %', '+0.25', '0.0 %']);
    expect(row(blind, '**All**').slice(-4)).toEqual([sgn((2 - 1 + 0.3) / 3), '33.3 %', sgn((0 + 0.5 + 0.3) / 3), '0.0 %']);
  });

  it('the safe automatic choice: its column in blind use, its policy table, and the summary line', () => {
    const report = makeReport();
    const g = (meanGain: number, worseThanInput: number) => ({ meanGain, worseThanInput });
    report.blindUse = {
      rows: [{ degradation: 'jpeg', crops: 4, auto: g(-1.5, 0.75), oracle: g(0.9, 0), baseline: g(0.4, 0.25), safe: g(0.2, 0.5) }],
      overall: { crops: 4, auto: g(-1.5, 0.75), oracle: g(0.9, 0), baseline: g(0.4, 0.25), safe: g(0.2, 0.5) },
      safePrediction: { r: 0.8123, meanAbsError: 1.234 },
    };
    const jpegGroup = groupOf('jpeg');
    const otherGroup = groupOf('gaussian_noise');
    const sample = (chosen: string, source: DegradationId, groupGain: number, baselineGain: number) => ({ image: 'a.png', crop: 0, source, chosen, chosenDistance: 3, runnerUpDistance: 3.1, nearest: source, nearestDistance: 3, inputPsnr: 20, groupGain, baselineGain });
    const samples = [sample(jpegGroup, 'jpeg', 1, 0.5), sample(jpegGroup, 'sr', -3, 0.5), sample(otherGroup, 'gaussian_noise', 9, 6)];
    const policy: Record<string, GroupTrust> = Object.fromEntries(PARTITION.map((_, i) => [`group-${i + 1}`, { routed: 0, groupGain: null, baselineGain: null, use: 'baseline' }]));
    policy[jpegGroup] = { routed: 2, groupGain: -1, baselineGain: 0.5, use: 'baseline' };
    policy[otherGroup] = { routed: 1, groupGain: 9, baselineGain: 6, use: 'group' };
    report.autoChoice = { images: ['a.png'], cropsPerImage: 1, crop: 256, seed: 5, samples, policy };
    const md = render(report).markdown;
    expect(section(md, 1)).toContain('So used, it gains +0.20 dB and leaves 50.0 % of the crops worse than the input.');
    const s8 = section(md, 8);
    const blind = s8.slice(s8.indexOf('### Blind use'), s8.indexOf('### The safe automatic choice'));
    expect(row(blind, 'JPEG').slice(1)).toEqual(['4', '-1.50', '75.0 %', '+0.90', '0.0 %', '+0.40', '25.0 %', '+0.20', '50.0 %']);
    expect(blind).toContain('Pearson r = **0.81**, mean absolute error 1.23 dB');
    const policyTable = s8.slice(s8.indexOf('### The safe automatic choice'));
    expect(policyTable).toContain('Measured on 3 crops: 1 corner crop(s) of 256 px of 1 training photo(s)');
    // One of the two crops routed to the JPEG group holds JPEG; the baseline beat the group on them.
    expect(row(policyTable, jpegGroup).slice(2)).toEqual(['2', '50.0 %', '-1.00', '+0.50', '**mix baseline**']);
    expect(row(policyTable, otherGroup).slice(2)).toEqual(['1', '100.0 %', '+9.00', '+6.00', 'the group']);
    expect(section(render(makeReport()).markdown, 8)).toContain('The safe automatic choice was');
  });

  it('the JPEG check: caught and false calls per photo set, accuracy with and without it, and its route in the policy', () => {
    const report = makeReport();
    const jpegGroup = groupOf('jpeg');
    const blurGroup = groupOf('gaussian_blur');
    // Every in-distribution sample: P(JPEG) 0.9 for JPEG crops (the check sends them to the JPEG group,
    // though the distances pointed at the blur group), 0.1 for the others, except one S&P crop at 0.7.
    const inDist = report.calibration.samples.filter((x) => x.kind === 'in');
    let falseCall = false;
    for (const x of inDist) {
      x.nearestGroup = x.chosen;
      if (x.source === 'jpeg') {
        x.jpegProbability = 0.9;
        x.nearestGroup = blurGroup;
        x.chosen = jpegGroup;
        x.correct = true;
      } else if (x.source === 'salt_pepper' && !falseCall) {
        falseCall = true;
        x.jpegProbability = 0.7;
      } else x.jpegProbability = 0.1;
    }
    report.jpegCheck = { check: { threshold: 0.5, description: 'fixture model' }, training: { jpegCaught: 7, jpeg: 8, falseCalls: 1, others: 80 } };
    const md = render(report).markdown;
    const s8 = section(md, 8);
    const part = s8.slice(s8.indexOf('### The JPEG check'), s8.indexOf('### Blind use'));
    const jpegCount = inDist.filter((x) => x.source === 'jpeg').length;
    expect(row(part, 'training (its own data)').slice(1)).toEqual(['7 / 8', '1 / 80']);
    expect(row(part, 'validation crops (above)').slice(1)).toEqual([`${jpegCount} / ${jpegCount}`, `1 / ${inDist.length - jpegCount} (Salt & pepper noise 1)`]);
    const right = (pick: (x: (typeof inDist)[number]) => string) => inDist.filter((x) => report.search.partitionIds[Number(pick(x).split('-')[1]) - 1].includes(x.source as DegradationId)).length;
    const pct1 = (n: number, d: number) => `${((100 * n) / d).toFixed(1)} %`;
    expect(part).toContain(`the distance rule alone picks the right group for ${pct1(right((x) => x.nearestGroup!), inDist.length)} (JPEG: 0.0 %); with the check, ${pct1(inDist.filter((x) => x.correct).length, inDist.length)} (JPEG: 100.0 %)`);

    // The automatic choice: crops the check sent are counted on the check's row, not the group's.
    const sample = (chosen: string, source: DegradationId, p: number, groupGain: number, baselineGain: number) => ({ image: 'a.png', crop: 0, source, chosen, chosenDistance: 3, runnerUpDistance: 3.1, nearest: source, nearestDistance: 3, jpegProbability: p, inputPsnr: 20, groupGain, baselineGain });
    const samples = [sample(jpegGroup, 'jpeg', 0.95, 1, 0), sample(jpegGroup, 'sr', 0.8, -1, 0.5), sample(jpegGroup, 'inpainting', 0.1, 2, 6)];
    const policy: Record<string, GroupTrust> = Object.fromEntries(PARTITION.map((_, i) => [`group-${i + 1}`, { routed: 0, groupGain: null, baselineGain: null, use: 'baseline' }]));
    policy[jpegGroup] = { routed: 1, groupGain: 2, baselineGain: 6, use: 'baseline' };
    report.autoChoice = { images: ['a.png'], cropsPerImage: 1, crop: 256, seed: 5, samples, policy, jpegCheckRoute: { routed: 2, groupGain: 0, baselineGain: 0.25, use: 'baseline' } };
    const policyTable = section(render(report).markdown, 8).split('### The safe automatic choice')[1];
    expect(row(policyTable, jpegGroup).slice(2)).toEqual(['1', '100.0 %', '+2.00', '+6.00', '**mix baseline**']); // the fixture's JPEG group holds inpainting
    expect(row(policyTable, `${jpegGroup}, by the JPEG check`).slice(2)).toEqual(['2', '50.0 %', '+0.00', '+0.25', '**mix baseline**']);
    // An older report without the check says so.
    expect(section(render(makeReport()).markdown, 8)).toContain('The JPEG check was not measured in this run');
  });

  it('selection studies: one row per descriptor and rule in section 8, none without studies', () => {
    const perDegradation = Object.fromEntries(IDS.map((id) => [id, id === 'jpeg' ? 0.25 : 0.5]));
    const study = {
      label: 'clean bicubic SR', descriptor: 'd.onnx', layer: 'block_3', photos: 96, channels: 32, crops: 484, seconds: 1,
      results: { pooled: { accuracy: 0.318, perDegradation, auroc: 0.711 }, 'k-NN on (σ, β)': { accuracy: 0.4, perDegradation, auroc: null } },
    };
    const s8 = section(render(makeReport(), { selectionStudies: [study] }).markdown, 8);
    const studied = s8.slice(s8.indexOf('### What one photo'));
    expect(studied).toContain('the Crops column');
    expect(row(studied, 'clean bicubic SR, block_3')).toEqual(['clean bicubic SR, block_3', 'pooled', '484', '31.8 %', '25.0 %', '0.71']);
    expect(studied.split('\n').filter((l) => l.startsWith('| clean bicubic SR')).map((l) => cells(l)[1])).toEqual(['pooled', 'k-NN on (σ, β)']);
    expect(studied).toMatch(/\| k-NN on \(σ, β\) \| 484 \| 40\.0 % \| 25\.0 % \| – \|/);
    expect(section(render(makeReport()).markdown, 8)).not.toContain('### What one photo');
  });

  it('extra from-scratch checks near δ get their own table and do not count towards the target', () => {
    const report = makeReport({ trained: [trainedGroup(['sr', 'ringing'], 0.3, 0.4)] });
    const extra = { ...trainedGroup(['gaussian_blur', 'defocus_blur'], 0.82, 0.61), inPartition: false };
    const md = render(report, { scratchChecks: [extra] }).markdown;
    const s7 = section(md, 7);
    expect(s7).toContain('Extra checks');
    expect(row(s7, 'Gaussian blur, Defocus blur').slice(1)).toEqual(['no', '+0.82', '+0.61', '-0.21', 'no', 'fail / pass']);
    expect(measuredOf(md, 'Fine-tuned vs from-scratch ΔP')).toBe('1 of 1 compared groups within 0.20 dB');
  });
});

describe('resultsMarkdown: similarity, search, selection, OOD, gain, reproduction', () => {
  const report = makeReport();
  const { markdown: md, figures } = render(report);

  it('names each degradation’s nearest neighbour and the most distinct ones, from the matrix', () => {
    const s4 = section(md, 4);
    for (const a of IDS) {
      const others = IDS.filter((b) => b !== a);
      const nearest = others.reduce((best, b) => (distance(a, b) < distance(a, best) ? b : best));
      expect(row(s4, nameOf(a)).slice(1, 3)).toEqual([nameOf(nearest), distance(a, nearest).toFixed(2)]);
      expect(row(s4, `**${nameOf(a)}**`).slice(1)).toEqual(IDS.map((b) => (a === b ? '–' : distance(a, b).toFixed(2))));
    }
    // Ringing, R-L, defocus and motion blur sit within 0.6 of each other: closer than average.
    expect(s4).toContain('they are mutually closer than average, as in the paper');
    const meanTo = (a: DegradationId) => mean(IDS.filter((b) => b !== a).map((b) => distance(a, b)));
    const top3 = [...IDS].sort((a, b) => meanTo(b) - meanTo(a)).slice(0, 3);
    expect(s4).toContain(`Largest mean distance to the others: ${top3.map((d) => `${nameOf(d)} (${meanTo(d).toFixed(2)})`).join(', ')}`);
    expect(s4).toContain('**8/11**');
    expect(s4).toContain('![Symmetric degradation distance matrix](results/similarity.svg)');
  });

  it('says when the four blurs are not mutually closer than average', () => {
    const far = makeReport();
    const spread: Record<DegradationId, number> = { ...POSITIONS, motion_blur: 0, rl: 9, defocus_blur: 18, ringing: 27 };
    far.references.matrices.symmetric = IDS.map((a) => IDS.map((b) => (a === b ? 0 : Math.abs(spread[a] - spread[b]) + 2)));
    expect(section(render(far).markdown, 4)).toContain('they are **not** mutually closer than average, unlike the paper');
  });

  it('lists the DDR layer candidates and the chosen one', () => {
    const s5 = section(md, 5);
    expect(row(s5, '`hidden_hr`')).toEqual(['`hidden_hr`', '9/11', '62.5 %', '81.3 %', '33', '**yes**']);
    expect(row(s5, '`last_block`')).toEqual(['`last_block`', '7/11', '50.0 %', '75.0 %', '33', '']);
  });

  it('prints every verification of the log, in order, with per-member drops when recorded', () => {
    const s6 = section(md, 6);
    const logRows = s6.split('\n').filter((l) => /^\| \d+ \|/.test(l)).map(cells);
    const sorted = [...report.search.verifications].sort((a, b) => a.order - b.order);
    expect(logRows.map((r) => r.slice(0, 6))).toEqual(sorted.map((v) => [
      String(v.order), v.phase, String(v.group.length), v.group.map(nameOf).join(', '), sgn(v.deltaP), v.passed ? 'pass' : 'fail',
    ]));
    expect(logRows[1][6]).toBe('Gaussian blur +0.37; Motion blur -0.10; R-L +0.21');
    expect(logRows[0][6]).toBe('–');
    expect(s6).toContain('budget 9');
    expect(s6).toContain('Partition found (4 groups)');
    // The unused speculation, with its recorded ΔP.
    expect(row(s6, 'SR, Ringing')).toEqual(['SR, Ringing', '+0.83']);
  });

  it('counts crops and routes per degradation from the samples', () => {
    const s8 = section(md, 8);
    const inSamples = report.calibration.samples.filter((s) => s.kind === 'in');
    for (const t of IDS) {
      const mine = inSamples.filter((s) => s.source === t);
      const r = row(s8.slice(0, s8.indexOf('### Confusion')), nameOf(t));
      expect(r[1]).toBe(String(mine.length));
      expect(r[2]).toBe(`${(report.calibration.selectionAccuracy.perDegradation[t] * 100).toFixed(1)} %`);
      expect(r[3]).toBe(`${((mine.filter((s) => s.nearest === t).length / mine.length) * 100).toFixed(1)} %`);
      // Confusion row: counts per group, bold where the group contains the degradation.
      const confusion = row(s8.slice(s8.indexOf('### Confusion')), nameOf(t));
      const expected = ['group-1', 'group-2', 'group-3', 'group-4'].map((g) => {
        const c = String(mine.filter((s) => s.chosen === g).length);
        return g === groupOf(t) ? `**${c}**` : c;
      });
      expect(confusion.slice(1)).toEqual(expected);
    }
    expect(row(s8.slice(s8.indexOf('### Confusion')), 'Haze (OOD)').slice(1)).toEqual(['4', '0', '0', '0']);
    expect(s8).toContain('calibration seed 6');
  });

  it('summarises each source’s distances (quartiles by linear interpolation) against the threshold', () => {
    const s9 = section(md, 9);
    // Haze: 1, 2, 4, 8 → Q1 at position 0.75 = 1.75, median 3, Q3 at 2.25 = 5; above 3: 4 and 8.
    expect(row(s9, 'Haze').slice(1)).toEqual(['4', '1.00', '1.75', '3.00', '5.00', '8.00', '50.0 %']);
    expect(row(s9, 'Colour cast').slice(1)).toEqual(['2', '0.40', '0.50', '0.60', '0.70', '0.80', '0.0 %']);
    expect(row(s9, 'Low light').slice(1)).toEqual(['3', '6.00', '6.50', '7.00', '8.00', '9.00', '100.0 %']);
    const inDist = report.calibration.samples.filter((s) => s.kind === 'in').map((s) => s.chosenDistance);
    const r = row(s9, 'in-distribution (11 degradations)');
    expect(r[1]).toBe(String(inDist.length));
    expect(r[7]).toBe(`${((inDist.filter((d) => d > 3).length / inDist.length) * 100).toFixed(1)} %`);
    expect(s9).toContain('Threshold: **3.00**');
    expect(s9).toContain('TPR 77.8 %');
    expect(s9).toContain('FPR 25.0 %');
    expect(s9).toContain('AUROC: **0.93**');
    // The strip plot: one dot per sample, and the threshold line.
    const svg = figures['ood-distances.svg'];
    expect(svg.match(/class="point"/g)).toHaveLength(report.calibration.samples.length);
    expect(svg).toContain('class="threshold"');
  });

  it('plots predicted against actual gain for every in-distribution crop, and prints the expected-gain table', () => {
    const s10 = section(md, 10);
    expect(s10).toContain('Pearson r between predicted and actual gain: **0.80**');
    expect(s10).toContain('measured on 3 training photo(s)');
    const inSamples = report.calibration.samples.filter((s) => s.kind === 'in');
    expect(figures['gain-prediction.svg'].match(/class="point"/g)).toHaveLength(inSamples.length);
    expect(figures['gain-prediction.svg']).toContain('class="identity"');
    expect(figures['gain-vs-distance.svg']).toContain('class="fit"');
    const mae = mean(inSamples.map((s) => Math.abs(s.predictedGain! - s.gain!)));
    expect(s10).toContain(`mean absolute error ${mae.toFixed(2)} dB`);
    // expectedGain[group-g][t_i] = (g − 1) − 0.1·i; bold in the member's own group.
    const r = row(s10, 'SR');
    expect(r.slice(1)).toEqual(['-0.30', '**+0.70**', '+1.70', '+2.70']);
  });

  it('gives the command, seeds, stage timings and training core-hours', () => {
    const s11 = section(md, 11);
    expect(s11).toContain('grids zoo --preset fixture --work /w');
    expect(s11).toContain('training and DDR protocol seed: 11');
    expect(s11).toContain('calibration seed: 6 (evaluation seed + 1)');
    expect(row(s11, '**Total**')).toEqual(['**Total**', '5400', '1:30:00']);
    // 3600 + 1800 + 5400 core-seconds = 3 core-hours.
    expect(s11).toContain('Total: **3.00 core-hours** (10800 core-seconds) over 3 trainings.');
    expect(s11).toContain('1 training(s) stopped before their planned steps: single-jpeg.');
    expect(row(s11, 'single-jpeg')).toEqual(['single-jpeg', 'single-task', '150/200', '1800', '0.500']);
    expect(s11).toContain('2 × Test CPU, linux, Node v20.');
  });

  it('lists every invocation of the campaign when runs.jsonl is given, and nothing when it is not', () => {
    const runs = [
      { startedAt: '2026-11-26T07:55:00.000Z', command: 'grids zoo --preset full --stop-after trainings', stopAfter: 'trainings', code: 'dd6887d0123456789abc' },
      { startedAt: '2026-11-26T09:40:00.000Z', command: 'grids zoo --preset full', stopAfter: null, code: '0123456789abcdef+changes' },
    ];
    const withRuns = section(render(report, { runs }).markdown, 11);
    expect(row(withRuns, '2026-11-26T07:55:00.000Z')).toEqual(['2026-11-26T07:55:00.000Z', '`grids zoo --preset full --stop-after trainings`', 'trainings', '`dd6887d01234`']);
    expect(row(withRuns, '2026-11-26T09:40:00.000Z')[3]).toBe('`0123456789ab+changes`');
    expect(section(md, 11)).not.toContain('Every invocation');
  });

  it('includes the discussion verbatim with a note, or says it is missing', () => {
    const s12 = section(md, 12);
    expect(s12).toContain('We found **things**.\n\n| a | b |');
    expect(s12).toMatch(/written by hand in `campaign\/discussion.md`/);
    expect(section(render(report, { discussion: { path: 'campaign/discussion.md', text: null } }).markdown, 12)).toContain('`campaign/discussion.md` does not exist');
  });

  it('starts with the generated-file notice and has the twelve sections in order', () => {
    expect(md.split('\n').slice(0, 4).join('\n')).toContain('Generated by `npm run docs:results` from the JSON in `campaign/zoo-full`');
    const headings = md.split('\n').filter((l) => l.startsWith('## ')).map((l) => Number(/^## (\d+)\./.exec(l)?.[1]));
    expect(headings).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('returns well-formed SVG figures, passing the zoo’s heatmap through when given', () => {
    expect(Object.keys(figures).sort()).toEqual(['gain-prediction.svg', 'gain-vs-distance.svg', 'ood-distances.svg', 'similarity.svg']);
    for (const svg of Object.values(figures)) assertWellFormedXml(svg);
    expect(render(report, { similaritySvg: '<svg>zoo</svg>' }).figures['similarity.svg']).toBe('<svg>zoo</svg>');
  });
});

describe('resultsMarkdown: reports of older zoo builds', () => {
  it('says "not measured in this run" for the fields they lack instead of failing', () => {
    const old = makeReport();
    delete old.layerChoice;
    delete old.groupModels;
    delete old.expectedGain;
    delete old.calibration.gainPrediction;
    delete old.search.unusedSpeculations;
    delete old.preset.calibrationCrops;
    for (const s of old.calibration.samples) {
      delete s.nearest;
      delete s.nearestDistance;
      delete s.predictedGain;
      delete s.crop;
    }
    const { markdown: md, figures } = render(old, { trainLogs: [] });
    for (const n of [5, 7, 10]) expect(section(md, n)).toContain('not measured in this run');
    expect(section(md, 6)).toContain('Speculative trainings were not measured in this run');
    expect(section(md, 8)).not.toContain('Nearest reference');
    expect(section(md, 11)).toContain('Training times were not measured in this run');
    expect(row(section(md, 1), 'Fine-tuned vs from-scratch ΔP')[3]).toBe('– not measured');
    expect(figures['gain-prediction.svg']).toBeUndefined();
    expect(figures['gain-vs-distance.svg']).toBeDefined();
  });
});

describe('resultsMarkdown: the damage made by other tools', () => {
  it('puts the study in §8 when it has been run, and nothing when not', () => {
    const foreignStudy: ForeignStudy = {
      createdAt: '2026-12-09T00:00:00.000Z', photos: { dir: 'val', count: 1, total: 1, limit: null }, crop: 256, wholeMaxSide: 1024, worseBelowDb: 0,
      manifest: { path: 'm.json', createdAt: '2026-12-05T00:00:00.000Z', sha256: 'ab' }, rule: 'router', tools: {},
      kinds: [{ id: 'blur_magick', tool: 'ImageMagick', imitates: 'gaussian_blur', why: '', command: 'convert {in} -gaussian-blur 0x2 {out}', params: 'σ 2' }],
      controls: [],
      rows: [{ photo: 'a', kind: 'blur_magick', scope: 'crop', params: {}, command: '', input: 24, auto: 25.5, baseline: 24, groups: { 'group-1': 25.5 }, chosen: 'group-1', used: 'group-1', ood: false, ownGroup: 'group-1', routedRight: true }],
      controlRows: [],
    };
    const s8 = section(render(makeReport(), { foreignStudy }).markdown, 8);
    expect(s8).toContain('### Damage made by other tools (study:foreign)');
    expect(s8).toContain('| `blur_magick` | ImageMagick | Gaussian blur | 100.0 % | +1.50 | +0.00 | +1.50 (group-1) | +1.50 | 0.0 % | 0.0 % | 0.0 % |');
    expect(render(makeReport()).markdown).not.toContain('study:foreign');
  });
});

describe('resultsMarkdown: §1 leads with the rule the app ships', () => {
  // A zoo with a learned router: four of its crops on §8's calibration crops (three in distribution), and the
  // routing protocol under both rules. Every expectation below is recomputed from these records.
  const crop = (source: RouterOnCrop['source'], chosen: string, automaticGain: number | null, kind: 'in' | 'ood' = 'in'): RouterOnCrop => ({
    image: 'a.png', crop: 0, source, kind, chosen, automatic: chosen, reason: 'trusted', ood: false, chosenGain: automaticGain, automaticGain,
  });
  const onValidation = [crop('jpeg', groupOf('jpeg'), 2), crop('gaussian_noise', groupOf('gaussian_noise'), 4), crop('sr', groupOf('gaussian_blur'), -1), crop('haze', 'group-1', null, 'ood')];
  const withRouter = (): ResultsReport => {
    const report = makeReport({ auroc: 0.71, gainR: 0.66, accuracy: 0.384 });
    report.router = {
      training: { onnx: 'r.onnx', trainPhotos: 3, samples: 12, hyper: { hidden: 8, epochs: 1, batch: 4, learningRate: 1e-3, weightDecay: 0, labelSmoothing: 0, minPatches: 4, seed: 1 }, history: [], seconds: 1 },
      calibration: { images: ['b.png'], crops: [], temperature: 1, noDamageThreshold: 0.5, gain: {}, policy: {}, policyDescription: 'test', heldOut: { routing: 1, perClass: {}, noDamageOnClean: 1 } },
      onValidation,
    };
    const g = (meanGain: number, worseThanInput: number) => ({ meanGain, worseThanInput });
    report.blindUse = { rows: [], overall: { crops: 4, auto: g(-1.5, 0.75), oracle: g(0.9, 0), baseline: g(0.4, 0.25) } };
    return report;
  };
  // The protocol's figures: the router meets every target but the worst degradation's routing (0.6 < 0.7).
  const summary = (routing: number, worst: number, autoMinusBaseline: number, keptAsIs: number, gainR: number) => ({
    crops: 22, routing, psnr: { input: 20, auto: 24, chosen: 23, baseline: 22, ownGroup: 25, oracle: 25.2 },
    autoMinusBaseline, regretAuto: 0.25, worseThanInputAuto: 0.03, autoBaselineShare: 0.1, gainPredictionR: gainR,
    falseOodInDist: 0.2, oodAurocVsDegraded: 0.6, oodAurocVsClean: 0.55, oodAurocPerKind: {}, oodFlagged: { clean: '1/2' },
    clean: { n: 2, keptAsIs, models: ['none', 'none'] }, combos: {},
    byDeg: Object.fromEntries(IDS.map((id, i) => [id, { n: 2, routed: i === 3 ? worst : 1, pin: 20, auto: 22, base: 21, own: 23, oracle: 23 }])),
  });
  const validation = {
    photos: 'val', createdAt: '2026-12-05T10:00:00Z',
    protocol: { router: summary(0.95, 0.6, 2.2, 1, 0.9), kl: summary(0.4, 0.1, 0.3, 0, 0.7) },
    routerOod: { aurocVsDegraded: 0.97, aurocVsClean: 0.85, aurocPerKind: {}, falseFlagsDegraded: 0.02, falseFlagsClean: 0.05, flagged: {} },
  };
  const pct1 = (x: number) => `${(100 * x).toFixed(1)} %`;
  const verdictOf = (met: boolean) => (met ? '✅ met' : '❌ not met');

  it('puts the learned router\'s targets first, with the KL rule beside it, each recomputed from the records', () => {
    const report = withRouter();
    const s1 = section(render(report, { routingValidation: validation }).markdown, 1);
    expect(s1.indexOf('### The rule the app ships: the learned router')).toBeGreaterThan(0);
    expect(s1.indexOf('### The rule the app ships: the learned router')).toBeLessThan(s1.indexOf('### The models\' targets'));
    expect(s1).toContain('2026-12-05');
    // Selection on §8's crops: a crop is right when the partition puts its source in the router's chosen group.
    const inDist = onValidation.filter((c) => c.kind === 'in');
    const right = inDist.filter((c) => PARTITION[Number(c.chosen.split('-')[1]) - 1].includes(c.source as DegradationId)).length / inDist.length;
    expect(row(s1, 'Selection accuracy (section 8\'s corner crops)')).toEqual([
      'Selection accuracy (section 8\'s corner crops)', '≥ 95.0 %', pct1(right), pct1(report.calibration.selectionAccuracy.overall), verdictOf(right >= 0.95),
    ]);
    // The protocol's rows, with the router's thresholds.
    const r = validation.protocol.router, k = validation.protocol.kl;
    const worst = (s: typeof r) => Math.min(...Object.values(s.byDeg).map((d) => d.routed));
    expect(row(s1, 'Group routing (chosen group holds the degradation)').slice(1)).toEqual(['≥ 90 %', pct1(r.routing), pct1(k.routing), verdictOf(r.routing >= 0.9)]);
    expect(row(s1, 'Worst degradation\'s routing').slice(1)).toEqual(['≥ 70 %', pct1(worst(r)), pct1(worst(k)), verdictOf(worst(r) >= 0.7)]);
    expect(row(s1, 'Automatic choice − mix baseline (dB)').slice(2)).toEqual([`+${r.autoMinusBaseline.toFixed(2)}`, `+${k.autoMinusBaseline.toFixed(2)}`, verdictOf(r.autoMinusBaseline >= 1.8)]);
    expect(row(s1, 'Clean crops left as they are ("no damage")').slice(2)).toEqual([pct1(r.clean.keptAsIs), pct1(k.clean.keptAsIs), verdictOf(r.clean.keptAsIs >= 0.9)]);
    expect(row(s1, 'Gain prediction, Pearson r').slice(2)).toEqual([r.gainPredictionR.toFixed(2), k.gainPredictionR.toFixed(2), verdictOf(r.gainPredictionR >= 0.8)]);
    expect(row(s1, 'OOD AUROC against degraded crops (KL: distance; router: P(OOD))').slice(2)).toEqual([validation.routerOod.aurocVsDegraded.toFixed(3), k.oodAurocVsDegraded.toFixed(3), verdictOf(validation.routerOod.aurocVsDegraded >= 0.9)]);
    expect(row(s1, 'OOD badge on clean crops').slice(2)).toEqual([pct1(validation.routerOod.falseFlagsClean), pct1(1 / 2), verdictOf(validation.routerOod.falseFlagsClean <= 0.1)]);
    // Rows without a target stay in §8 only.
    expect(s1).not.toContain('Automatic choice is the mix baseline');
    // The KL rule's own OOD threshold and gain prediction on §8's crops, beside the paper's targets.
    expect(s1).toContain(`AUROC ${report.calibration.ood.auroc.toFixed(2)} (section 9`);
    expect(s1).toContain(`r = ${report.calibration.gainPrediction!.r.toFixed(2)} (section 10`);
    // Blind use: the router's automatic choice on §8's crops, then the KL rule's.
    const gains = inDist.map((c) => c.automaticGain!);
    const meanGain = gains.reduce((a, b) => a + b, 0) / gains.length;
    expect(s1).toContain(`the learned router's automatic choice gains ${sgn(meanGain)} dB over the degraded input and leaves ${pct1(gains.filter((x) => x < 0).length / gains.length)} of them worse`);
    expect(s1.indexOf('learned router\'s automatic choice')).toBeLessThan(s1.indexOf('Used blind with the KL rule'));
    // The models' targets follow, whatever the rule.
    expect(row(s1, 'GRIDS vs mix baseline')[0]).toBe('GRIDS vs mix baseline');
  });

  it('without the routing protocol, keeps the selection row and says what is missing', () => {
    const s1 = section(render(withRouter()).markdown, 1);
    expect(s1).toContain('has not been run on the validation photos yet');
    expect(s1).not.toContain('Group routing');
    expect(row(s1, 'Selection accuracy (section 8\'s corner crops)')[0]).toBe('Selection accuracy (section 8\'s corner crops)');
  });

  it('a zoo without a router ships the KL rule, and §1 leads with its targets', () => {
    const s1 = section(render(makeReport()).markdown, 1);
    expect(s1.indexOf('### The rule the app ships: the paper\'s KL rule')).toBeGreaterThan(0);
    expect(s1.indexOf('Selection accuracy')).toBeLessThan(s1.indexOf('GRIDS vs mix baseline'));
    expect(s1).not.toContain('Learned router (shipped)');
  });
});
