import { describe, expect, it } from 'vitest';
import { manifestUrlFor, modelUrl } from './model-files';

describe('model files', () => {
  it('resolves model files against the manifest URL and the base path', () => {
    expect(manifestUrlFor('/', 'https://x.org')).toBe('https://x.org/models/manifest.json');
    expect(manifestUrlFor('/grids/', 'https://x.org')).toBe('https://x.org/grids/models/manifest.json');
    expect(modelUrl('groups/g1.onnx', 'https://x.org/grids/models/manifest.json')).toBe('https://x.org/grids/models/groups/g1.onnx');
  });
});
