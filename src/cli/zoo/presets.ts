import type { Activation } from '../models/graph';

/**
 * Model-zoo recipes. `smoke` builds a real but weak zoo in under 30 minutes on 2 CPU cores, so the
 * app runs out of the box; `full` is the research run (issue: train the shipped zoo).
 */
export interface ZooPreset {
  name: string;
  descriptor: { width: number; depth: number; scale: number; steps: number; batch: number; patch: number; lr: number };
  restorer: { width: number; depth: number; activation: Activation; steps: number; batch: number; patch: number; lr: number };
  /**
   * DDR protocol and the layer it reads. References use `referenceImages` training photos, each
   * centre-cropped to `referenceCrop` px before it is degraded (patches are small; degrading whole
   * photos only costs time). Without `layer`, the zoo measures the candidate layers (ddrLayerCandidates) and takes the best.
   */
  ddr: { layer?: string; patchSize: number; patchCount: number; k: number; referenceImages: number; referenceCrop: number };
  eval: { crop: number; seed: number };
  /** Calibration crops per validation photo (its corners). */
  calibrationCrops: number;
  /** Training photos, after the reference ones, on which each group model's gain per degradation is measured. */
  expectedGainImages: number;
  delta: number;
  /** Verifications fine-tune from the mix baseline (cheaper) instead of training from scratch. */
  verifyFineTune: boolean;
  /** Steps of a fine-tuned verification (the from-scratch ones use restorer.steps). */
  verifySteps: number;
  /** Cap on verification trainings in the search (see GroupingOptions.maxVerifications). */
  maxVerifications: number;
  /**
   * The learned router (src/core/router): views per training photo and class, network width, epochs;
   * and views per training photo and class for the OOD model's tone quantiles (src/cli/router/ood.ts).
   */
  /**
   * descriptorPatches: how many of the descriptor's planned patches the router rule's analysis reads
   * (the manifest's router.descriptorPatches); absent, all of them.
   */
  router: { draws: number; hidden: number; epochs: number; toneDraws: number; descriptorPatches?: number };
  seed: number;
}

export const PRESETS: Record<string, ZooPreset> = {
  /** For the CLI's end-to-end test on tiny generated images: seconds per stage, useless models. */
  tiny: {
    name: 'tiny',
    descriptor: { width: 4, depth: 1, scale: 2, steps: 3, batch: 2, patch: 8, lr: 1e-3 },
    restorer: { width: 4, depth: 1, activation: 'relu', steps: 3, batch: 2, patch: 16, lr: 1e-3 },
    ddr: { patchSize: 12, patchCount: 8, k: 4, referenceImages: 3, referenceCrop: 48 },
    eval: { crop: 48, seed: 0 },
    calibrationCrops: 1,
    expectedGainImages: 2,
    delta: 0.7,
    verifyFineTune: true,
    verifySteps: 2,
    maxVerifications: 12,
    router: { draws: 1, hidden: 8, epochs: 2, toneDraws: 1 },
    seed: 0,
  },
  smoke: {
    name: 'smoke',
    descriptor: { width: 16, depth: 2, scale: 4, steps: 1000, batch: 8, patch: 16, lr: 5e-4 },
    restorer: { width: 16, depth: 2, activation: 'relu', steps: 1000, batch: 8, patch: 32, lr: 5e-4 },
    // Measured on this descriptor (32 reference photos, 11 validation photos): last_block with 384
    // patches and k = 96 told 10/11 held-out draws apart and routed 79 % of single validation
    // crops to the right family; 64 patches managed 1–2/11 and ~60 %.
    ddr: { layer: 'last_block', patchSize: 16, patchCount: 384, k: 96, referenceImages: 32, referenceCrop: 160 },
    eval: { crop: 128, seed: 0 },
    calibrationCrops: 1,
    expectedGainImages: 8,
    delta: 0.7,
    verifyFineTune: true,
    verifySteps: 500,
    maxVerifications: 30,
    router: { draws: 2, hidden: 32, epochs: 20, toneDraws: 1 },
    seed: 0,
  },
  /**
   * The research run, sized for about 16 core-hours of tfjs-wasm on this 2-core machine (measured:
   * a restorer step 0.93 s on one core, ~1.1 s with both cores busy; a descriptor step ~1.9 s).
   * 12 restorers + ~4 from-scratch group models × 2000 steps ≈ 9.8 core-h, 30 fine-tuned
   * verifications × 500 steps ≈ 4.6 core-h, descriptor ≈ 1.0 core-h. Width 32 and depth 4 keep a
   * 1 MP browser restore well under 20 s; the steps are what the budget leaves.
   */
  full: {
    name: 'full',
    descriptor: { width: 32, depth: 6, scale: 4, steps: 2000, batch: 16, patch: 24, lr: 4e-4 },
    restorer: { width: 32, depth: 4, activation: 'relu', steps: 2000, batch: 16, patch: 48, lr: 4e-4 },
    ddr: { patchSize: 16, patchCount: 384, k: 96, referenceImages: 96, referenceCrop: 192 },
    eval: { crop: 256, seed: 0 },
    calibrationCrops: 4,
    expectedGainImages: 24,
    delta: 0.7,
    verifyFineTune: true,
    verifySteps: 500,
    maxVerifications: 30,
    // 192 of the 384 patches: the router's choice was the same on all 456 held-out training crops of
    // its calibration, its OOD AUROC 0.892 either way, at half the descriptor runs (npm run
    // study:patch-count; no validation photo involved).
    router: { draws: 6, hidden: 64, epochs: 40, toneDraws: 2, descriptorPatches: 192 },
    seed: 0,
  },
};
