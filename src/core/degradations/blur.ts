import { cropImage, type RgbImage } from '../image.ts';
import { convolve, convolveSeparable, correlateValid, padImage } from './convolve.ts';
import type { Rng } from '../random.ts';
import {
  anisotropicGaussianKernel,
  boxKernel,
  circularLowpassKernel,
  diskKernel,
  gaussianTaps,
  generalizedGaussianKernel,
  lensKernel,
  motionKernel,
  shakeKernel,
  trailKernel,
} from './kernels.ts';
import { DEGRADATION_TABLE, sampleParam, type DegradationParams } from './table.ts';

// The filtering degradations. Results are unquantised; the registry quantises every output to 8 bits.
// Reflect padding (numpy 'reflect' = cv2 BORDER_REFLECT_101) matches cv2.filter2D's default, which
// BasicSR and Real-ESRGAN use for their blur and sinc kernels.

/** The isotropic family runs as two 1-D passes: its kernel is separable (gaussianKernel = taps ⊗ taps). */
export function applyGaussianBlur(image: RgbImage, params: DegradationParams<'gaussian_blur'>): RgbImage {
  switch (params.family) {
    case 'isotropic':
      return convolveSeparable(image, gaussianTaps(params.kernelSize, params.sigma), 'reflect');
    case 'anisotropic':
      return convolve(image, anisotropicGaussianKernel(params.kernelSize, params.sigmaMajor, params.axisRatio, params.angle), 'reflect');
    case 'generalized':
      return convolve(image, generalizedGaussianKernel(params.kernelSize, params.sigma, params.beta), 'reflect');
  }
}

const shakeGeometry = DEGRADATION_TABLE.motion_blur.families.shake.drawnInApply;

export function applyMotionBlur(image: RgbImage, params: DegradationParams<'motion_blur'>, rng: Rng): RgbImage {
  switch (params.family) {
    case 'line':
      return convolve(image, motionKernel(params.radius, params.sigma, params.angle), 'reflect');
    case 'trail':
      return convolve(image, trailKernel(params.length, params.sigma, params.angle), 'reflect');
    case 'shake': {
      const draw = (spec: (typeof shakeGeometry)[keyof typeof shakeGeometry]) => sampleParam(rng, spec) as number;
      const trajectory = {
        length: params.length,
        anxiety: params.anxiety,
        direction: draw(shakeGeometry.direction),
        centripetal: draw(shakeGeometry.centripetal),
        gaussianTerm: draw(shakeGeometry.gaussianTerm),
        jerkRate: draw(shakeGeometry.jerkRate),
        steps: shakeGeometry.steps.value,
        maxRadius: shakeGeometry.maxRadius.value,
      };
      return convolve(image, shakeKernel(trajectory, () => rng.next(), () => rng.normal()), 'reflect');
    }
  }
}

export function applyDefocusBlur(image: RgbImage, params: DegradationParams<'defocus_blur'>): RgbImage {
  switch (params.family) {
    case 'disk':
      return convolve(image, diskKernel(params.radius), 'reflect');
    case 'soft':
      return convolve(image, lensKernel(params.radius, params.rim, 0), 'reflect');
    case 'aberrated':
      return convolve(image, lensKernel(params.radius, params.rim, params.aberration), 'reflect');
  }
}

export function applyRinging(image: RgbImage, params: DegradationParams<'ringing'>): RgbImage {
  return convolve(image, circularLowpassKernel(params.cutoff, params.kernelSize, params.padTo), 'reflect');
}

/**
 * One Richardson–Lucy iteration with a box PSF K from the constant start x0 = 0.5 on the ramp-padded
 * image y: x1 = x0 · Kᵀ∗(y / (K∗x0)). Away from the padded border K∗x0 = 0.5, so x1 = Kᵀ∗y, a box mean.
 * The padding (7) exceeds the two PSF radii (2 + 2), so the cropped result never sees that border.
 */
export function applyRichardsonLucy(image: RgbImage, params: DegradationParams<'rl'>): RgbImage {
  const pad = params.padding;
  const psf = boxKernel(params.psfSize);
  const padded = padImage(image, pad, 'linear_ramp');
  const filtered = correlateValid(padded, psf); // shrinks by the PSF radius on each side
  const offset = pad - (params.psfSize - 1) / 2;
  return cropImage(filtered, offset, offset, image.width, image.height);
}
