import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { modelKey, type ModelChoice } from '../../core/auto-choice';
import type { DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { applyOodDegradation, type OodDegradationId } from '../../core/degradations/out-of-distribution';
import type { RgbImage } from '../../core/image';
import { parseManifest, type Manifest } from '../../core/manifest';
import { psnr } from '../../core/metrics';
import type { RoutingReason } from '../../core/routing';
import type { EvalImage } from '../eval/evaluate';
import { manifestAnalyser, manifestSession } from '../onnx/manifest-analyser';
import { restoreImageTo8Bit } from '../onnx/ort-node';
import { calibrationCrops } from '../zoo/calibrate';

/**
 * The learned router on §8's crops: the validation photos' corner crops that the zoo's KL
 * calibration measured (zoo/calibrate.ts calibrate(): the same crops, degradations and seeds), now
 * decided by the router rule through the published manifest, exactly as `grids select` decides, and
 * restored with what it chose. RESULTS §8 puts these beside the KL rule's figures, table by table.
 * Nothing here is fitted: the validation photos only measure.
 */
export interface RouterOnCrop {
  image: string;
  crop: number;
  source: DegradationId | OodDegradationId;
  kind: 'in' | 'ood';
  /** The router's most probable group. */
  chosen: string;
  /** What restores by default: a group id, 'baseline' or 'none'. */
  automatic: string;
  reason: RoutingReason;
  ood: boolean;
  /** PSNR gain (dB) over the degraded input: of the chosen group, and of the default model (0 for 'none'); null on OOD crops. */
  chosenGain: number | null;
  automaticGain: number | null;
}

export interface RouterOnValidation {
  /** sha256 of the manifest.json measured: a later manifest means measuring again. */
  manifestSha256: string;
  crops: RouterOnCrop[];
}

export async function manifestDigest(manifestPath: string): Promise<string> {
  return createHash('sha256').update(await readFile(manifestPath)).digest('hex');
}

export async function measureRouterOnValidation(o: {
  manifestPath: string;
  images: EvalImage[];
  crop: number | null;
  cropsPerImage: number;
  /** The KL calibration's seed (its crops' degradation draws). */
  seed: number;
  tasks: readonly DegradationId[];
  /** OOD kinds the KL calibration measured (their draws: the crop's Gaussian-blur seed + 7, as there). */
  oodKinds: readonly OodDegradationId[];
  onProgress?: (done: number, total: number) => void;
}): Promise<RouterOnValidation> {
  const manifest: Manifest = parseManifest(JSON.parse(await readFile(o.manifestPath, 'utf8')));
  if (!manifest.router) throw new Error(`${o.manifestPath} has no router to measure`);
  const root = dirname(o.manifestPath);
  const analyse = await manifestAnalyser(manifest, root, 'router');
  const fileOf = (choice: ModelChoice) => (choice.kind === 'group' ? manifest.groups.find((g) => g.id === choice.id)!.model.file : choice.kind === 'baseline' ? manifest.baseline!.file : null);
  const gainOf = async (choice: ModelChoice, degraded: RgbImage, clean: RgbImage, inputPsnr: number) => {
    const file = fileOf(choice);
    return file === null ? 0 : psnr(await restoreImageTo8Bit(await manifestSession(manifest, root, file), degraded), clean) - inputPsnr;
  };
  const crops = calibrationCrops(o.images, o.crop, o.cropsPerImage, o.seed);
  const total = crops.length * (o.tasks.length + o.oodKinds.length);
  const out: RouterOnCrop[] = [];
  let done = 0;
  for (const { image, crop, clean, seedOf } of crops) {
    const inputs: [DegradationId | OodDegradationId, 'in' | 'ood', RgbImage][] = [
      ...o.tasks.map((task) => [task, 'in', degrade(clean, task, seedOf(task)).image] as [DegradationId, 'in', RgbImage]),
      ...o.oodKinds.map((kind) => [kind, 'ood', applyOodDegradation(clean, kind, seedOf('gaussian_blur') + 7).image] as [OodDegradationId, 'ood', RgbImage]),
    ];
    for (const [source, kind, degraded] of inputs) {
      const a = (await analyse(degraded)).automatic;
      const row: RouterOnCrop = { image, crop, source, kind, chosen: a.chosen, automatic: modelKey(a.model), reason: a.reason, ood: a.ood, chosenGain: null, automaticGain: null };
      if (kind === 'in') {
        const inputPsnr = psnr(degraded, clean);
        row.chosenGain = await gainOf({ kind: 'group', id: a.chosen }, degraded, clean, inputPsnr);
        row.automaticGain = row.automatic === a.chosen ? row.chosenGain : await gainOf(a.model, degraded, clean, inputPsnr);
      }
      out.push(row);
      o.onProgress?.(++done, total);
    }
  }
  return { manifestSha256: await manifestDigest(o.manifestPath), crops: out };
}
