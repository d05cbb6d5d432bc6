/**
 * A valid manifest for tests (unit and e2e) while, or where, no real zoo is installed: the paper's
 * 11 degradations in 5 groups, a deterministic similarity matrix, and model files that do not exist.
 * Never imported by the app itself.
 */
import { DEGRADATION_IDS, type DegradationId } from '../../core/degradations/ids';
import { DEGRADATION_TABLE } from '../../core/degradations/table';
import { parseManifest, type Manifest } from '../../core/manifest';

const GROUPS: DegradationId[][] = [
  ['gaussian_blur', 'motion_blur', 'defocus_blur'],
  ['rl', 'sr', 'ringing'],
  ['jpeg', 'inpainting'],
  ['poisson_noise', 'gaussian_noise'],
  ['salt_pepper'],
];

function model(file: string) {
  return { file, sizeBytes: 1000, arch: 'srresnet', width: 16, depth: 2 };
}

/** Sizes and digests for files that do not exist: the schema needs them, and nothing here loads the files. */
export function fixtureIntegrity(files: readonly string[]): Record<string, { sizeBytes: number; sha256: string }> {
  return Object.fromEntries(files.map((file, i) => [file, { sizeBytes: 1000, sha256: i.toString(16).padStart(64, '0') }]));
}

export function fixtureManifest(): Manifest {
  const order = [...DEGRADATION_IDS];
  const n = order.length;
  const forward = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : 1.5 + ((i * 7 + j * 3) % 23) / 8)));
  const reverse = forward.map((row, i) => row.map((_, j) => forward[j][i]));
  const symmetric = forward.map((row, i) => row.map((v, j) => (v + reverse[i][j]) / 2));
  return parseManifest({
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    preset: 'fixture',
    notes: 'test fixture: the model files do not exist',
    degradations: order.map((id) => ({ id, name: DEGRADATION_TABLE[id].name, params: {} })),
    descriptor: {
      file: 'descriptor.onnx',
      arch: 'srresnet-sr',
      scale: 4,
      layer: 'hidden_hr',
      input: { patchSize: 32, patchCount: 64, seed: 1 },
      pca: { k: 16 },
      trimSigmas: 5,
      featureOutput: 'hidden_hr',
    },
    references: order.map((id, i) => ({ id, ggd: { sigma: 0.5 + i / 10, beta: 0.5 + i / 5 } })),
    similarity: { order, forward, reverse, symmetric, used: 'symmetric' },
    groups: GROUPS.map((members, g) => ({
      id: `group-${g + 1}`,
      name: members.map((m) => DEGRADATION_TABLE[m].name).join(' + '),
      members,
      model: model(`group-${g + 1}.onnx`),
    })),
    baseline: model('baseline.onnx'),
    selection: { oodThreshold: 4.2, calibration: { slope: -1.5, intercept: 6, r: -0.7 } },
    integrity: fixtureIntegrity(['descriptor.onnx', ...GROUPS.map((_, g) => `group-${g + 1}.onnx`), 'baseline.onnx']),
    evaluation: {
      tables: {
        units: 'dB',
        rows: order.map((degradation, i) => ({ degradation, input: 24 + i / 4, singleTask: 28 + i / 3, baseline: 27 + i / 3, grids: 27.8 + i / 3 })),
      },
    },
  });
}
