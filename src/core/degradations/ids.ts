/**
 * The 11 degradations of the paper, in the paper's order (Table 1). The ids are stable: they name
 * model files, manifest entries and CLI arguments, so never rename one.
 */
export const DEGRADATION_IDS = [
  'gaussian_blur',
  'motion_blur',
  'rl',
  'sr',
  'ringing',
  'defocus_blur',
  'jpeg',
  'poisson_noise',
  'inpainting',
  'gaussian_noise',
  'salt_pepper',
] as const;

export type DegradationId = (typeof DEGRADATION_IDS)[number];

export function isDegradationId(value: string): value is DegradationId {
  return (DEGRADATION_IDS as readonly string[]).includes(value);
}
