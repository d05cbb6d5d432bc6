// Public API of the degradations: the registry (ids, names, sampling, apply, degrade), the one
// parameter table, and the helpers other parts of GRIDS reuse (resize, kernels, convolution).
export { DEGRADATION_IDS, isDegradationId, type DegradationId } from './ids.ts';
export { DEGRADATION_TABLE, sampleTableParams, type DegradationParams, type DegradationSpec, type ParamSpec } from './table.ts';
export {
  DEGRADATIONS,
  DEGRADATION_LIST,
  degrade,
  degradeWithRng,
  getDegradation,
  type Degradation,
  type DegradeResult,
} from './registry.ts';
export { resize, RESIZE_METHODS, type ResizeMethod } from './resize.ts';
export { convolve, convolveSeparable, padImage, type PaddingMode } from './convolve.ts';
export {
  boxKernel,
  circularLowpassKernel,
  diskKernel,
  gaussianKernel,
  gaussianTaps,
  motionKernel,
  type Kernel,
} from './kernels.ts';
export { drawStrokeMask } from './inpainting.ts';
export { generateTestScene, type TestSceneOptions } from './test-scenes.ts';
