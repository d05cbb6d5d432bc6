import { describe, expect, it } from 'vitest';
import { routerManifest } from '../testing/analysis-fixture';
import { fixtureManifest } from '../testing/fixture-manifest';
import { manifestUrlFor, modelFilesOf, modelUrl } from './model-files';

describe('model files', () => {
  it('lists the descriptor, every group model and the baseline, once each', () => {
    const manifest = fixtureManifest();
    manifest.groups[1].model.file = manifest.groups[0].model.file; // shared file
    const files = modelFilesOf(manifest);
    expect(files.map((f) => f.file)).toEqual(['descriptor.onnx', ...new Set(manifest.groups.map((g) => g.model.file)), 'baseline.onnx']);
    expect(files[0].role).toBe('descriptor');
    expect(files.at(-1)!.role).toBe('mix baseline');
  });

  it('lists the router right after the descriptor when the manifest ships one', () => {
    const files = modelFilesOf(routerManifest());
    expect(files.slice(0, 2).map((f) => [f.file, f.role])).toEqual([['descriptor.onnx', 'descriptor'], ['router.onnx', 'degradation router']]);
  });

  it('resolves model files against the manifest URL and the base path', () => {
    expect(manifestUrlFor('/', 'https://x.org')).toBe('https://x.org/models/manifest.json');
    expect(manifestUrlFor('/grids/', 'https://x.org')).toBe('https://x.org/grids/models/manifest.json');
    expect(modelUrl('groups/g1.onnx', 'https://x.org/grids/models/manifest.json')).toBe('https://x.org/grids/models/groups/g1.onnx');
  });
});
