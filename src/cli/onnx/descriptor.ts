import * as ort from 'onnxruntime-node';
import type { FeatureExtractor } from '../../core/ddr-protocol';
import { toPlanar } from '../../core/image';
import { INPUT_NAME, featureOutputName } from './writer';

/**
 * The descriptor as a core FeatureExtractor on onnxruntime-node: a batch of equal-size crops goes
 * in as one NCHW tensor, and each crop's feature map (C×H×W, NCHW order) becomes one row. The
 * browser worker builds the same extractor on onnxruntime-web.
 */
export function createFeatureExtractor(session: ort.InferenceSession, layer: string): FeatureExtractor {
  const output = featureOutputName(layer);
  if (!session.outputNames.includes(output)) {
    throw new Error(`the descriptor has no "${layer}" feature output; it has: ${session.outputNames.join(', ')}`);
  }
  return async (patches) => {
    const { width, height } = patches[0];
    const plane = width * height;
    const input = new Float32Array(patches.length * 3 * plane);
    patches.forEach((patch, n) => {
      if (patch.width !== width || patch.height !== height) throw new Error('descriptor patches must share one size');
      toPlanar(patch, input.subarray(n * 3 * plane, (n + 1) * 3 * plane));
    });
    const results = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', input, [patches.length, 3, height, width]) }, [output]);
    const features = results[output];
    return { rows: features.data as Float32Array, cols: features.data.length / patches.length };
  };
}
