import type { Ggd } from './ggd-types';
import { cropImage, type RgbImage } from './image';
import { createRng } from './random';
import { centredGram, ddrStatisticFromGram, FlatFeaturesError, symmetrisedGram, type DdrStatistic } from './ddr';
import { DescriptorSummary } from './jpeg-check';

/**
 * How a set of images becomes one GGD: the ONE protocol used for the reference degradations (CLI,
 * `grids similarity`) and for a user's photo (browser worker, `grids select`), so their GGDs are
 * comparable. Its parameters travel in the manifest's `descriptor` entry.
 *
 * 1. Draw `patchCount` square crops of `patchSize` px, spread round-robin over the images, at
 *    positions from a PRNG seeded with `seed` (the paper's "self-augmentation" for one image).
 * 2. Run the descriptor on the crops and flatten each crop's chosen feature map into one row.
 * 3. The DDR statistic: Gram PCA to k components, pooled scores, 5σ trim, SRGA GGD fit.
 */
export interface DdrProtocol {
  patchSize: number;
  patchCount: number;
  seed: number;
  k: number;
  trimSigmas: number;
}

export interface PatchBox {
  image: number;
  x: number;
  y: number;
}

/** A feature extractor: crops in, one flattened feature row per crop out (row-major). */
export type FeatureExtractor = (patches: RgbImage[]) => Promise<{ rows: Float32Array; cols: number }>;

/**
 * Computes the centred Gram matrix Xc·Xcᵀ (rows×rows, row-major) of the rows×cols feature stack.
 * The browser worker and the CLI both pass onnxruntime's (the graph in centred-gram-onnx.ts, a
 * float32 GEMM, 10–20× faster than JS), so that they agree; `jsCentredGram` is the float64
 * reference it is tested against.
 */
export type GramComputer = (stack: Float32Array, rows: number, cols: number) => Promise<ArrayLike<number>>;

/** The float64 JS Gram of ddr.ts: the numerical reference, and the path of tests without onnxruntime. */
export const jsCentredGram: GramComputer = async (stack, rows, cols) => centredGram(stack, rows, cols);

export interface AnalyseOptions {
  /**
   * Required, not defaulted: float32 and float64 Grams can move β by one step of the fit's grid,
   * so a caller that silently fell back to another Gram would disagree with the browser.
   */
  gram: GramComputer;
  /** Patches per descriptor run. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export function planPatches(sizes: readonly { width: number; height: number }[], protocol: Pick<DdrProtocol, 'patchSize' | 'patchCount' | 'seed'>): PatchBox[] {
  const { patchSize, patchCount } = protocol;
  const usable = sizes.map((s, i) => ({ ...s, i })).filter((s) => s.width >= patchSize && s.height >= patchSize);
  if (usable.length === 0) {
    throw new RangeError(`the image is too small to analyse: it needs at least ${patchSize}×${patchSize} pixels`);
  }
  const rng = createRng(protocol.seed);
  const boxes: PatchBox[] = [];
  for (let n = 0; n < patchCount; n++) {
    const s = usable[n % usable.length];
    boxes.push({ image: s.i, x: rng.int(0, s.width - patchSize), y: rng.int(0, s.height - patchSize) });
  }
  return boxes;
}

export function cropPatches(images: readonly RgbImage[], boxes: readonly PatchBox[], patchSize: number): RgbImage[] {
  return boxes.map((b) => cropImage(images[b.image], b.x, b.y, patchSize, patchSize));
}

export interface DdrAnalysis extends DdrStatistic {
  patches: number;
  featureLength: number;
  /**
   * Per-channel numbers of the same features that the JPEG check reads (jpeg-check.ts), with each
   * patch's position in the image; null when the feature maps are not at the patch size.
   */
  summary: number[] | null;
}

/** Runs the protocol: patches → features (in batches) → DDR statistic. */
export async function analyseDegradation(
  images: readonly RgbImage[],
  protocol: DdrProtocol,
  extract: FeatureExtractor,
  options: AnalyseOptions,
): Promise<DdrAnalysis> {
  const boxes = planPatches(images, protocol);
  const batch = Math.max(1, options.batch ?? 64);
  let stack: Float32Array | null = null;
  let summary: DescriptorSummary | null = null;
  let cols = 0;
  for (let start = 0; start < boxes.length; start += batch) {
    const batchBoxes = boxes.slice(start, start + batch);
    const patches = cropPatches(images, batchBoxes, protocol.patchSize);
    const features = await extract(patches);
    if (!stack) {
      cols = features.cols;
      stack = new Float32Array(boxes.length * cols);
      summary = DescriptorSummary.forRows(cols, protocol.patchSize);
    }
    if (features.cols !== cols || features.rows.length !== patches.length * cols) {
      throw new Error(`the descriptor returned ${features.rows.length} values for ${patches.length} patches of ${cols} features`);
    }
    stack.set(features.rows, start * cols);
    summary?.add(features.rows, batchBoxes);
    options.onProgress?.(Math.min(start + batch, boxes.length), boxes.length);
  }
  const rows = boxes.length;
  const gram = symmetrisedGram(await options.gram(stack!, rows, cols), rows);
  let statistic: DdrStatistic;
  try {
    if (hasNoVariance(stack!, gram, rows)) throw new FlatFeaturesError();
    statistic = ddrStatisticFromGram(gram, rows, { k: protocol.k, trimSigmas: protocol.trimSigmas });
  } catch (error) {
    if (error instanceof FlatFeaturesError) {
      throw new RangeError('the image looks flat: every analysed patch is the same, so there is no degradation to measure. Choose a model by hand.');
    }
    throw error;
  }
  return { ...statistic, patches: boxes.length, featureLength: cols, summary: summary?.finish() ?? null };
}


/**
 * Whether the features are flat up to rounding: the total variance (trace of the centred Gram) is
 * below 1e-10 of the stack's energy. A float32 mean of identical rows is not always exact, so a
 * flat image leaves rounding noise (about 1e-14 relative) in onnxruntime's Gram instead of zeros.
 */
function hasNoVariance(stack: Float32Array, gram: Float64Array, rows: number): boolean {
  let energy = 0;
  for (let i = 0; i < stack.length; i++) energy += stack[i] * stack[i];
  let trace = 0;
  for (let i = 0; i < rows; i++) trace += gram[i * rows + i];
  return !(trace > 1e-10 * energy);
}
