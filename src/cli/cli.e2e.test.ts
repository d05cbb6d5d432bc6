import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OOD_DEGRADATION_IDS } from '../core/degradations/out-of-distribution';
import { parseManifest, type Manifest } from '../core/manifest';
import { readImage } from './io/images';
import { loadSession, restoreImageTo8Bit } from './onnx/ort-node';
import { BAD_INPUT_CASES, expectOutcome } from './bad-inputs.cases';
import { makeImageFolder, runCli, runCliJson, tempDir } from './test-support';

/**
 * The CLI end to end on tiny generated photos: the whole `grids zoo` pipeline (tiny preset: a few
 * training steps per model), then every command on its outputs.
 */
describe('grids CLI end to end', () => {
  let train: string, val: string, work: string, out: string;
  let manifest: Manifest;

  beforeAll(async () => {
    train = await makeImageFolder(4, 80, 10);
    val = await makeImageFolder(3, 64, 50);
    work = await tempDir('grids-zoo-work-');
    out = await tempDir('grids-zoo-out-');
    const result = await runCli(['zoo', '--preset', 'tiny', '--images', train, '--val-images', val, '--work', work, '--out', out, '--workers', '2', '--backend', 'wasm']);
    if (result.code !== 0) throw new Error(`grids zoo failed:\n${result.stderr}`);
    manifest = parseManifest(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
  }, 600_000);

  it('every command has --help', async () => {
    for (const command of ['', 'degrade', 'train', 'export', 'eval', 'similarity', 'search', 'jobs', 'zoo', 'select', 'restore', 'router', 'worker']) {
      const result = await runCli(command ? [command, '--help'] : ['--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout).toMatch(/Usage: grids/);
    }
  }, 120_000);

  it('zoo writes a manifest that validates, with every model file it names', async () => {
    expect(manifest.preset).toBe('tiny');
    expect(manifest.references).toHaveLength(11);
    expect(manifest.similarity.symmetric).toHaveLength(11);
    const covered = manifest.groups.flatMap((g) => g.members).sort();
    expect(covered).toHaveLength(11);
    for (const file of [manifest.descriptor.file, manifest.baseline!.file, ...manifest.groups.map((g) => g.model.file)]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(manifest.evaluation!.tables.rows).toHaveLength(11);
    expect(Number.isFinite(manifest.selection.oodThreshold)).toBe(true);
    const report = JSON.parse(await readFile(join(work, 'zoo-report.json'), 'utf8'));
    expect(report.calibration.samples.length).toBe(3 * (11 + OOD_DEGRADATION_IDS.length));
    // The gain predictor: each group model's gain per degradation, measured on the training photos
    // left over after the 3 reference ones (the 4th), and r of predicted against actual gain.
    expect(report.expectedGain.images).toHaveLength(1);
    expect(Object.keys(manifest.selection.calibration!.expectedGain!).sort()).toEqual(manifest.groups.map((g) => g.id).sort());
    expect(report.calibration.gainPrediction.method).toBe('expected-gain');
    expect(Object.keys(report.timings)).toContain('search');
    // The JPEG check: trained on the 3 reference photos × 11 degradations, published, and applied by
    // the calibration (each sample carries its P(JPEG); a fired check chose the group holding JPEG).
    const check = manifest.selection.jpegCheck!;
    expect(check.weights.length).toBeGreaterThan(0);
    const jpegGroup = manifest.groups.find((g) => g.members.includes('jpeg'))!.id;
    const checkSamples = report.jpegCheck.samples as { source: string; probability: number }[];
    expect(checkSamples).toHaveLength(3 * 11);
    expect(report.jpegCheck.training.jpegCaught).toBe(checkSamples.filter((s) => s.source === 'jpeg' && s.probability >= check.threshold).length);
    for (const s of report.calibration.samples as { jpegProbability: number; chosen: string }[]) {
      expect(s.jpegProbability).toBeGreaterThanOrEqual(0);
      if (s.jpegProbability >= check.threshold) expect(s.chosen).toBe(jpegGroup);
    }
    // Blind use, on the calibration's crops: the automatic choice is the calibration's own gain; the
    // oracle (the group holding the degradation) equals it wherever the selection was right.
    type Sample = { kind: string; source: string; gain: number; correct: boolean };
    const inDist = (report.calibration.samples as Sample[]).filter((s) => s.kind === 'in');
    const blind = report.blindUse as { rows: { degradation: string; crops: number; auto: { meanGain: number }; oracle: { meanGain: number } }[]; overall: { crops: number; auto: { meanGain: number } } };
    expect(blind.overall.crops).toBe(inDist.length);
    expect(blind.overall.auto.meanGain).toBeCloseTo(inDist.reduce((a, s) => a + s.gain, 0) / inDist.length, 10);
    for (const row of blind.rows) {
      const mine = inDist.filter((s) => s.source === row.degradation);
      expect(row.crops).toBe(mine.length);
      if (mine.every((s) => s.correct)) expect(row.oracle.meanGain).toBeCloseTo(row.auto.meanGain, 10);
    }
    // Multi-degradation groups are retrained from scratch, and at least two of them are compared
    // with their fine-tuned verification.
    const trained = report.groupModels.trained as { members: string[]; inPartition: boolean; deltaP: number; fineTunedDeltaP: number | null }[];
    expect(trained.length).toBeGreaterThanOrEqual(2);
    for (const t of trained) {
      expect(Number.isFinite(t.deltaP)).toBe(true);
      expect(typeof t.fineTunedDeltaP).toBe('number');
    }
    const multi = manifest.groups.filter((g) => g.members.length > 1).map((g) => g.members.join('+'));
    expect(trained.filter((t) => t.inPartition).map((t) => t.members.join('+')).sort()).toEqual(multi.sort());
  });

  it('a second zoo run resumes: every stage is reported done and nothing retrains', async () => {
    const result = await runCli(['zoo', '--preset', 'tiny', '--images', train, '--val-images', val, '--work', work, '--out', out, '--workers', '2', '--backend', 'wasm']);
    expect(result.code, result.stderr).toBe(0);
    for (const stage of ['ddr-layer', 'similarity', 'jpeg-check', 'eval-single', 'eval-baseline', 'search', 'group-models', 'eval-grids', 'expected-gain', 'router', 'router-calibration', 'calibration', 'blind-use']) {
      expect(result.stderr).toContain(`[${stage}] done earlier`);
    }
    expect(result.stderr).not.toMatch(/training images from/);
  }, 300_000);

  it('zoo --stop-after similarity needs only the descriptor, and says so when it is missing', async () => {
    const empty = await tempDir('grids-zoo-empty-');
    const early = await runCli(['zoo', '--preset', 'tiny', '--images', train, '--val-images', val, '--work', empty, '--out', join(empty, 'out'), '--stop-after', 'similarity']);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toMatch(/the descriptor is not trained yet/);
    const again = await runCli(['zoo', '--preset', 'tiny', '--images', train, '--val-images', val, '--work', work, '--out', out, '--stop-after', 'similarity']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('stopped after similarity');
    expect(again.stderr).not.toContain('[search]');
  }, 120_000);

  it('degrade gives the same bytes for the same seed, and refuses an unknown type clearly', async () => {
    const dir = await tempDir();
    const input = join(val, (await readdir(val))[0]);
    const a = await runCliJson<{ params: unknown }>(['degrade', '--type', 'jpeg', '--seed', '3', input, join(dir, 'a.png')]);
    await runCliJson(['degrade', '--type', 'jpeg', '--seed', '3', input, join(dir, 'b.png')]);
    expect(await readFile(join(dir, 'a.png'))).toEqual(await readFile(join(dir, 'b.png')));
    expect(a.params).toHaveProperty('quality');
    const bad = await runCli(['degrade', '--type', 'fog', input, join(dir, 'c.png')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown degradation "fog"/);
  }, 60_000);

  it('eval scores the group models and the degraded input', async () => {
    const group = manifest.groups[0];
    const dir = await tempDir();
    const result = await runCliJson<{ input: { perTask: Record<string, { psnr: number }> }; models: Record<string, { average: { psnr: number } }> }>([
      'eval', '--models', `g=${join(out, group.model.file)}`, '--images', val, '--tasks', group.members.join(','), '--crop', '48', '--out', dir,
    ]);
    expect(Object.keys(result.input.perTask).sort()).toEqual([...group.members].sort());
    expect(Number.isFinite(result.models.g.average.psnr)).toBe(true);
    expect(await readFile(join(dir, 'eval.md'), 'utf8')).toMatch(/\| \*\*average\*\* \|/);
  }, 60_000);

  it('similarity writes matrices, an SVG heatmap and the separation report', async () => {
    const dir = await tempDir();
    const result = await runCliJson<{ order: string[]; matrices: { forward: number[][] }; separation: unknown[] }>([
      'similarity', '--descriptor', join(out, manifest.descriptor.file), '--layer', manifest.descriptor.layer, '--images', train,
      '--patch-size', '12', '--patches', '8', '--k', '4', '--tasks', 'jpeg,gaussian_noise,salt_pepper', '--out', dir,
    ]);
    expect(result.order).toEqual(['jpeg', 'gaussian_noise', 'salt_pepper']);
    expect(result.matrices.forward.map((r) => r[0])[0]).toBe(0);
    expect(result.separation).toHaveLength(3);
    expect(await readFile(join(dir, 'similarity.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  }, 120_000);

  it('search reuses memoised verifications: a rerun trains nothing and finds the same partition', async () => {
    const result = await runCli([
      'search', '--similarity', join(work, 'similarity', 'similarity.json'), '--single-eval', join(work, 'eval', 'single.json'),
      '--val-images', val, '--crop', '48', '--images', train, '--out', join(work, 'search'), '--width', '4', '--depth', '1',
      '--steps', '2', '--batch', '2', '--patch', '16', '--backend', 'wasm', '--max-verifications', '12', // the tiny preset's budget
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/verifying/);
    expect(JSON.parse(result.stdout).partition).toEqual(manifest.search!.partition);
  }, 120_000);

  it('select and restore use the manifest: one selection per image, PNGs named after the originals', async () => {
    const images = (await readdir(val)).map((f) => join(val, f));
    type Selected = {
      image: string; rule: string; chosen: string; distance: number; automatic: string; automaticReason: string; probabilities: Record<string, number> | null; groupProbabilities: Record<string, number> | null;
      ood: boolean; nearestGroupDistance: number; klNearestGroupDistance: number; groups: { id: string; distance: number }[];
    };
    // `ood` and `nearestGroupDistance` describe one test under either rule (the routing protocol reads them as a
    // score and its flag); the KL distance to the nearest group stays in klNearestGroupDistance.
    const oodContract = (s: Selected, flags: (score: number) => boolean) => {
      expect(s.ood).toBe(flags(s.nearestGroupDistance));
      expect(s.klNearestGroupDistance).toBe(Math.min(...s.groups.map((g) => g.distance)));
    };
    const selections = await runCliJson<Selected[]>(['select', '--manifest', join(out, 'manifest.json'), ...images]);
    expect(selections).toHaveLength(images.length);
    const groupIds = manifest.groups.map((g) => g.id);
    // The manifest ships a router, so it decides by default: 12 probabilities summing to 1, the chosen
    // group the one of highest group probability, and a model that is a group, the baseline or none.
    for (const s of selections) {
      expect(s.rule).toBe('router');
      expect(Object.keys(s.probabilities!)).toHaveLength(12);
      expect(Object.values(s.probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const top = Math.max(...Object.values(s.groupProbabilities!));
      expect(s.groupProbabilities![s.chosen]).toBe(top);
      expect([...groupIds, 'baseline', 'none']).toContain(s.automatic);
      if (s.automatic === 'none') expect(s.ood ? ['unfamiliar'] : ['no-damage', 'no-gain']).toContain(s.automaticReason);
      oodContract(s, (score) => score >= manifest.router!.ood.threshold);
      expect(s.nearestGroupDistance).toBeGreaterThanOrEqual(0);
      expect(s.nearestGroupDistance).toBeLessThanOrEqual(1); // P(OOD)
    }
    // The paper's rule is still there: the KL choice, and the zoo's per-group decision for its routes.
    const kl = await runCliJson<Selected[]>(['select', '--rule', 'kl', '--manifest', join(out, 'manifest.json'), ...images]);
    const policy = manifest.selection.autoChoice!.groups;
    expect(Object.keys(policy).sort()).toEqual(groupIds.sort());
    for (const s of kl) {
      expect(s.rule).toBe('kl');
      expect(groupIds).toContain(s.chosen);
      expect(s.automatic).toBe(policy[s.chosen].use === 'baseline' ? 'baseline' : s.chosen);
      oodContract(s, (distance) => distance > manifest.selection.oodThreshold);
      expect(s.nearestGroupDistance).toBe(s.klNearestGroupDistance);
    }

    const input = await tempDir();
    for (const f of await readdir(val)) await writeFile(join(input, f.replace('.png', '.photo.png')), await readFile(join(val, f)));
    const restoredDir = await tempDir();
    const result = await runCli(['restore', '--in', input, '--out', restoredDir, '--manifest', join(out, 'manifest.json')]);
    expect(result.code, result.stderr).toBe(0);
    expect((await readdir(restoredDir)).filter((f) => f.endsWith('.png')).sort()).toEqual((await readdir(val)).map((f) => f.replace('.png', '.photo.png')).sort());
    // Without --group, each image is restored by its automatic model.
    const report = JSON.parse(await readFile(join(restoredDir, 'report.json'), 'utf8')) as { used: string; automatic: string }[];
    expect(report).toHaveLength(selections.length);
    for (const r of report) expect(r.used).toBe(r.automatic);
  }, 120_000);

  it('restore --group baseline restores every photo with the mix baseline, as the baseline model does in-process', async () => {
    const input = await tempDir();
    const photo = (await readdir(val)).sort()[0];
    await writeFile(join(input, photo), await readFile(join(val, photo)));
    const restoredDir = await tempDir();
    const result = await runCli(['restore', '--in', input, '--out', restoredDir, '--manifest', join(out, 'manifest.json'), '--group', 'baseline']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(restoredDir, 'report.json'), 'utf8')) as { used: string }[];
    expect(report.map((r) => r.used)).toEqual(['baseline']);
    const expected = await restoreImageTo8Bit(await loadSession(join(out, manifest.baseline!.file)), await readImage(join(val, photo)), { tile: 256 });
    const restored = await readImage(join(restoredDir, photo.replace(/\.\w+$/, '.png')));
    expect(restored.data).toEqual(expected.data);
  }, 120_000);

  it('restore leaves a photo with "no damage" unchanged, and says so in its report', async () => {
    // An undamaged photo under a manifest whose router calls every photo clean (threshold 0 would be
    // invalid, so P(clean) ≥ a tiny threshold) and flags none OOD (P(OOD) ≥ almost 1): the decision
    // is 'none', and the output is the input.
    const m = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    m.router.noDamageThreshold = 1e-9;
    m.router.ood.threshold = 1 - 1e-12;
    const models = await tempDir();
    for (const f of await readdir(out)) if (f.endsWith('.onnx')) await writeFile(join(models, f), await readFile(join(out, f)));
    await writeFile(join(models, 'manifest.json'), JSON.stringify(m));
    const input = await tempDir();
    const photo = (await readdir(val))[0];
    await writeFile(join(input, photo), await readFile(join(val, photo)));
    const restoredDir = await tempDir();
    const result = await runCli(['restore', '--in', input, '--out', restoredDir, '--manifest', join(models, 'manifest.json')]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(restoredDir, 'report.json'), 'utf8')) as { used: string; automaticReason: string }[];
    expect(report[0]).toMatchObject({ used: 'none', automaticReason: 'no-damage' });
    const [a, b] = await Promise.all([join(val, photo), join(restoredDir, photo.replace(/\.\w+$/, '.png'))].map((p) => sharp(p).raw().toBuffer()));
    expect(Buffer.compare(a, b)).toBe(0);
  }, 120_000);

  describe(`bad and unusual inputs (${BAD_INPUT_CASES.length} cases)`, () => {
    it.each(BAD_INPUT_CASES)('$name', async ({ arrange, expected }) => {
      const arranged = await arrange({ dir: out, manifest, photos: (await readdir(val)).sort().map((f) => join(val, f)) });
      const result = await (arranged.run ? arranged.run() : runCli(arranged.args));
      await expectOutcome(result, arranged, expected);
      await arranged.check?.(result);
    }, 180_000);
  });
});
