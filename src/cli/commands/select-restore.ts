import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { ImageAnalysis } from '../../core/analysis';
import { modelKey } from '../../core/auto-choice';
import { predictedGainUnder, ROUTING_RULES, type RoutingRule } from '../../core/routing';
import { parseManifest, type Manifest } from '../../core/manifest';
import { atomicWrite, readImage, readImageFolder, writePng } from '../io/images';
import { manifestAnalyser, manifestSession } from '../onnx/manifest-analyser';
import { loadSession, releaseSessions, restoreImageTo8Bit } from '../onnx/ort-node';
import { info, integer, printJson } from '../options';
import { createProgress } from '../progress';

/** The folder workflow: the same analysis and selection as the browser, from the same manifest. */
export async function loadManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the model manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (build one with \`grids zoo\`)`);
  }
  return parseManifest(JSON.parse(text));
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
    nearestGroupDistance: s.nearestGroupDistance,
    ood: a.ood,
    /** P(out of distribution) with the router; the distance to the nearest group with the KL rule. */
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
  };
}

function describeAutomatic(analysis: ImageAnalysis): string {
  const a = analysis.automatic;
  if (a.reason === 'no-damage') return `; no damage found (P(clean) ${a.router!.probabilities.clean.toFixed(2)}): left as it is`;
  if (a.reason === 'no-gain') return '; no model is expected to gain anything: left as it is';
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

async function analyser(manifestPath: string, ruleOption: RoutingRule | undefined) {
  const manifest = await loadManifest(manifestPath);
  // GRIDS_RULE lets a script that cannot pass --rule (e.g. the routing protocol) choose the rule.
  const rule = ruleOption ?? (process.env.GRIDS_RULE ? parseRule(process.env.GRIDS_RULE, 'GRIDS_RULE') : undefined);
  if (rule === 'router' && !manifest.router) throw new Error(`${manifestPath} has no router; use --rule kl`);
  const root = dirname(manifestPath);
  return { manifest, root, analyse: await manifestAnalyser(manifest, root, rule) };
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

function parseRule(value: string, name: string): RoutingRule {
  if (!(ROUTING_RULES as readonly string[]).includes(value)) throw new InvalidArgumentError(`${name} must be one of ${ROUTING_RULES.join(', ')}, got "${value}"`);
  return value as RoutingRule;
}
const ruleOption = (value: string) => parseRule(value, '--rule');

export function registerSelectRestore(program: Command): void {
  program
    .command('select')
    .description('pick the model for each image: the learned router\'s probabilities (or, with --rule kl, the paper\'s KL distances and the JPEG check), with the KL distances, OOD flag and predicted gain')
    .argument('<images...>', 'image files')
    .option('--manifest <path>', 'model manifest', 'public/models/manifest.json')
    .option('--rule <rule>', 'routing rule: router (learned; the default when the manifest has one) or kl (the paper\'s); also GRIDS_RULE', ruleOption)
    .action(async (images: string[], opts: { manifest: string; rule?: RoutingRule }) => {
      const { manifest, analyse } = await analyser(opts.manifest, opts.rule);
      const results = [];
      for (const path of images) {
        try {
          const analysis = await analyse(await readImage(path));
          info(describe(path, analysis));
          results.push(summary(path, analysis, manifest));
        } catch (error) {
          info(`${path}: skipped, ${(error as Error).message.split('\n')[0]}`);
          results.push({ image: path, error: (error as Error).message.split('\n')[0] });
        }
      }
      await releaseSessions();
      printJson(results);
      if (results.some((r) => 'error' in r)) process.exitCode = 1;
    });

  program
    .command('restore')
    .description('restore every image in a folder with its automatic model (the routed group, the mix baseline where the policy prefers it, or none: a photo with no damage is written unchanged), tiled, writing PNGs named after the originals')
    .requiredOption('--in <dir>', 'folder of degraded images')
    .requiredOption('--out <dir>', 'folder for restored PNGs and report.json')
    .option('--manifest <path>', 'model manifest', 'public/models/manifest.json')
    .option('--group <id>', 'use this group for every image instead of selecting ("baseline" for the mix model)')
    .option('--rule <rule>', 'routing rule: router (learned; the default when the manifest has one) or kl (the paper\'s); also GRIDS_RULE', ruleOption)
    .option('--tile <px>', 'tile size', integer('--tile', 16), 256)
    .action(async (opts: { in: string; out: string; manifest: string; group?: string; rule?: RoutingRule; tile: number }) => {
      await checkOutputFolder(opts.in, opts.out);
      const { manifest, root, analyse } = await analyser(opts.manifest, opts.rule);
      if (opts.group && opts.group !== 'baseline' && !manifest.groups.some((g) => g.id === opts.group)) {
        throw new Error(`unknown group "${opts.group}"; the manifest has: ${manifest.groups.map((g) => g.id).join(', ')}, baseline`);
      }
      if (opts.group === 'baseline' && !manifest.baseline) throw new Error('this manifest has no baseline model');
      const images = await readImageFolder(opts.in, { warn: info });
      const progress = createProgress('restore', images.length);
      const report = [];
      for (const [i, { name, image }] of images.entries()) {
        const analysis = await analyse(image);
        const groupId = opts.group ?? modelKey(analysis.automatic.model);
        const model = groupId === 'none' ? null : groupId === 'baseline' ? manifest.baseline! : manifest.groups.find((g) => g.id === groupId)!.model;
        // "No damage": the original pixels, unchanged.
        const restored = model ? await restoreImageTo8Bit(await manifestSession(manifest, root, model.file), image, { tile: opts.tile }) : image;
        const output = join(opts.out, `${basename(name, extname(name))}.png`);
        await writePng(output, restored);
        report.push({ ...summary(name, analysis, manifest), used: groupId, output });
        progress.update(i + 1, name);
      }
      progress.stop();
      await atomicWrite(join(opts.out, 'report.json'), JSON.stringify(report, null, 2));
      await releaseSessions();
      printJson(report.map(({ image, used, distance, ood, predictedGain, output }) => ({ image, used, distance, ood, predictedGain, output })));
    });
}
