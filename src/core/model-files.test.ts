import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Manifest } from './manifest';
import { integrityProblem, modelFileOf, modelFilesOf, modelFor, namedModelFiles } from './model-files';

const model = (file: string) => ({ file, sizeBytes: 3, arch: 'srresnet', width: 8, depth: 2 });
const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The model-naming parts of a manifest: a router, two groups sharing a file, a baseline and one single-task model. */
function manifest(): Manifest {
  const files = ['d.onnx', 'r.onnx', 'g.onnx', 'b.onnx', 's.onnx'];
  return {
    descriptor: { file: 'd.onnx' },
    router: { file: 'r.onnx' },
    groups: [{ id: 'g1', name: 'Blur', model: model('g.onnx') }, { id: 'g2', name: 'Noise', model: model('g.onnx') }],
    baseline: model('b.onnx'),
    singleTask: { jpeg: model('s.onnx') },
    integrity: Object.fromEntries(files.map((f) => [f, { sizeBytes: 3, sha256: digest(new TextEncoder().encode(f.slice(0, 3))) }])),
  } as unknown as Manifest;
}

describe('model files', () => {
  it('names every file once: descriptor, router, groups, baseline, single-task models', () => {
    expect(namedModelFiles(manifest()).map((f) => [f.file, f.role])).toEqual([
      ['d.onnx', 'descriptor'], ['r.onnx', 'degradation router'], ['g.onnx', 'group Blur'], ['b.onnx', 'mix baseline'], ['s.onnx', 'single-task jpeg'],
    ]);
  });

  it('what the app downloads leaves the single-task models out, and carries each file\'s size and digest', () => {
    const files = modelFilesOf(manifest());
    expect(files.map((f) => f.file)).toEqual(['d.onnx', 'r.onnx', 'g.onnx', 'b.onnx']);
    expect(files[1]).toEqual({ file: 'r.onnx', role: 'degradation router', ...manifest().integrity['r.onnx'] });
    expect(modelFileOf(manifest(), 's.onnx').role).toBe('single-task jpeg');
    expect(() => modelFileOf(manifest(), 'x.onnx')).toThrow(/names no model file 'x.onnx'/);
  });

  it('accepts the very bytes the manifest describes; names the file when the size or the SHA-256 differ', () => {
    const file = modelFileOf(manifest(), 'g.onnx');
    const right = new TextEncoder().encode('g.o');
    expect(integrityProblem(file, right.byteLength, digest(right))).toBeNull();
    const flipped = right.slice();
    flipped[1] ^= 1;
    expect(integrityProblem(file, flipped.byteLength, digest(flipped))).toBe('The group Blur model (g.onnx) is damaged: its SHA-256 does not match the manifest\'s. Reinstall or rebuild the models.');
    expect(integrityProblem(file, 2, digest(right.subarray(0, 2)))).toMatch(/^The group Blur model \(g\.onnx\) has 2 bytes but the manifest says 3/);
  });

  it('finds the model a choice restores with, with messages for what is missing', () => {
    const m = manifest();
    expect(modelFor(m, { kind: 'group', id: 'g2' }).file).toBe('g.onnx');
    expect(modelFor(m, { kind: 'baseline' }).file).toBe('b.onnx');
    expect(() => modelFor(m, { kind: 'group', id: 'g9' })).toThrow('unknown model group "g9"; the models have: g1, g2');
    expect(() => modelFor({ ...m, baseline: undefined }, { kind: 'baseline' })).toThrow(/no baseline/);
  });
});
