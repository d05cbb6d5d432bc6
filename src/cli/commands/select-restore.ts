import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ImageAnalysis } from '../../core/analysis';
import { modelChoiceOf, modelKey } from '../../core/auto-choice';
import type { RgbImage } from '../../core/image';
import { defaultRule, predictedGainUnder, ROUTING_RULES, type RoutingRule } from '../../core/routing';
import { parseManifest, type Manifest } from '../../core/manifest';
import { modelFor } from '../../core/model-files';
import { imageFileNames, readImage, removeStaleTemps, writePng } from '../io/images';
import { digestOf, openResumableReport, type InputDigest, type ReportEntry, type Settings } from '../io/resumable-report';
import { manifestAnalyser, manifestSession, verifyModelFile } from '../onnx/manifest-analyser';
import { releaseSessions, restoreImageTo8Bit } from '../onnx/ort-node';
import { info, integer, printJson } from '../options';
import { createProgress } from '../progress';

/**
 * The folder workflow: the same analysis and selection as the browser, from the same manifest.
 * The manifest's SHA-256 goes into the settings of every result, so a result is reused only under
 * the same manifest (which holds every model file's digest).
 */
async function loadManifest(path: string): Promise<{ manifest: Manifest; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`the model manifest ${path} does not exist: build the models with \`grids zoo --out <folder>\`, or name their manifest with --manifest`);
    throw new Error(`cannot read the model manifest ${path}: ${code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`the model manifest ${path} is not JSON (${(error as Error).message}): rebuild the models (\`grids zoo\`) or download them again`);
  }
  try {
    return { manifest: parseManifest(json), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

function summary(image: string, analysis: ImageAnalysis, manifest: Manifest) {
  const s = analysis.selection;
  const a = analysis.automatic;
  return {
    image,
    /** The rule that decided: 'router' (learned) or 'kl' (the paper's distances). */
    rule: a.rule,
    /** The group the rule points at. */
    chosen: a.chosen,
    /** KL distance of that group (the paper's statistic, whatever the rule). */
    distance: s.groups.find((g) => g.id === a.chosen)?.distance ?? s.chosenDistance,
    /**
     * How far the photo lies from what the groups know: the score that `ood` thresholds, so that the
     * two always describe one test. With the KL rule, the KL distance to the nearest group (the
     * paper's); with the router, P(out of distribution), which combines that distance with the
     * router's energy and the photo's tone anomaly. The KL one is klNearestGroupDistance whatever the rule.
     */
    nearestGroupDistance: a.oodScore,
    klNearestGroupDistance: s.nearestGroupDistance,
    ood: a.ood,
    /** The same as nearestGroupDistance (kept under this name too, as the app calls it). */
    oodScore: a.oodScore,
    /** Predicted gain (dB) of restoring with the chosen group. */
    predictedGain: predictedGainUnder(a.rule, manifest, { kind: 'group', id: a.chosen }, s, a.router),
    /** The router's class probabilities (null without a router). */
    probabilities: a.router?.probabilities ?? null,
    groupProbabilities: a.router?.groupProbabilities ?? null,
    /** The JPEG check's verdict (null without a check in the manifest); part of the KL rule. */
    jpegCheck: s.jpegCheck,
    /** What `restore` uses without --group: a group, 'baseline', or 'none' (the photo is left as it is). */
    automatic: modelKey(a.model),
    automaticReason: a.reason,
    automaticPredictedGain: a.predictedGain,
    klChoice: s.chosen,
    groups: s.groups,
    degradations: s.degradations,
    ggd: analysis.statistic.ggd,
    /** How many descriptor patches the statistic (and every distance) comes from: the rule decides it. */
    descriptorPatches: analysis.statistic.patches,
  };
}

function describeAutomatic(analysis: ImageAnalysis): string {
  const a = analysis.automatic;
  if (a.reason === 'no-damage') return `; no damage found (P(clean) ${a.router!.probabilities.clean.toFixed(2)}): left as it is`;
  if (a.reason === 'no-gain') {
    const likely = a.router?.likely;
    const found = likely && likely !== 'clean' ? ` on the ${likely} the router sees (P ${a.router!.probabilities[likely].toFixed(2)})` : '';
    return `; no model is expected to gain anything${found}: left as it is`;
  }
  if (a.reason === 'unfamiliar') return `; unlike anything the models were trained on (P(OOD) ${a.oodScore.toFixed(2)} ≥ ${a.oodThreshold.toFixed(2)}): left as it is`;
  if (a.reason === 'split') return '; the router is unsure between groups: restores with the mix baseline';
  if (a.reason !== 'unreliable' || !a.evidence) return '';
  return `; restores with the baseline: on held-out crops routed to ${a.chosen}, the baseline gained ${a.evidence.baselineGain?.toFixed(2)} dB against the group's ${a.evidence.groupGain?.toFixed(2)} dB`;
}

function describe(path: string, analysis: ImageAnalysis): string {
  const a = analysis.automatic;
  const s = analysis.selection;
  const why = a.rule === 'router'
    ? `P ${a.router!.groupProbabilities[a.chosen].toFixed(2)}; KL rule: ${s.chosen}`
    : `distance ${s.chosenDistance.toFixed(3)}${s.jpegCheck?.fired ? `, JPEG blocks found (P ${s.jpegCheck.probability.toFixed(2)})` : ''}`;
  const gain = a.predictedGain !== null ? `, predicted gain ${a.predictedGain.toFixed(2)} dB` : '';
  return `${path}: ${a.chosen} (${why}${a.ood ? ', OUT OF DISTRIBUTION' : ''}${gain}${describeAutomatic(analysis)})`;
}

/** The manifest, the rule in use, and the settings its results depend on; no model is loaded yet. */
async function openManifest(manifestPath: string, ruleOption: RoutingRule | undefined) {
  const { manifest, sha256 } = await loadManifest(manifestPath);
  // GRIDS_RULE lets a script that cannot pass --rule (e.g. the routing protocol) choose the rule.
  const chosen = ruleOption ?? (process.env.GRIDS_RULE ? parseRule(process.env.GRIDS_RULE, 'GRIDS_RULE') : undefined);
  if (chosen === 'router' && !manifest.router) throw new Error(`${manifestPath} has no router; use --rule kl`);
  return { manifest, root: dirname(manifestPath), rule: chosen ?? defaultRule(manifest), manifestSha256: sha256 };
}

/** Refuses an output folder that is the input folder (the restored PNGs would overwrite the photos) or a file. */
async function checkOutputFolder(input: string, output: string): Promise<void> {
  const real = (path: string) => realpath(path).catch(() => resolve(path));
  if ((await real(input)) === (await real(output))) {
    throw new Error(`--out is the --in folder (${resolve(output)}): the restored PNGs would overwrite the photos. Choose another folder.`);
  }
  const existing = await stat(output).catch(() => null);
  if (existing && !existing.isDirectory()) throw new Error(`--out ${output} is a file, not a folder. Choose a folder (a missing one is created).`);
}

function checkGroup(manifest: Manifest, group: string | undefined): void {
  if (group && group !== 'baseline' && !manifest.groups.some((g) => g.id === group)) {
    throw new Error(`unknown group "${group}"; the manifest has: ${manifest.groups.map((g) => g.id).join(', ')}, baseline`);
  }
  if (group === 'baseline' && !manifest.baseline) throw new Error('this manifest has no baseline model');
}

/** The restoration models a run may use: the one --group names (a group or 'baseline', vetted by checkGroup), or every group's and the baseline. */
function restorationModelFiles(manifest: Manifest, group: string | undefined): string[] {
  const named = group === undefined ? null : modelChoiceOf(group);
  if (named && named.kind !== 'none') return [modelFor(manifest, named).file];
  return [...manifest.groups.map((g) => g.model.file), ...(manifest.baseline ? [manifest.baseline.file] : [])];
}

function parseRule(value: string, name: string): RoutingRule {
  if (!(ROUTING_RULES as readonly string[]).includes(value)) throw new InvalidArgumentError(`${name} must be one of ${ROUTING_RULES.join(', ')}, got "${value}"`);
  return value as RoutingRule;
}
const ruleOption = (value: string) => parseRule(value, '--rule');

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0];

/** An input file's bytes and digest, or why it cannot be read, in the user's terms. */
async function readInput(path: string): Promise<{ bytes: Buffer; digest: InputDigest } | { error: string }> {
  try {
    const bytes = await readFile(path);
    return { bytes, digest: digestOf(bytes) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it is missing, or a link to a missing file'
      : code === 'EISDIR' ? 'it is a folder'
        : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
          : code ?? firstLine(error);
    return { error: `cannot be read: ${reason}` };
  }
}

async function decodeImage(bytes: Buffer): Promise<RgbImage> {
  try {
    return await readImage(bytes);
  } catch (error) {
    throw new Error(`not a readable image (${firstLine(error)})`);
  }
}

type Summary = ReturnType<typeof summary>;
type Failed = ReportEntry & { error: string };
/** With --report, each entry also says what it was computed from. */
type SelectEntry = (Summary & Partial<InputDigest> & { settings?: Settings }) | Failed;
type RestoreEntry = (Summary & { used: string; output: string } & InputDigest & { settings: Settings }) | Failed;
const failed = (entry: SelectEntry | RestoreEntry): entry is Failed => 'error' in entry && entry.error !== undefined;

/** Refuses a --report that is one of the images (it would overwrite it). */
function checkReportPath(report: string, images: string[]): void {
  if (images.some((image) => resolve(image) === resolve(report))) throw new Error(`--report ${report} is one of the images: it would be overwritten. Name another file.`);
}

/**
 * Each image's PNG in `out`, named after the original; an image whose PNG another one already
 * claims (photo.jpg and photo.png) gets the name of that other image instead, to be refused.
 */
function outputPaths(names: string[], out: string): Map<string, { output: string; claimedBy?: string }> {
  const claims = new Map<string, string>();
  return new Map(names.map((name) => {
    const output = join(out, `${basename(name, extname(name))}.png`);
    const claimedBy = claims.get(output);
    if (claimedBy === undefined) claims.set(output, name);
    return [name, { output, claimedBy }];
  }));
}

export function registerSelectRestore(program: Command): void {
  program
    .command('select')
    .description('pick the model for each image: the learned router\'s probabilities (or, with --rule kl, the paper\'s KL distances and the JPEG check), with the KL distances, OOD flag and predicted gain')
    .argument('<images...>', 'image files')
    .option('--manifest <path>', 'model manifest', 'public/models/manifest.json')
    .option('--rule <rule>', 'routing rule: router (learned; the default when the manifest has one) or kl (the paper\'s); also GRIDS_RULE', ruleOption)
    .option('--report <file>', 'also write the JSON to this file, after each image; a rerun with the same file keeps the images already in it (same bytes, manifest and rule)')
    .action(async (images: string[], opts: { manifest: string; rule?: RoutingRule; report?: string }) => {
      if (opts.report) checkReportPath(opts.report, images);
      const { manifest, root, rule, manifestSha256 } = await openManifest(opts.manifest, opts.rule);
      const report = opts.report ? await openResumableReport<SelectEntry>(opts.report, images, { ifNotReport: 'refuse', warn: info }) : null;
      const analyse = await manifestAnalyser(manifest, root, rule);
      const settings: Settings = { manifestSha256, rule };
      // What an entry was computed from goes in only with --report: without it, the output is unchanged.
      const provenance = (digest: InputDigest) => (report ? { ...digest, settings } : {});

      async function selectOne(path: string): Promise<{ entry: SelectEntry; kept: boolean }> {
        const input = await readInput(path);
        if ('error' in input) return { entry: { image: path, error: input.error }, kept: false };
        const earlier = report?.reusable(path, input.digest, settings);
        if (earlier) return { entry: earlier, kept: true };
        try {
          const analysis = await analyse(await decodeImage(input.bytes));
          info(describe(path, analysis));
          return { entry: { ...summary(path, analysis, manifest), ...provenance(input.digest) }, kept: false };
        } catch (error) {
          return { entry: { image: path, error: firstLine(error), ...provenance(input.digest) }, kept: false };
        }
      }

      const results: SelectEntry[] = [];
      for (const path of images) {
        const { entry, kept } = await selectOne(path);
        if (kept) info(`${path}: already selected, kept`);
        else if (failed(entry)) info(`${path}: skipped, ${entry.error}`);
        if (!kept) await report?.record(entry);
        results.push(entry);
      }
      await releaseSessions();
      await report?.save();
      printJson(results);
      if (results.some(failed)) process.exitCode = 1;
    });

  program
    .command('restore')
    .description('restore every image in a folder with its automatic model (the routed group, the mix baseline where the policy prefers it, or none: a photo with no damage is written unchanged), tiled, writing PNGs named after the originals. report.json is updated after each image; a rerun into the same --out keeps the images already restored with the same bytes and settings, and retries the ones that failed')
    .requiredOption('--in <dir>', 'folder of degraded images')
    .requiredOption('--out <dir>', 'folder for restored PNGs and report.json')
    .option('--manifest <path>', 'model manifest', 'public/models/manifest.json')
    .option('--group <id>', 'use this group for every image instead of selecting ("baseline" for the mix model)')
    .option('--rule <rule>', 'routing rule: router (learned; the default when the manifest has one) or kl (the paper\'s); also GRIDS_RULE', ruleOption)
    .option('--tile <px>', 'tile size', integer('--tile', 16), 256)
    .action(async (opts: { in: string; out: string; manifest: string; group?: string; rule?: RoutingRule; tile: number }) => {
      await checkOutputFolder(opts.in, opts.out);
      const names = await imageFileNames(opts.in);
      if (names.length === 0) throw new Error(`no image in ${opts.in} (PNG, JPEG or WebP files)`);
      const { manifest, root, rule, manifestSha256 } = await openManifest(opts.manifest, opts.rule);
      checkGroup(manifest, opts.group);
      // Every model the run may use is checked first: a damaged zoo stops it before the first image, not image after image.
      for (const file of restorationModelFiles(manifest, opts.group)) await verifyModelFile(manifest, root, file);
      const analyse = await manifestAnalyser(manifest, root, rule);
      const settings: Settings = { manifestSha256, rule, group: opts.group ?? 'automatic', tile: opts.tile };
      await removeStaleTemps(opts.out);
      const report = await openResumableReport<RestoreEntry>(join(opts.out, 'report.json'), names, { ifNotReport: 'start-over', warn: info });
      const outputs = outputPaths(names, opts.out);

      // One image at a time, from its file: a folder of large photos never sits in memory at once.
      async function restoreOne(name: string): Promise<{ entry: RestoreEntry; kept: boolean; changed: boolean }> {
        const { output, claimedBy } = outputs.get(name)!;
        const done = (entry: RestoreEntry) => ({ entry, kept: false, changed: true });
        if (claimedBy) return done({ image: name, error: `its output ${basename(output)} is also that of ${claimedBy}: rename one of them`, settings });
        const input = await readInput(join(opts.in, name));
        if ('error' in input) return done({ image: name, error: input.error, settings });
        const earlier = report.reusable(name, input.digest, settings);
        // Kept as it is; only the output's spelling may change (--out given another way).
        if (earlier && !failed(earlier) && (await stat(output).catch(() => null))?.isFile()) return { entry: { ...earlier, output }, kept: true, changed: earlier.output !== output };
        try {
          const image = await decodeImage(input.bytes);
          const analysis = await analyse(image);
          const choice = opts.group ? modelChoiceOf(opts.group) : analysis.automatic.model;
          const groupId = modelKey(choice);
          const model = choice.kind === 'none' ? null : modelFor(manifest, choice);
          // "No damage": the original pixels, unchanged.
          const restored = model ? await restoreImageTo8Bit(await manifestSession(manifest, root, model.file), image, { tile: opts.tile }) : image;
          await writePng(output, restored);
          return done({ ...summary(name, analysis, manifest), used: groupId, output, ...input.digest, settings });
        } catch (error) {
          return done({ image: name, error: firstLine(error), ...input.digest, settings });
        }
      }

      const progress = createProgress('restore', names.length);
      const kept = new Set<string>();
      for (const [i, name] of names.entries()) {
        const result = await restoreOne(name);
        if (result.kept) {
          kept.add(name);
          info(`${name}: already restored, kept`);
        } else if (failed(result.entry)) info(`${name}: failed, ${result.entry.error}`);
        // The PNG is in place before the report names it, so a kill between the two only redoes this image.
        if (result.changed) await report.record(result.entry);
        progress.update(i + 1, name);
      }
      progress.stop();
      await report.save();
      await releaseSessions();
      const entries = report.entries();
      const failures = entries.filter(failed);
      if (failures.length > 0) {
        const others = failures.length < names.length ? '; the others are written' : '';
        info(`${failures.length} of ${names.length} images failed (listed in report.json${others}): ${failures.map((f) => f.image).join(', ')}`);
        process.exitCode = 1;
      }
      printJson(entries.map((e) => failed(e)
        ? { image: e.image, error: e.error }
        : { image: e.image, used: e.used, distance: e.distance, ood: e.ood, predictedGain: e.predictedGain, output: e.output, kept: kept.has(e.image) }));
    });
}
