/**
 * Generates docs/RESULTS.md and its figures (docs/results/*.svg) from the JSON a `grids zoo` run
 * leaves in its work folder, and the manifest it published. Every number comes from those files;
 * the only hand-written part is the discussion, included verbatim from --discussion.
 *
 *   npm run docs:results
 *   npm run docs:results -- --work campaign/zoo-full --manifest public/models/manifest.json \
 *     --out docs/RESULTS.md --figures docs/results --discussion campaign/discussion.md \
 *     --studies campaign/descriptor-study --int8 campaign/int8-study/int8.json \
 *     --foreign campaign/foreign-study/foreign.json
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { parseManifest, type Manifest } from '../src/core/manifest.ts';
import { resultsMarkdown, type ResultsReport, type TrainingKind, type TrainingLog } from '../src/cli/report/results-md.ts';
import type { EvalResult } from '../src/cli/eval/evaluate.ts';
import { dropsAgainstSingleTask, groupKey, singleTaskPsnrFrom } from '../src/cli/search/group-search.ts';
import type { FromScratchGroup } from '../src/cli/zoo/pipeline.ts';
import type { DegradationId } from '../src/core/degradations/ids.ts';
import type { SelectionStudy } from '../src/cli/study/selection-study.ts';

const { values: args } = parseArgs({
  options: {
    work: { type: 'string', default: 'campaign/zoo-full' },
    manifest: { type: 'string', default: 'public/models/manifest.json' },
    out: { type: 'string', default: 'docs/RESULTS.md' },
    figures: { type: 'string', default: 'docs/results' },
    discussion: { type: 'string', default: 'campaign/discussion.md' },
    studies: { type: 'string', default: 'campaign/descriptor-study' },
    int8: { type: 'string', default: 'campaign/int8-study/int8.json' },
    foreign: { type: 'string', default: 'campaign/foreign-study/foreign.json' },
  },
  strict: true,
});

const work = resolve(args.work);
const outPath = resolve(args.out);
const figuresDir = resolve(args.figures);
/** A path as the document names it: relative to the current folder when inside it. */
const shown = (path: string) => {
  const r = relative(process.cwd(), path);
  return (r && !r.startsWith('..') ? r : path).split(sep).join('/');
};

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** The last parseable line of a train log (a training still running may leave a partial line). */
async function lastLogLine(path: string): Promise<{ step: number; seconds: number } | null> {
  const lines = (await readFile(path, 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const entry = JSON.parse(lines[i]) as { step?: number; seconds?: number };
      if (typeof entry.step === 'number' && typeof entry.seconds === 'number') return { step: entry.step, seconds: entry.seconds };
    } catch {
      // A torn last line: try the one before.
    }
  }
  return null;
}

async function subfolders(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** runs.jsonl: one line per `grids zoo` invocation on the work folder (missing in older folders). */
async function readRuns() {
  const path = join(work, 'runs.jsonl');
  if (!existsSync(path)) return undefined;
  return (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Every model's train-log.jsonl under the work folder: models/*, descriptor, search/models/*, groups/*. */
async function trainLogs(): Promise<TrainingLog[]> {
  const found: { model: string; kind: TrainingKind; path: string }[] = [{ model: 'descriptor', kind: 'descriptor', path: join(work, 'descriptor', 'train-log.jsonl') }];
  for (const name of await subfolders(join(work, 'models'))) {
    found.push({ model: name, kind: name === 'baseline' ? 'baseline' : 'single-task', path: join(work, 'models', name, 'train-log.jsonl') });
  }
  for (const key of await subfolders(join(work, 'search', 'models'))) found.push({ model: key, kind: 'verification', path: join(work, 'search', 'models', key, 'train-log.jsonl') });
  for (const key of await subfolders(join(work, 'groups'))) found.push({ model: key, kind: 'group', path: join(work, 'groups', key, 'train-log.jsonl') });
  for (const key of await subfolders(join(work, 'scratch-check'))) found.push({ model: key, kind: 'group', path: join(work, 'scratch-check', key, 'train-log.jsonl') });
  const logs: TrainingLog[] = [];
  for (const f of found) {
    if (!existsSync(f.path)) continue;
    const last = await lastLogLine(f.path);
    if (last) logs.push({ model: f.model, kind: f.kind, steps: last.step, seconds: last.seconds });
  }
  return logs;
}

/**
 * `<work>/scratch-check/<a+b+…>/eval.json`: verified groups trained again from scratch beside the zoo
 * (`grids jobs` on scratch-check/queue.json, then `grids eval --out` into each model's folder). Their
 * ΔP is computed here, as the zoo does, against the report's single-task evaluation.
 */
async function scratchChecks(report: ResultsReport): Promise<FromScratchGroup[]> {
  const single = singleTaskPsnrFrom(report.evaluation.single);
  const checks: FromScratchGroup[] = [];
  for (const key of await subfolders(join(work, 'scratch-check'))) {
    const evalPath = join(work, 'scratch-check', key, 'eval.json');
    if (!existsSync(evalPath)) continue;
    const result = await readJson<EvalResult>(evalPath);
    const members = key.split('+') as DegradationId[];
    const model = Object.keys(result.models)[0];
    const { perTask, deltaP } = dropsAgainstSingleTask(result, model, members, single);
    const fineTuned = report.search.verifications.find((v) => groupKey(v.group) === key);
    checks.push({ members, onnx: join(work, 'scratch-check', key, 'model.onnx'), inPartition: false, deltaP, perTask, fineTunedDeltaP: fineTuned?.deltaP ?? null });
  }
  return checks;
}

/** The selection studies (`npm run study:selection -- --out <studies>/<name>.json`), by file name. */
async function selectionStudies(): Promise<SelectionStudy[]> {
  const dir = resolve(args.studies);
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map((f) => readJson<SelectionStudy>(join(dir, f))));
}

function checkReport(json: unknown, path: string): ResultsReport {
  const r = json as Partial<ResultsReport>;
  const missing = (['preset', 'command', 'machine', 'references', 'evaluation', 'search', 'calibration'] as const).filter((k) => r?.[k] === undefined);
  if (missing.length) throw new Error(`${path} is not a zoo report: it has no ${missing.join(', ')}`);
  return r as ResultsReport;
}

async function main(): Promise<void> {
  const reportPath = join(work, 'zoo-report.json');
  if (!existsSync(reportPath)) throw new Error(`no ${reportPath}: run grids zoo to the end first (or pass --work)`);
  const report = checkReport(await readJson(reportPath), reportPath);

  let manifest: Manifest | null = null;
  if (existsSync(args.manifest)) manifest = parseManifest(await readJson(args.manifest));
  else console.warn(`warning: no manifest at ${args.manifest}; model sizes are left out`);

  const timingsPath = join(work, 'timings.json');
  const timings = existsSync(timingsPath) ? await readJson<Record<string, number>>(timingsPath) : null;
  // The zoo writes similarity/similarity.svg; copies of older runs may keep it next to the report.
  const svgPath = [join(work, 'similarity', 'similarity.svg'), join(work, 'similarity.svg')].find((p) => existsSync(p));
  const similaritySvg = svgPath ? await readFile(svgPath, 'utf8') : null;
  if (!svgPath) console.warn('warning: no similarity.svg in the work folder; drawing the heatmap from the report');
  const discussionPath = resolve(args.discussion);
  const discussion = { path: shown(discussionPath), text: existsSync(discussionPath) ? await readFile(discussionPath, 'utf8') : null };

  const { markdown, figures } = resultsMarkdown({
    report, manifest, timings, trainLogs: await trainLogs(), runs: await readRuns(), discussion,
    source: shown(work),
    figuresLink: relative(dirname(outPath), figuresDir).split(sep).join('/') || '.',
    similaritySvg,
    scratchChecks: await scratchChecks(report),
    selectionStudies: await selectionStudies(),
    routingValidation: existsSync(join(work, 'router', 'validation.json')) ? await readJson(join(work, 'router', 'validation.json')) : undefined,
    int8Study: existsSync(args.int8) ? await readJson(args.int8) : undefined,
    foreignStudy: existsSync(args.foreign) ? await readJson(args.foreign) : undefined,
  });
  await mkdir(dirname(outPath), { recursive: true });
  await mkdir(figuresDir, { recursive: true });
  await writeFile(outPath, markdown);
  for (const [name, svg] of Object.entries(figures)) await writeFile(join(figuresDir, name), svg.endsWith('\n') ? svg : `${svg}\n`);
  console.log(`wrote ${shown(outPath)} and ${Object.keys(figures).length} figure(s) in ${shown(figuresDir)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
