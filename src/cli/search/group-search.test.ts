import { resolve } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { toTrainOptions, trainOptionsCommand, type TrainCliOptions } from '../commands/train';
import { trainArgsFor, type Recipe } from './group-search';

/** Parses `grids train` arguments the way the CLI does. */
function parseTrainArgs(args: string[]) {
  const command = trainOptionsCommand(new Command('train').exitOverride());
  command.parse(args.slice(1), { from: 'user' });
  return toTrainOptions(command.opts() as TrainCliOptions);
}

describe('trainArgsFor', () => {
  it('round-trips a recipe through the `grids train` command line', () => {
    const recipe: Recipe = {
      arch: 'srresnet', archOptions: { width: 32, depth: 4, activation: 'relu' }, imagesDir: 'photos/train',
      steps: 500, batch: 16, patch: 48, lr: 2e-4, minLr: 1e-6, warmup: 10, optimizer: 'adamw', weightDecay: 0.01, seed: 3,
      init: 'runs/baseline/model.ckpt', checkpointEvery: 50, backend: 'wasm', logEvery: 10, imageLimit: 7,
    };
    const args = trainArgsFor(recipe, ['jpeg', 'poisson_noise'], 'runs/search/jpeg+poisson_noise');
    expect(args[0]).toBe('train');
    const parsed = parseTrainArgs(args);
    expect(parsed).toEqual({
      ...recipe,
      archOptions: { ...recipe.archOptions, scale: undefined },
      imagesDir: resolve('photos/train'),
      init: resolve('runs/baseline/model.ckpt'),
      tasks: ['jpeg', 'poisson_noise'],
      outDir: resolve('runs/search/jpeg+poisson_noise'),
      resume: true,
    });
  });

  it('leaves out what the recipe does not set, so the CLI defaults apply', () => {
    const recipe: Recipe = {
      arch: 'srresnet', archOptions: { width: 8, depth: 1 }, imagesDir: '/data', steps: 20, batch: 2, patch: 16, lr: 1e-3, minLr: 0,
      warmup: 0, optimizer: 'adam', weightDecay: 0, seed: 0, checkpointEvery: 5, backend: 'cpu', logEvery: 1,
    };
    const args = trainArgsFor(recipe, ['jpeg'], '/out');
    expect(args).not.toContain('--init');
    expect(args).not.toContain('--image-limit');
    expect(args).not.toContain('--activation');
    const parsed = parseTrainArgs(args);
    expect(parsed.init).toBeUndefined();
    expect(parsed.steps).toBe(20);
  });
});
