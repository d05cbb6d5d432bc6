/**
 * The JPEG check: a learned detector of JPEG's 8×8 block grid, read from the same descriptor
 * features as the DDR statistic.
 *
 * Why it exists: the paper's statistic (one GGD of pooled PCA scores) is blind to JPEG here. Under
 * every rule, layer and descriptor measured (RESULTS §8, up to a pretrained SR network 65× ours), at
 * most 25 % of JPEG crops reached the JPEG group. Pooling throws away where in the image a feature
 * sits, and JPEG's signature is exactly a position: the codec's block boundaries, every 8 px from the
 * image's top-left corner. So per feature channel we also compare the energy on the block boundaries
 * with the energy inside the blocks, and a logistic model trained on the reference photos decides.
 * When it fires, selection picks the group holding JPEG; every other choice stays the paper's.
 */

/** JPEG's block size, in pixels; its grid starts at the image's top-left corner. */
export const JPEG_BLOCK = 8;

/** Numbers per feature channel in the summary (see DescriptorSummary.finish). */
export const SUMMARY_PER_CHANNEL = 6;

/** Name of the summary's definition, stored with a trained check so a changed definition is caught. */
export const SUMMARY_FEATURES = 'descriptor-channel-summary-v1';

const EPS = 1e-12;

function onBoundary(phase: number): boolean {
  return phase === 0 || phase === JPEG_BLOCK - 1;
}

function inCore(phase: number): boolean {
  return phase >= 2 && phase <= JPEG_BLOCK - 3;
}

/**
 * Accumulates, over the feature maps of one image's analysis patches, the per-channel numbers the
 * check reads. Feature rows are C×S×S (NCHW order, S = patch side, feature map at input size); a
 * patch at (x, y) puts its feature (px, py) at image position (x + px, y + py), whose block phase is
 * that position modulo 8.
 */
export class DescriptorSummary {
  readonly channels: number;
  private readonly side: number;
  private readonly sum: Float64Array;
  private readonly sumSquares: Float64Array;
  private readonly sumAbs: Float64Array;
  private readonly sumFourth: Float64Array;
  private readonly boundaryEnergy: Float64Array;
  private readonly coreEnergy: Float64Array;
  private readonly stepAcross: Float64Array;
  private readonly stepWithin: Float64Array;
  private values = 0;
  private boundaryCount = 0;
  private coreCount = 0;
  private acrossCount = 0;
  private withinCount = 0;

  /** Null when the feature rows are not C maps of the patch size (the check then cannot run). */
  static forRows(cols: number, patchSize: number): DescriptorSummary | null {
    const plane = patchSize * patchSize;
    if (patchSize < JPEG_BLOCK || cols % plane !== 0) return null;
    return new DescriptorSummary(cols / plane, patchSize);
  }

  constructor(channels: number, side: number) {
    if (!Number.isInteger(channels) || channels < 1 || !Number.isInteger(side) || side < JPEG_BLOCK) {
      throw new RangeError(`a descriptor summary needs ≥ 1 channel and patches of ≥ ${JPEG_BLOCK} px, got ${channels} and ${side}`);
    }
    this.channels = channels;
    this.side = side;
    const make = () => new Float64Array(channels);
    this.sum = make();
    this.sumSquares = make();
    this.sumAbs = make();
    this.sumFourth = make();
    this.boundaryEnergy = make();
    this.coreEnergy = make();
    this.stepAcross = make();
    this.stepWithin = make();
  }

  /** Adds the feature rows of patches whose top-left corners in the image are `corners`. */
  add(rows: ArrayLike<number>, corners: readonly { x: number; y: number }[]): void {
    const S = this.side;
    const plane = S * S;
    const cols = this.channels * plane;
    if (rows.length !== corners.length * cols) {
      throw new RangeError(`expected ${corners.length} feature rows of ${cols} values, got ${rows.length} values`);
    }
    // Per patch, each position's class (1 boundary, 2 core, 4 step across a boundary, 8 other step),
    // then channel by channel over contiguous memory.
    const kind = new Uint8Array(plane);
    corners.forEach(({ x: x0, y: y0 }, r) => {
      for (let y = 0; y < S; y++) {
        const py = (y0 + y) % JPEG_BLOCK;
        for (let x = 0; x < S; x++) {
          const px = (x0 + x) % JPEG_BLOCK;
          const across = x + 1 < S && px === JPEG_BLOCK - 1;
          kind[y * S + x] = (onBoundary(px) || onBoundary(py) ? 1 : 0) | (inCore(px) && inCore(py) ? 2 : 0) | (across ? 4 : 0) | (x + 1 < S && !across ? 8 : 0);
        }
      }
      for (let i = 0; i < plane; i++) {
        const k = kind[i];
        if (k & 1) this.boundaryCount++;
        if (k & 2) this.coreCount++;
        if (k & 4) this.acrossCount++;
        if (k & 8) this.withinCount++;
      }
      for (let c = 0; c < this.channels; c++) {
        const base = r * cols + c * plane;
        let sum = 0, sumSquares = 0, sumAbs = 0, sumFourth = 0, boundary = 0, core = 0, across = 0, within = 0;
        for (let i = 0; i < plane; i++) {
          const v = rows[base + i];
          const v2 = v * v;
          sum += v;
          sumSquares += v2;
          sumAbs += Math.abs(v);
          sumFourth += v2 * v2;
          const k = kind[i];
          if (k & 1) boundary += v2;
          if (k & 2) core += v2;
          if (k & 12) {
            const step = rows[base + i + 1] - v;
            if (k & 4) across += step * step;
            else within += step * step;
          }
        }
        this.sum[c] += sum;
        this.sumSquares[c] += sumSquares;
        this.sumAbs[c] += sumAbs;
        this.sumFourth[c] += sumFourth;
        this.boundaryEnergy[c] += boundary;
        this.coreEnergy[c] += core;
        this.stepAcross[c] += across;
        this.stepWithin[c] += within;
      }
    });
    this.values += corners.length * plane;
  }

  /**
   * Per channel, 6 numbers: mean; log variance; log E[f²]/E[|f|]² and log E[f⁴]/E[f²]² (shape);
   * log of the mean energy on block boundaries over that inside blocks; log of the mean squared
   * step across a vertical block boundary over that of the other horizontal steps.
   */
  finish(): number[] {
    if (this.values === 0) throw new RangeError('the descriptor summary has no features');
    const n = this.values;
    const perPosition = (total: number, count: number) => (count > 0 ? total / count : 0);
    const out: number[] = [];
    for (let c = 0; c < this.channels; c++) {
      const mean = this.sum[c] / n;
      const meanSquare = this.sumSquares[c] / n;
      const meanAbs = this.sumAbs[c] / n;
      out.push(
        mean,
        Math.log(Math.max(meanSquare - mean * mean, 0) + EPS),
        Math.log(meanSquare / (meanAbs * meanAbs + EPS) + EPS),
        Math.log(this.sumFourth[c] / n / (meanSquare * meanSquare + EPS) + EPS),
        Math.log((perPosition(this.boundaryEnergy[c], this.boundaryCount) + EPS) / (perPosition(this.coreEnergy[c], this.coreCount) + EPS)),
        Math.log((perPosition(this.stepAcross[c], this.acrossCount) + EPS) / (perPosition(this.stepWithin[c], this.withinCount) + EPS)),
      );
    }
    return out;
  }
}

/** A trained check: a logistic model over the standardised summary. */
export interface JpegCheck {
  readonly features: string;
  /** Per summary entry: the training mean and standard deviation used to standardise it. */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly weights: readonly number[];
  readonly bias: number;
  /** The check fires when its probability reaches this. */
  readonly threshold: number;
}

/** P(JPEG) for one image's summary. */
export function jpegProbability(check: JpegCheck, summary: readonly number[]): number {
  const d = check.weights.length;
  if (summary.length !== d || check.mean.length !== d || check.scale.length !== d) {
    throw new RangeError(`the JPEG check reads ${d} summary values, but the analysis gave ${summary.length}: the descriptor does not match the manifest`);
  }
  let z = check.bias;
  for (let i = 0; i < d; i++) z += check.weights[i] * ((summary[i] - check.mean[i]) / check.scale[i]);
  if (!Number.isFinite(z)) throw new RangeError('the JPEG check got non-finite features');
  return 1 / (1 + Math.exp(-z));
}

export interface LogisticOptions {
  /** L2 penalty on the weights (not the bias), per sample. */
  lambda?: number;
  iterations?: number;
  learningRate?: number;
}

/**
 * Fits P(y = 1 | x) = σ(b + w·standardise(x)) by full-batch Adam on the mean log-loss plus
 * λ/2·|w|². Deterministic: same data, same model.
 */
export function fitLogistic(samples: readonly (readonly number[])[], labels: readonly boolean[], options: LogisticOptions = {}): Omit<JpegCheck, 'features' | 'threshold'> {
  const n = samples.length;
  if (n === 0 || labels.length !== n) throw new RangeError(`need as many labels as samples (≥ 1), got ${labels.length} and ${n}`);
  if (!labels.some((l) => l) || labels.every((l) => l)) throw new RangeError('need samples of both classes');
  const d = samples[0].length;
  if (samples.some((s) => s.length !== d)) throw new RangeError('every sample needs the same number of values');
  const lambda = options.lambda ?? 1e-3;
  const iterations = options.iterations ?? 1500;
  const rate = options.learningRate ?? 0.05;

  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const s of samples) for (let i = 0; i < d; i++) mean[i] += s[i] / n;
  for (const s of samples) for (let i = 0; i < d; i++) scale[i] += (s[i] - mean[i]) ** 2 / n;
  for (let i = 0; i < d; i++) {
    scale[i] = Math.sqrt(scale[i]);
    // A constant input carries nothing; scale 1 keeps it at 0 after standardising.
    if (!(scale[i] > 1e-12)) scale[i] = 1;
  }
  const x = samples.map((s) => s.map((v, i) => (v - mean[i]) / scale[i]));

  const params = new Float64Array(d + 1); // weights, then the bias
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  const grad = new Float64Array(d + 1);
  for (let t = 1; t <= iterations; t++) {
    grad.fill(0);
    for (let k = 0; k < n; k++) {
      let z = params[d];
      for (let i = 0; i < d; i++) z += params[i] * x[k][i];
      const error = 1 / (1 + Math.exp(-z)) - (labels[k] ? 1 : 0);
      for (let i = 0; i < d; i++) grad[i] += (error * x[k][i]) / n;
      grad[d] += error / n;
    }
    for (let i = 0; i <= d; i++) {
      const g = grad[i] + (i < d ? lambda * params[i] : 0);
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      params[i] -= (rate * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  return { mean, scale, weights: Array.from(params.subarray(0, d)), bias: params[d] };
}
