/** Linear warm-up from 0 to `lr`, then cosine decay to `minLr` at the last step. `step` counts from 0. */
export function learningRate(step: number, { lr, steps, warmup, minLr }: { lr: number; steps: number; warmup: number; minLr: number }): number {
  if (warmup > 0 && step < warmup) return (lr * (step + 1)) / warmup;
  const span = Math.max(1, steps - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
