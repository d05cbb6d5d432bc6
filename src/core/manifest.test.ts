import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUMMARY_FEATURES } from './jpeg-check';
import { ROUTER_CLASSES } from './router/classes';
import { PATCH_FEATURES_VERSION } from './router/patch-features';
import { PHOTO_CUES, PHOTO_CUES_VERSION } from './router/photo-cues';
import { TONE_GRID } from './router/tone-anomaly';
import { DEGRADATION_IDS, type DegradationId } from './degradations/ids.ts';
import { formatPath, ManifestError, parseManifest, type Manifest } from './manifest.ts';

const model = (file: string, width = 64, depth = 8) => ({ file, sizeBytes: 1_234_567, arch: 'srresnet-same-res', width, depth });

/** The paper's grouping at δ = 0.7 dB. */
const PAPER_GROUPS: DegradationId[][] = [
  ['gaussian_blur', 'motion_blur', 'rl'],
  ['sr', 'ringing', 'defocus_blur'],
  ['jpeg', 'poisson_noise', 'inpainting'],
  ['gaussian_noise', 'salt_pepper'],
];

const PARAMS: Record<DegradationId, Record<string, unknown>> = {
  gaussian_blur: { kernelSize: 15, sigma: { min: 2, max: 4 } },
  motion_blur: { radius: { min: 5, max: 20 }, sigma: { min: 3, max: 12 }, angle: { min: -90, max: 90 } },
  rl: { psf: 5, pad: 7 },
  sr: { scale: { min: 0.25, max: 1 }, filter: { choices: ['bilinear', 'bicubic', 'area'] } },
  ringing: { cutoff: 1.2, kernelSize: 15 },
  defocus_blur: { radius: { min: 2, max: 8 } },
  jpeg: { quality: { min: 10, max: 40 } },
  poisson_noise: { peak: 100 },
  inpainting: { lines: { min: 5, max: 10 }, thickness: { min: 5, max: 10 }, mode: { choices: ['white', 'black'] } },
  gaussian_noise: { sigma255: { min: 10, max: 50 } },
  salt_pepper: { amount: 0.05 },
};

/** A distance-like matrix: 0 on the diagonal, 2.2–4.4 elsewhere, deliberately asymmetric. */
function forwardMatrix(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : 2.2 + ((i * 7 + j * 3) % 23) / 10)));
}

/** A complete manifest as the CLI would write it for the full preset. */
function validManifest() {
  const order = [...DEGRADATION_IDS];
  const forward = forwardMatrix(order.length);
  const reverse = forward.map((row, i) => row.map((_, j) => forward[j][i]));
  const symmetric = forward.map((row, i) => row.map((v, j) => (v + reverse[i][j]) / 2));
  // structuredClone: tests mutate the result, so it must share nothing with the constants above.
  return structuredClone({
    version: 1,
    createdAt: '2025-03-14T09:26:53.589Z',
    preset: 'full',
    notes: 'test fixture',
    degradations: DEGRADATION_IDS.map((id) => ({ id, name: id.replace(/_/g, ' '), params: PARAMS[id] })),
    descriptor: {
      file: 'descriptor/srresnet_x4.onnx',
      arch: 'srresnet',
      scale: 4,
      layer: 'hidden_hr',
      input: { patchSize: 32, patchCount: 800, seed: 12345 },
      pca: { k: 300 },
      trimSigmas: 5,
      featureOutput: 'features',
    },
    references: DEGRADATION_IDS.map((id, i) => ({ id, ggd: { sigma: 0.5 + i / 10, beta: 0.4 + i / 5 } })),
    similarity: { order, forward, reverse, symmetric, used: 'symmetric' },
    groups: PAPER_GROUPS.map((members, g) => ({
      id: `g${g + 1}`,
      name: `group ${g + 1}`,
      members,
      model: model(`groups/g${g + 1}.onnx`),
    })),
    singleTask: { jpeg: model('single/jpeg.onnx'), salt_pepper: model('single/salt_pepper.onnx', 32, 4) },
    baseline: model('baseline/mix.onnx'),
    selection: { oodThreshold: 4.1, calibration: { slope: -1.8, intercept: 9.5, r: -0.82 } },
    integrity: Object.fromEntries(
      ['descriptor/srresnet_x4.onnx', ...PAPER_GROUPS.map((_, g) => `groups/g${g + 1}.onnx`), 'single/jpeg.onnx', 'single/salt_pepper.onnx', 'baseline/mix.onnx', 'router.onnx']
        .map((file, i) => [file, { sizeBytes: 1_234_567, sha256: (i + 1).toString(16).padStart(64, '0') }]),
    ),
    search: {
      delta: 0.7,
      partition: PAPER_GROUPS,
      verifications: [
        { group: ['gaussian_blur', 'motion_blur', 'rl', 'sr'], deltaP: 0.93, passed: false, order: 0, phase: 'size' },
        { group: ['gaussian_blur', 'motion_blur', 'rl'], deltaP: 0.41, passed: true, order: 1, phase: 'size' },
        { group: ['gaussian_noise', 'salt_pepper'], deltaP: 0.2, passed: true, order: 2 },
      ],
    },
    evaluation: {
      tables: {
        units: 'dB',
        description: 'PSNR on 256×256 centre crops of the validation photos',
        rows: [
          { degradation: 'jpeg', input: 27.1, singleTask: 28.4, baseline: 27.9, grids: 28.2 },
          { degradation: 'salt_pepper', input: 15.2, singleTask: 34.8, baseline: 24.6, grids: 33.9 },
          { degradation: 'sr', input: 24.0 },
        ],
      },
    },
  });
}

type Fixture = ReturnType<typeof validManifest>;

/** Asserts that parsing throws a ManifestError whose message names `path` (and optionally says `what`). */
function expectInvalid(mutate: (m: Fixture) => unknown, path: string, what?: RegExp): ManifestError {
  const manifest = validManifest();
  const result = mutate(manifest);
  const input = result === undefined ? manifest : result;
  let error: unknown;
  try {
    parseManifest(input);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ManifestError);
  const manifestError = error as ManifestError;
  expect(manifestError.message).toContain(`${path}: `);
  if (what) expect(manifestError.issues.find((i) => i.path === path)?.message).toMatch(what);
  return manifestError;
}

describe('parseManifest', () => {
  it('accepts a complete manifest with the paper’s 11 degradations and 4 groups', () => {
    const manifest: Manifest = parseManifest(validManifest());
    expect(manifest.degradations).toHaveLength(11);
    expect(manifest.groups.map((g) => g.members.length)).toEqual([3, 3, 3, 2]);
    expect(manifest.similarity.symmetric[3][7]).toBeCloseTo((manifest.similarity.forward[3][7] + manifest.similarity.forward[7][3]) / 2, 12);
    expect(manifest.selection.calibration?.slope).toBe(-1.8);
  });

  it('round-trips through JSON unchanged', () => {
    const original = parseManifest(validManifest());
    const again = parseManifest(JSON.parse(JSON.stringify(original)));
    expect(again).toEqual(original);
    expect(again).toEqual(validManifest());
  });

  it('accepts the minimal form: no optional sections, null calibration, fewer degradations', () => {
    const m = validManifest();
    const ids: DegradationId[] = ['gaussian_noise', 'jpeg'];
    const minimal = {
      version: 1,
      createdAt: '2025-01-01T00:00:00+01:00',
      preset: 'smoke',
      degradations: m.degradations.filter((d) => ids.includes(d.id)),
      descriptor: m.descriptor,
      references: m.references.filter((r) => ids.includes(r.id)),
      similarity: { order: ids, forward: [[0, 3], [3.5, 0]], reverse: [[0, 3.5], [3, 0]], symmetric: [[0, 3.25], [3.25, 0]], used: 'forward' },
      groups: [{ id: 'all', name: 'all', members: ids, model: model('g.onnx', 16, 2) }],
      selection: { oodThreshold: 4, calibration: null },
      integrity: { [m.descriptor.file]: m.integrity[m.descriptor.file], 'g.onnx': { sizeBytes: 10, sha256: 'a'.repeat(64) } },
    };
    expect(parseManifest(minimal).preset).toBe('smoke');
  });

  it('requires every named model file\'s size and SHA-256, as a digest', () => {
    expectInvalid((m) => {
      delete (m.integrity as Record<string, unknown>)['baseline/mix.onnx'];
    }, 'manifest.integrity', /no size and SHA-256 for the mix baseline model 'baseline\/mix.onnx'/);
    expectInvalid((m) => {
      m.integrity['groups/g1.onnx'].sha256 = 'ABC';
    }, 'manifest.integrity["groups/g1.onnx"].sha256', /64 lowercase hexadecimal digits/);
  });

  it('drops unknown keys so newer manifests stay readable', () => {
    const parsed = parseManifest({ ...validManifest(), futureField: { anything: true } });
    expect('futureField' in parsed).toBe(false);
  });

  describe('names the offending field', () => {
    it('missing field', () => {
      expectInvalid((m) => {
        delete (m as Partial<Fixture>).selection;
      }, 'manifest.selection', /expected object/);
      expectInvalid((m) => {
        delete (m.descriptor as Partial<Fixture['descriptor']>).featureOutput;
      }, 'manifest.descriptor.featureOutput', /expected string/);
    });

    it('wrong type', () => {
      expectInvalid((m) => {
        (m.groups[2].model as { file: unknown }).file = 42;
      }, 'manifest.groups[2].model.file', /expected string/);
      expectInvalid((m) => {
        (m.groups[2] as { model: unknown }).model = 'g3.onnx';
      }, 'manifest.groups[2].model', /expected object/);
      expectInvalid((m) => ({ ...m, version: '1' }), 'manifest.version');
      expectInvalid((m) => ({ ...m, createdAt: 'yesterday' }), 'manifest.createdAt');
      expectInvalid((m) => {
        m.descriptor.scale = 3;
      }, 'manifest.descriptor.scale');
      expectInvalid((m) => {
        (m.selection.calibration as { r: number }).r = 1.5;
      }, 'manifest.selection.calibration.r');
      expect(() => parseManifest(null)).toThrow(/^invalid models manifest: manifest: /);
    });

    it('another version: one issue that says which version and what to do, whatever else differs', () => {
      const newer = expectInvalid((m) => ({ ...m, version: 2, groups: 'renamed in version 2' }), 'manifest.version', /built for manifest version 2.*reads version 1: update GRIDS to use them/);
      expect(newer.issues).toHaveLength(1);
      expectInvalid((m) => ({ ...m, version: 0 }), 'manifest.version', /rebuild them with this version's `grids zoo`/);
    });

    it('bad parameter ranges', () => {
      expectInvalid((m) => {
        m.degradations[6].params = { quality: { min: 40, max: 10 } };
      }, 'manifest.degradations[6].params.quality.max', /min must not exceed max/);
      expectInvalid((m) => {
        m.degradations[3].params = { filter: { choices: 'bicubic' } };
      }, 'manifest.degradations[3].params.filter', /\{ min, max \} or \{ choices/);
    });

    it('non-square or wrongly sized similarity matrices', () => {
      expectInvalid((m) => {
        m.similarity.forward[4] = m.similarity.forward[4].slice(1);
      }, 'manifest.similarity.forward[4]', /expected 11 columns .* got 10/);
      expectInvalid((m) => {
        m.similarity.reverse.pop();
      }, 'manifest.similarity.reverse', /expected 11 rows/);
      expectInvalid((m) => {
        m.similarity.symmetric[1][2] += 0.5;
      }, 'manifest.similarity.symmetric[1][2]');
      expectInvalid((m) => {
        m.similarity.order = m.similarity.order.slice(0, 10);
      }, 'manifest.similarity.order', /'salt_pepper' is missing/);
    });

    it('a degradation in two groups', () => {
      expectInvalid((m) => {
        m.groups[3].members.push('jpeg');
      }, 'manifest.groups[3].members[2]', /'jpeg' is already in group 2/);
    });

    it('a degradation in no group', () => {
      expectInvalid((m) => {
        m.groups[1].members = ['sr', 'ringing'];
      }, 'manifest.groups', /'defocus_blur' is in no group/);
      expectInvalid((m) => {
        m.search.partition = m.search.partition.slice(0, 3);
      }, 'manifest.search.partition', /'gaussian_noise' is in no group/);
    });

    it('unknown member ids', () => {
      expectInvalid((m) => {
        (m.groups[0].members as string[])[1] = 'haze';
      }, 'manifest.groups[0].members[1]', /Invalid option/);
      // A real id that this manifest does not list (a smoke build with fewer degradations).
      const error = expectInvalid((m) => {
        m.degradations = m.degradations.filter((d) => d.id !== 'rl');
        m.references = m.references.filter((r) => r.id !== 'rl');
      }, 'manifest.groups[0].members[2]', /'rl' is not in manifest.degradations/);
      expect(error.message).toContain('manifest.similarity.order[2]');
      expectInvalid((m) => {
        m.groups[0].members = [];
      }, 'manifest.groups[0].members');
    });

    it('GGD parameters out of range', () => {
      expectInvalid((m) => {
        m.references[5].ggd.beta = 12;
      }, 'manifest.references[5].ggd.beta', /<=10/);
      expectInvalid((m) => {
        m.references[0].ggd.beta = 0.1;
      }, 'manifest.references[0].ggd.beta');
      expectInvalid((m) => {
        m.references[2].ggd.sigma = 0;
      }, 'manifest.references[2].ggd.sigma');
    });

    it('references that are missing or repeated', () => {
      expectInvalid((m) => {
        m.references.pop();
      }, 'manifest.references', /no reference GGD for 'salt_pepper'/);
      expectInvalid((m) => {
        m.references[1].id = 'gaussian_blur';
      }, 'manifest.references[1].id', /duplicate 'gaussian_blur'/);
    });

    it('model files outside the models folder or not ONNX', () => {
      expectInvalid((m) => {
        m.baseline.file = '../secret.onnx';
      }, 'manifest.baseline.file', /\.\./);
      expectInvalid((m) => {
        m.descriptor.file = '/models/d.onnx';
      }, 'manifest.descriptor.file', /relative/);
      expectInvalid((m) => {
        m.singleTask.jpeg.file = 'single/jpeg.pt';
      }, 'manifest.singleTask.jpeg.file', /\.onnx/);
    });

    it('an automatic-choice policy that does not match the groups or has no baseline to fall back on', () => {
      const policy = (m: Fixture) => Object.fromEntries(m.groups.map((g) => [g.id, { routed: 2, groupGain: 1, baselineGain: 2, use: 'baseline' as const }]));
      const withPolicy = validManifest() as Fixture & { selection: { autoChoice?: unknown } };
      withPolicy.selection.autoChoice = { description: 'held-out crops', groups: policy(withPolicy) };
      expect(parseManifest(withPolicy).selection.autoChoice?.groups.g1.use).toBe('baseline');
      const mismatch = expectInvalid((m) => {
        const groups = policy(m);
        delete groups.g2;
        groups.g9 = groups.g1;
        Object.assign(m.selection, { autoChoice: { description: '', groups } });
      }, 'manifest.selection.autoChoice.groups.g9', /not one of manifest.groups/);
      expect(mismatch.issues.map((i) => i.message)).toContain("no decision for group 'g2'");
      expectInvalid((m) => {
        Object.assign(m.selection, { autoChoice: { description: '', groups: policy(m) } });
        delete (m as { baseline?: unknown }).baseline;
      }, 'manifest.selection.autoChoice', /no baseline/);
    });

    it('a JPEG check whose parts disagree in length, or with no group holding JPEG', () => {
      const check = { features: SUMMARY_FEATURES, mean: [0, 1], scale: [1, 2], weights: [0.5, -0.5], bias: 0.1, threshold: 0.5, description: 'test' };
      const withCheck = validManifest() as Fixture & { selection: { jpegCheck?: unknown } };
      withCheck.selection.jpegCheck = check;
      expect(parseManifest(withCheck).selection.jpegCheck?.weights).toEqual([0.5, -0.5]);
      expectInvalid((m) => {
        Object.assign(m.selection, { jpegCheck: { ...check, weights: [1] } });
      }, 'manifest.selection.jpegCheck', /one value per summary entry/);
      expectInvalid((m) => {
        Object.assign(m.selection, { jpegCheck: { ...check, features: 'another-summary' } });
      }, 'manifest.selection.jpegCheck.features');
      expectInvalid((m) => {
        const noJpeg = m.degradations.map((d) => d.id).filter((id) => id !== 'jpeg');
        m.degradations = m.degradations.filter((d) => d.id !== 'jpeg');
        m.references = m.references.filter((r) => r.id !== 'jpeg');
        const keep = m.similarity.order.map((id, i) => (id === 'jpeg' ? -1 : i)).filter((i) => i >= 0);
        for (const key of ['forward', 'reverse', 'symmetric'] as const) m.similarity[key] = keep.map((i) => keep.map((j) => m.similarity[key][i][j]));
        m.similarity.order = noJpeg;
        m.groups = m.groups.map((g) => ({ ...g, members: g.members.filter((id) => id !== 'jpeg') })).filter((g) => g.members.length > 0);
        delete (m as { search?: unknown }).search;
        delete (m as { singleTask?: unknown }).singleTask;
        delete (m as { evaluation?: unknown }).evaluation;
        Object.assign(m.selection, { jpegCheck: check });
      }, 'manifest.selection.jpegCheck', /no group holds JPEG/);
    });

    it('a router whose classes are not the 12, or whose gain table misses a model or names an unknown one', () => {
      const row = Object.fromEntries([...DEGRADATION_IDS, 'clean'].map((c) => [c, 0]));
      const router = (m: Fixture) => ({
        file: 'router.onnx', features: PATCH_FEATURES_VERSION, classes: [...ROUTER_CLASSES], temperature: 1.2, noDamageThreshold: 0.5,
        gain: Object.fromEntries(['baseline', ...m.groups.map((g) => g.id)].map((id) => [id, row])),
        ood: { energyWeight: 1, distanceWeight: 2, toneWeight: 3, bias: -3, threshold: 0.8, tone: { cues: PHOTO_CUES_VERSION, quantiles: { clean: PHOTO_CUES.map(() => [...TONE_GRID]) } }, description: 'test' },
        description: 'test',
      });
      const ok = validManifest() as Fixture & { router?: unknown };
      ok.router = router(ok);
      expect(parseManifest(ok).router?.temperature).toBe(1.2);
      expectInvalid((m) => {
        Object.assign(m, { router: { ...router(m), classes: [...ROUTER_CLASSES].reverse() } });
      }, 'manifest.router.classes');
      expectInvalid((m) => {
        const r = router(m);
        delete r.gain.g2;
        Object.assign(m, { router: r });
      }, 'manifest.router.gain', /no gain row for 'g2'/);
      expectInvalid((m) => {
        const r = router(m);
        r.gain.g9 = row;
        Object.assign(m, { router: r });
      }, 'manifest.router.gain.g9', /neither 'baseline' nor one of manifest.groups/);
      expectInvalid((m) => {
        Object.assign(m, { router: { ...router(m), features: 'patch-cues-v0' } });
      }, 'manifest.router.features');
      // The OOD model's tone quantiles: of the cues this build computes, one row per cue, never decreasing.
      const withTone = (m: Fixture, tone: unknown) => Object.assign(m, { router: { ...router(m), ood: { ...router(m).ood, tone } } });
      expectInvalid((m) => withTone(m, { cues: 'photo-cues-v0', quantiles: { clean: PHOTO_CUES.map(() => [...TONE_GRID]) } }), 'manifest.router.ood.tone.cues');
      expectInvalid((m) => withTone(m, { cues: PHOTO_CUES_VERSION, quantiles: { clean: [[...TONE_GRID]] } }), 'manifest.router.ood.tone.quantiles.clean');
      expectInvalid((m) => withTone(m, { cues: PHOTO_CUES_VERSION, quantiles: { clean: PHOTO_CUES.map(() => [...TONE_GRID].reverse()) } }), 'manifest.router.ood.tone.quantiles.clean[0]', /must not decrease/);
      expectInvalid((m) => withTone(m, { cues: PHOTO_CUES_VERSION, quantiles: {} }), 'manifest.router.ood.tone', /quantiles of clean photos/);
      expectInvalid((m) => withTone(m, { cues: PHOTO_CUES_VERSION, quantiles: { sr: PHOTO_CUES.map(() => [...TONE_GRID]) } }), 'manifest.router.ood.tone', /quantiles of clean photos/);
      // An OOD model fitted before the routed and clean tone inputs existed reads them with weight 0.
      expect(parseManifest(ok).router?.ood).toMatchObject({ toneWeight: 3, routedToneWeight: 0, cleanToneWeight: 0 });
      const withWeights = { ...ok, router: { ...router(ok), ood: { ...router(ok).ood, routedToneWeight: 1.5, cleanToneWeight: -0.5 } } };
      expect(parseManifest(withWeights).router?.ood).toMatchObject({ routedToneWeight: 1.5, cleanToneWeight: -0.5 });
      expectInvalid((m) => Object.assign(m, { router: { ...router(m), ood: { ...router(m).ood, cleanToneWeight: 'high' } } }), 'manifest.router.ood.cleanToneWeight');
      // The router rule's descriptor patches: at least the PCA's components (300 here), at most the planned 800.
      ok.router = { ...router(ok), descriptorPatches: 400 };
      expect(parseManifest(ok).router?.descriptorPatches).toBe(400);
      for (const patches of [801, 299]) {
        expectInvalid((m) => Object.assign(m, { router: { ...router(m), descriptorPatches: patches } }), 'manifest.router.descriptorPatches', /between the PCA's 300 components and the descriptor's 800 planned patches/);
      }
    });

    it('lists every problem at once', () => {
      const error = expectInvalid((m) => {
        (m.groups[1] as { name: unknown }).name = 5;
        m.references[0].ggd.sigma = -1;
      }, 'manifest.groups[1].name');
      expect(error.issues.map((i) => i.path)).toContain('manifest.references[0].ggd.sigma');
    });
  });
});

describe('formatPath', () => {
  it('writes indices in brackets and odd keys quoted', () => {
    expect(formatPath([])).toBe('manifest');
    expect(formatPath(['groups', 2, 'model'])).toBe('manifest.groups[2].model');
    expect(formatPath(['degradations', 0, 'params', 'kernel size'])).toBe('manifest.degradations[0].params["kernel size"]');
  });
});

describe('parseManifest under fuzzing (fast-check, 10 000 inputs each)', () => {
  /** Parsing either succeeds or throws a ManifestError: never a TypeError from a refinement that met an unexpected shape. */
  function parsesOrRefuses(input: unknown): void {
    try {
      parseManifest(input);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
    }
  }

  it('any JSON value is refused with a ManifestError', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(() => parseManifest(value)).toThrow(ManifestError);
    }), { numRuns: 10_000 });
  });

  it('a valid manifest with fields replaced by any JSON or deleted, at any depth', () => {
    const base = validManifest();
    // A path is a list of picks: at each level, the pick modulo the number of keys (or items) chooses where to go on.
    const edit = fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), value: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const m = structuredClone(base) as Record<string, unknown>;
        for (const { path, value } of edits) {
          let node: Record<string, unknown> = m;
          for (const [depth, pick] of path.entries()) {
            const keys = Object.keys(node);
            if (!keys.length) break;
            const key = keys[pick % keys.length];
            const child = node[key];
            if (depth === path.length - 1 || child === null || typeof child !== 'object') {
              if (value === undefined) delete node[key];
              else node[key] = value;
              break;
            }
            node = child as Record<string, unknown>;
          }
        }
        parsesOrRefuses(m);
      }),
      { numRuns: 10_000 },
    );
  });
});
