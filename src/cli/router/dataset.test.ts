import { describe, expect, it } from 'vitest';
import { generateTestScene } from '../../core/degradations/index';
import { createRng } from '../../core/random';
import { PATCH_COUNT, PATCH_FEATURE_COUNT } from '../../core/router/patch-features';
import { damage, monochrome, photoSamples, trainingView, VIEW_RANGES } from './dataset';

const scene = generateTestScene({ width: 400, height: 300, seed: 4 });

describe('router training samples', () => {
  it('a view is a crop within the table\'s sizes, never larger than the photo', () => {
    const rng = createRng(1);
    for (let i = 0; i < 20; i++) {
      const view = trainingView(scene, rng);
      expect(view.width).toBeLessThanOrEqual(Math.min(scene.width, VIEW_RANGES.crop[1]));
      expect(view.height).toBeLessThanOrEqual(Math.min(scene.height, VIEW_RANGES.crop[1]));
      expect(Math.min(view.width, view.height)).toBeGreaterThanOrEqual(Math.min(VIEW_RANGES.crop[0], 150));
    }
  });

  it('a neutral monochrome print has equal channels; a sepia one is warmer (R ≥ G ≥ B)', () => {
    const grey = monochrome(scene, 0), sepia = monochrome(scene, 1);
    for (let i = 0; i < grey.data.length; i += 3) {
      expect(grey.data[i]).toBe(grey.data[i + 1]);
      expect(grey.data[i + 1]).toBe(grey.data[i + 2]);
      expect(sepia.data[i]).toBeGreaterThanOrEqual(sepia.data[i + 1]);
      expect(sepia.data[i + 1]).toBeGreaterThanOrEqual(sepia.data[i + 2]);
    }
  });

  it('clean leaves the view as it is; a degradation and an OOD kind change it', () => {
    const view = trainingView(scene, createRng(2));
    expect(damage(view, 'clean', createRng(3))).toBe(view);
    expect(damage(view, 'jpeg', createRng(3)).data).not.toEqual(view.data);
    expect(damage(view, 'ood:haze', createRng(3)).data).not.toEqual(view.data);
  });

  it('one photo\'s samples: draws × labels rows of patch features, the same for the same seed', () => {
    const a = photoSamples(scene, ['clean', 'gaussian_noise'], 2, 5);
    expect(a.labels).toEqual(['clean', 'gaussian_noise', 'clean', 'gaussian_noise']);
    expect(a.features).toHaveLength(4 * PATCH_COUNT * PATCH_FEATURE_COUNT);
    expect(photoSamples(scene, ['clean', 'gaussian_noise'], 2, 5).features).toEqual(a.features);
  });
});
