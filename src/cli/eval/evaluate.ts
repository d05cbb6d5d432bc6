import { cropImage, type RgbImage } from '../../core/image';
import { DEGRADATION_IDS, type DegradationId } from '../../core/degradations/ids';
import { degrade } from '../../core/degradations/registry';
import { psnr, psnrY, ssim } from '../../core/metrics';
import { loadSession, restoreImageTo8Bit } from '../onnx/ort-node';

/**
 * Evaluation protocol (method notes §5): a centre crop of each validation photo, one fixed
 * degradation draw per (photo, degradation), every model on the same degraded inputs; PSNR on RGB
 * and on Y, SSIM on RGB, after clipping and 8-bit quantisation of the model output.
 */
export interface EvalModel {
  name: string;
  file: string;
}

export interface EvalImage {
  name: string;
  image: RgbImage;
}

export interface EvalOptions {
  models: EvalModel[];
  images: EvalImage[];
  tasks: DegradationId[];
  seed: number;
  /** Centre crop side (null: whole image). */
  crop: number | null;
  tile?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Scores {
  psnr: number;
  psnrY: number;
  ssim: number;
}

export interface TaskScores extends Scores {
  perImage: Scores[];
}

export interface ModelScores {
  perTask: Partial<Record<DegradationId, TaskScores>>;
  average: Scores;
}

export interface EvalResult {
  protocol: { seed: number; crop: number | null; images: string[]; tasks: DegradationId[]; metric: string };
  /** The degraded input's own scores against the clean image. */
  input: ModelScores;
  models: Record<string, ModelScores & { file: string }>;
}

/** The seed of the one degradation draw for (task, image): fixed, and distinct across pairs. */
export function evalSeed(seed: number, task: DegradationId, imageIndex: number): number {
  return seed * 100_003 + DEGRADATION_IDS.indexOf(task) * 1009 + imageIndex;
}

export function centreCrop(image: RgbImage, size: number | null): RgbImage {
  if (size === null || (image.width <= size && image.height <= size)) return image;
  const w = Math.min(size, image.width), h = Math.min(size, image.height);
  return cropImage(image, Math.floor((image.width - w) / 2), Math.floor((image.height - h) / 2), w, h);
}

function score(output: RgbImage, clean: RgbImage): Scores {
  return { psnr: psnr(output, clean), psnrY: psnrY(output, clean), ssim: ssim(output, clean) };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function summarise(perTask: Partial<Record<DegradationId, Scores[]>>): ModelScores {
  const out: ModelScores = { perTask: {}, average: { psnr: 0, psnrY: 0, ssim: 0 } };
  const tasks = Object.keys(perTask) as DegradationId[];
  for (const task of tasks) {
    const list = perTask[task]!;
    out.perTask[task] = { psnr: mean(list.map((s) => s.psnr)), psnrY: mean(list.map((s) => s.psnrY)), ssim: mean(list.map((s) => s.ssim)), perImage: list };
  }
  out.average = averageOverTasks(out.perTask, tasks);
  return out;
}

/** The unweighted mean over degradations of their per-degradation scores (Table 1's "Avg."). */
export function averageOverTasks(perTask: Partial<Record<DegradationId, Scores>>, tasks: readonly DegradationId[]): Scores {
  const of = (key: keyof Scores) => mean(tasks.map((t) => perTask[t]![key]));
  return { psnr: of('psnr'), psnrY: of('psnrY'), ssim: of('ssim') };
}

export async function evaluate(options: EvalOptions): Promise<EvalResult> {
  const clean = options.images.map((i) => centreCrop(i.image, options.crop));
  const total = options.tasks.length * clean.length * options.models.length;
  let done = 0;
  const inputScores: Partial<Record<DegradationId, Scores[]>> = {};
  const modelScores: Record<string, Partial<Record<DegradationId, Scores[]>>> = Object.fromEntries(options.models.map((m) => [m.name, {}]));
  const sessions = await Promise.all(options.models.map((m) => loadSession(m.file)));
  for (const task of options.tasks) {
    inputScores[task] = [];
    for (const m of options.models) modelScores[m.name][task] = [];
    for (let i = 0; i < clean.length; i++) {
      const degraded = degrade(clean[i], task, evalSeed(options.seed, task, i)).image;
      inputScores[task]!.push(score(degraded, clean[i]));
      for (let k = 0; k < options.models.length; k++) {
        const restored = await restoreImageTo8Bit(sessions[k], degraded, { tile: options.tile ?? 256 });
        modelScores[options.models[k].name][task]!.push(score(restored, clean[i]));
        options.onProgress?.(++done, total);
      }
    }
  }
  return {
    protocol: { seed: options.seed, crop: options.crop, images: options.images.map((i) => i.name), tasks: options.tasks, metric: 'PSNR (dB) on RGB and on Y (BT.601), SSIM on RGB; outputs clipped and quantised to 8 bits' },
    input: summarise(inputScores),
    models: Object.fromEntries(options.models.map((m) => [m.name, { file: m.file, ...summarise(modelScores[m.name]) }])),
  };
}

export function evalMarkdown(result: EvalResult): string {
  const names = Object.keys(result.models);
  const header = `| degradation | input | ${names.join(' | ')} |\n|---|---|${names.map(() => '---|').join('')}`;
  const cell = (s?: Scores) => (s ? `${s.psnr.toFixed(2)} / ${s.ssim.toFixed(3)}` : '–');
  const rows = result.protocol.tasks.map((t) => `| ${t} | ${cell(result.input.perTask[t])} | ${names.map((n) => cell(result.models[n].perTask[t])).join(' | ')} |`);
  rows.push(`| **average** | ${cell(result.input.average)} | ${names.map((n) => cell(result.models[n].average)).join(' | ')} |`);
  return [
    `PSNR (dB, RGB) / SSIM on ${result.protocol.images.length} images, ${result.protocol.crop ? `${result.protocol.crop}px centre crops` : 'whole images'}, seed ${result.protocol.seed}.`,
    '',
    header,
    ...rows,
    '',
  ].join('\n');
}
