/**
 * Schema of public/models/manifest.json: the CLI writes it after building the descriptor, the
 * references, the similarity matrix, the grouping and the models; the app reads it to know which
 * model serves which degradation. Both sides validate with this one schema, so a manifest the app
 * accepts is one the CLI could have written.
 *
 * Unknown keys are dropped rather than rejected, so an older app can read a newer CLI's manifest.
 */
import { z } from 'zod';
import { DEGRADATION_IDS, type DegradationId } from './degradations/ids.ts';
import { SUMMARY_FEATURES } from './jpeg-check.ts';
import { ROUTER_CLASSES } from './router/classes.ts';
import { PATCH_FEATURES_VERSION } from './router/patch-features.ts';
import { PHOTO_CUE_COUNT, PHOTO_CUES_VERSION } from './router/photo-cues.ts';
import { TONE_GRID } from './router/tone-anomaly.ts';
import { namedModelFiles } from './model-files.ts';

export const degradationIdSchema = z.enum(DEGRADATION_IDS);

/** A path below public/models/, so the app can resolve it against the manifest's own URL. */
const onnxPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !/^[a-z][a-z0-9+.-]*:/i.test(p), {
    message: 'expected a relative path with forward slashes (no leading "/", no scheme)',
  })
  .refine((p) => !p.split('/').includes('..'), { message: 'must not leave the models folder ("..")' })
  .refine((p) => p.toLowerCase().endsWith('.onnx'), { message: 'expected an .onnx file' });

const positiveInt = z.number().int().positive();
const nonEmptyString = z.string().min(1);

/** One degradation parameter: a fixed value, a numeric range to sample from, or named choices. */
export const paramRangeSchema = z.union(
  [
    z.number(),
    z.object({ min: z.number(), max: z.number() }).refine((r) => r.min <= r.max, {
      message: 'min must not exceed max',
      path: ['max'],
    }),
    z.object({ choices: z.array(z.string()).min(1) }),
  ],
  { error: 'expected a number, { min, max } or { choices: string[] }' },
);

export const degradationSpecSchema = z.object({
  id: degradationIdSchema,
  name: nonEmptyString,
  params: z.record(z.string(), paramRangeSchema),
});

export const descriptorSchema = z
  .object({
    /** The SR network whose features describe degradations (SRGA: SRResNet trained for bicubic SR). */
    file: onnxPath,
    arch: nonEmptyString,
    scale: z.literal([1, 2, 4]),
    /** Which feature map: 'hidden_hr' (SRGA, after the last HR conv) or 'last_block' (DDR), or another. */
    layer: nonEmptyString,
    input: z.object({
      /** Side of the low-resolution patches fed to the descriptor, in pixels. */
      patchSize: positiveInt,
      patchCount: positiveInt,
      seed: z.number().int().nonnegative(),
    }),
    pca: z.object({ k: positiveInt }),
    /** Pooled PCA scores beyond mean ± trimSigmas·std are dropped before the GGD fit. */
    trimSigmas: z.number().positive(),
    /** Name of the ONNX output that carries the feature map. */
    featureOutput: nonEmptyString,
  })
  .refine((d) => d.pca.k <= d.input.patchCount, {
    message: 'PCA cannot have more components than there are patches',
    path: ['pca', 'k'],
  });

/** Range of β in the moment-matching lookup grid (method notes §2.4). */
export const GGD_BETA_MIN = 0.2;
export const GGD_BETA_MAX = 10;

export const ggdSchema = z.object({
  sigma: z.number().positive(),
  beta: z.number().min(GGD_BETA_MIN).max(GGD_BETA_MAX),
});

export const referenceSchema = z.object({ id: degradationIdSchema, ggd: ggdSchema });

const matrixSchema = z.array(z.array(z.number()));

/**
 * Degradation distances (SRGA index of the KL divergence) in the order of `order`:
 * forward[i][j] from KL(i ‖ j), reverse[i][j] from KL(j ‖ i), symmetric their combination.
 * `used` says which one the grouping search ranked candidates with.
 */
export const similaritySchema = z
  .object({
    order: z.array(degradationIdSchema).min(1),
    forward: matrixSchema,
    reverse: matrixSchema,
    symmetric: matrixSchema,
    used: z.enum(['symmetric', 'forward']),
  })
  .superRefine((s, ctx) => {
    const n = s.order.length;
    reportDuplicates(s.order, ['order'], ctx);
    for (const name of ['forward', 'reverse', 'symmetric'] as const) {
      const matrix = s[name];
      if (matrix.length !== n) {
        ctx.addIssue({ code: 'custom', path: [name], message: `expected ${n} rows (one per id in order), got ${matrix.length}` });
        continue;
      }
      matrix.forEach((row, i) => {
        if (row.length !== n) {
          ctx.addIssue({ code: 'custom', path: [name, i], message: `expected ${n} columns (a square ${n}×${n} matrix), got ${row.length}` });
        }
      });
    }
    const sym = s.symmetric;
    if (sym.length === n && sym.every((row) => row.length === n)) {
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (Math.abs(sym[i][j] - sym[j][i]) > 1e-9 * Math.max(1, Math.abs(sym[i][j]))) {
            ctx.addIssue({ code: 'custom', path: ['symmetric', i, j], message: `is ${sym[i][j]} but [${j}][${i}] is ${sym[j][i]}` });
          }
        }
      }
    }
  });

export const modelInfoSchema = z.object({
  file: onnxPath,
  sizeBytes: z.number().int().nonnegative(),
  arch: nonEmptyString,
  /** Feature channels. */
  width: positiveInt,
  /** Residual blocks. */
  depth: positiveInt,
});

export const groupSchema = z.object({
  id: nonEmptyString,
  name: nonEmptyString,
  members: z.array(degradationIdSchema).min(1),
  model: modelInfoSchema,
});

const groupTrustSchema = z.object({
  routed: z.number().int().nonnegative(),
  groupGain: z.number().nullable(),
  baselineGain: z.number().nullable(),
  use: z.enum(['group', 'baseline']),
});

export const selectionSchema = z.object({
  /** Distances from the chosen group above this mean "out of distribution". */
  oodThreshold: z.number(),
  /** Linear fit predicting PSNR gain from distance (the paper's "prediction without inference"); null until calibrated. */
  calibration: z.object({
    slope: z.number(),
    intercept: z.number(),
    /** Pearson r between predicted and actual gain on the calibration photos. */
    r: z.number().min(-1).max(1).optional(),
    /** expectedGain[groupId][degradationId]: the group model's mean gain on that degradation (see core/selection predictGain). */
    expectedGain: z.record(nonEmptyString, z.record(degradationIdSchema, z.number())).optional(),
    /** The mix baseline's mean gain per degradation, on the same photos as expectedGain (predicts the gain when the baseline restores). */
    baselineExpectedGain: z.record(degradationIdSchema, z.number()).optional(),
  }).nullable(),
  /**
   * The safe automatic choice (core/auto-choice.ts): per group, what held-out crops routed to it showed,
   * and whether the app restores with the group or with the mix baseline. Absent: always the group.
   */
  autoChoice: z.object({
    /** Free text: the photos, crops and rule behind the decisions. */
    description: z.string(),
    /** Per group, the crops the distances routed to it. */
    groups: z.record(nonEmptyString, groupTrustSchema),
    /** The crops the JPEG check sent to the JPEG group (absent without a check). */
    jpegCheck: groupTrustSchema.optional(),
  }).optional(),
  /**
   * The JPEG check (core/jpeg-check.ts): a logistic model over the descriptor's per-channel summary
   * that sends a photo to the group holding JPEG. Absent: selection is the paper's distance rule alone.
   */
  jpegCheck: z.object({
    features: z.literal(SUMMARY_FEATURES),
    mean: z.array(z.number()).min(1),
    scale: z.array(z.number().positive()).min(1),
    weights: z.array(z.number()).min(1),
    bias: z.number(),
    threshold: z.number().gt(0).lt(1),
    /** Free text: the photos and degradations it was trained on. */
    description: z.string(),
  }).refine((c) => c.mean.length === c.weights.length && c.scale.length === c.weights.length, {
    message: 'mean, scale and weights need one value per summary entry',
  }).optional(),
});

const routerClassSchema = z.enum(ROUTER_CLASSES as [string, ...string[]]);

/**
 * The learned router (core/router, core/routing.ts): the network, how its output is read, and the
 * held-out measurements its decisions rest on. Absent: the KL rule is the only rule.
 */
const isNonDecreasing = (values: readonly number[]) => values.every((v, i) => i === 0 || v >= values[i - 1]);

export const routerSchema = z.object({
  file: onnxPath,
  /** The patch features the network reads (core/router/patch-features.ts); another definition is refused. */
  features: z.literal(PATCH_FEATURES_VERSION),
  /** The network's output order; must be ROUTER_CLASSES. */
  classes: z.array(routerClassSchema),
  /** Softmax temperature fitted on held-out training crops. */
  temperature: z.number().positive(),
  /**
   * The share of undamaged photos the decision assumes before looking (core/router/router.ts
   * withCleanPrior): the network's probabilities hold for every class equally often, and are
   * moved to this prior before anything is decided or shown. Absent: the trained share, 1/12.
   */
  cleanPrior: z.number().gt(0).lt(1).optional(),
  /** P(clean), under cleanPrior, at or above this: "no damage", the photo stays as it is. */
  noDamageThreshold: z.number().gt(0).lte(1),
  /** Mean PSNR gain (dB) of each model ('baseline' and every group id) on each class, on held-out training crops. */
  gain: z.record(nonEmptyString, z.record(routerClassSchema, z.number())),
  /**
   * How many of the descriptor's planned patches the router rule's analysis reads: the first ones
   * of the same plan (core/ddr-protocol.ts), so half the descriptor runs for the same router
   * choice (npm run study:patch-count). The OOD model's distances were measured with this many.
   * Absent: every planned patch, as the KL rule always reads.
   */
  descriptorPatches: positiveInt.optional(),
  /**
   * OOD: a logistic model over the router's energy, the distance to the nearest group and the photo's
   * tone anomaly under three hypotheses (core/router/router.ts OodModel). A model fitted before the
   * last two inputs existed reads them with weight 0, which is the model it was.
   */
  ood: z.object({
    energyWeight: z.number(),
    distanceWeight: z.number(),
    toneWeight: z.number(),
    routedToneWeight: z.number().default(0),
    cleanToneWeight: z.number().default(0),
    bias: z.number(),
    threshold: z.number().gt(0).lt(1),
    /** Per class, per tone cue, its quantiles on training views at TONE_GRID (core/router/tone-anomaly.ts). */
    tone: z.object({
      cues: z.literal(PHOTO_CUES_VERSION),
      quantiles: z.partialRecord(routerClassSchema, z.array(z.array(z.number()).length(TONE_GRID.length).refine(isNonDecreasing, 'quantiles must not decrease')).length(PHOTO_CUE_COUNT)),
    }).refine((t) => t.quantiles.clean !== undefined, 'the tone model needs the quantiles of clean photos'),
    description: z.string(),
  }),
  /** The safe policy for the router's routes (core/auto-choice.ts), measured on held-out training crops. */
  autoChoice: z.object({ description: z.string(), groups: z.record(nonEmptyString, groupTrustSchema) }).optional(),
  description: z.string(),
});

export const verificationSchema = z.object({
  group: z.array(degradationIdSchema).min(1),
  /** Worst PSNR loss (dB) of the group's mix model against the single-task models of its members. */
  deltaP: z.number(),
  passed: z.boolean(),
  /** Position of this verification in the search, from 0. */
  order: z.number().int().nonnegative(),
  /** Which stage of the search ran it, e.g. 'size' (binary search over L) or 'count' (over m). */
  phase: z.string().optional(),
});

export const searchSchema = z.object({
  /** The tolerated loss δ in dB (0.7 in the paper). */
  delta: z.number().nonnegative(),
  partition: z.array(z.array(degradationIdSchema).min(1)),
  verifications: z.array(verificationSchema),
});

export const evaluationRowSchema = z.object({
  degradation: degradationIdSchema,
  /** PSNR of the degraded input. */
  input: z.number(),
  singleTask: z.number().optional(),
  baseline: z.number().optional(),
  grids: z.number().optional(),
});

export const evaluationTableSchema = z.object({
  rows: z.array(evaluationRowSchema),
  units: z.literal('dB'),
  /** Free text: the metric, crops and images the numbers come from. */
  description: z.string().optional(),
});

export const evaluationSchema = z.object({ tables: evaluationTableSchema });

/** The schema version this code reads and writes (`version` in the manifest). */
export const MANIFEST_VERSION = 1;

export const manifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    createdAt: z.iso.datetime({ offset: true }),
    /** Build preset, e.g. 'smoke' or 'full'. */
    preset: nonEmptyString,
    notes: z.string().optional(),
    degradations: z.array(degradationSpecSchema).min(1),
    descriptor: descriptorSchema,
    references: z.array(referenceSchema),
    similarity: similaritySchema,
    groups: z.array(groupSchema).min(1),
    singleTask: z.partialRecord(degradationIdSchema, modelInfoSchema).optional(),
    /** The model trained on all degradations mixed. */
    baseline: modelInfoSchema.optional(),
    selection: selectionSchema,
    router: routerSchema.optional(),
    search: searchSchema.optional(),
    evaluation: evaluationSchema.optional(),
    /** Every model file's byte size and SHA-256, by its path: checked before a session is created from it (core/model-files.ts). */
    integrity: z.record(onnxPath, z.object({
      sizeBytes: z.number().int().positive(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest: 64 lowercase hexadecimal digits'),
    })),
  })
  .superRefine((m, ctx) => {
    for (const { file, role } of namedModelFiles(m)) {
      if (!(file in m.integrity)) ctx.addIssue({ code: 'custom', path: ['integrity'], message: `no size and SHA-256 for the ${role} model '${file}'` });
    }

    const ids = m.degradations.map((d) => d.id);
    const known = new Set<string>(ids);
    reportDuplicates(ids, ['degradations'], ctx, (i) => ['degradations', i, 'id']);

    // One reference GGD per degradation.
    reportDuplicates(m.references.map((r) => r.id), ['references'], ctx, (i) => ['references', i, 'id']);
    m.references.forEach((r, i) => requireKnown(r.id, known, ['references', i, 'id'], ctx));
    const referenced = new Set(m.references.map((r) => r.id));
    for (const id of ids) {
      if (!referenced.has(id)) ctx.addIssue({ code: 'custom', path: ['references'], message: `no reference GGD for '${id}'` });
    }

    // The similarity matrices are indexed by exactly the listed degradations.
    m.similarity.order.forEach((id, i) => requireKnown(id, known, ['similarity', 'order', i], ctx));
    const ordered = new Set<string>(m.similarity.order);
    for (const id of ids) {
      if (!ordered.has(id)) ctx.addIssue({ code: 'custom', path: ['similarity', 'order'], message: `'${id}' is missing` });
    }

    reportDuplicates(m.groups.map((g) => g.id), ['groups'], ctx, (i) => ['groups', i, 'id']);
    checkPartition(m.groups.map((g) => g.members), ids, known, ctx, (g) => ['groups', g, 'members'], ['groups']);
    if (m.search) {
      checkPartition(m.search.partition, ids, known, ctx, (g) => ['search', 'partition', g], ['search', 'partition']);
    }

    const autoChoice = m.selection.autoChoice;
    if (autoChoice) {
      const groupIds = new Set(m.groups.map((g) => g.id));
      for (const id of Object.keys(autoChoice.groups)) {
        if (!groupIds.has(id)) ctx.addIssue({ code: 'custom', path: ['selection', 'autoChoice', 'groups', id], message: `'${id}' is not one of manifest.groups` });
      }
      for (const id of groupIds) {
        if (!(id in autoChoice.groups)) ctx.addIssue({ code: 'custom', path: ['selection', 'autoChoice', 'groups'], message: `no decision for group '${id}'` });
      }
      if (autoChoice.jpegCheck && !m.selection.jpegCheck) {
        ctx.addIssue({ code: 'custom', path: ['selection', 'autoChoice', 'jpegCheck'], message: 'a decision for the JPEG check, but there is no JPEG check' });
      }
      if (!m.baseline && [...Object.values(autoChoice.groups), ...(autoChoice.jpegCheck ? [autoChoice.jpegCheck] : [])].some((g) => g.use === 'baseline')) {
        ctx.addIssue({ code: 'custom', path: ['selection', 'autoChoice'], message: 'falls back to the mix baseline, but the manifest has no baseline' });
      }
    }

    if (m.selection.jpegCheck && !m.groups.some((g) => g.members.includes('jpeg'))) {
      ctx.addIssue({ code: 'custom', path: ['selection', 'jpegCheck'], message: 'there is a JPEG check, but no group holds JPEG' });
    }

    if (m.router) {
      if (m.router.classes.join() !== ROUTER_CLASSES.join()) {
        ctx.addIssue({ code: 'custom', path: ['router', 'classes'], message: `expected ${ROUTER_CLASSES.join(', ')}` });
      }
      const models = ['baseline', ...m.groups.map((g) => g.id)];
      for (const model of models) {
        if (model === 'baseline' && !m.baseline) continue;
        if (!(model in m.router.gain)) ctx.addIssue({ code: 'custom', path: ['router', 'gain'], message: `no gain row for '${model}'` });
      }
      for (const model of Object.keys(m.router.gain)) {
        if (!models.includes(model)) ctx.addIssue({ code: 'custom', path: ['router', 'gain', model], message: `'${model}' is neither 'baseline' nor one of manifest.groups` });
      }
      const patches = m.router.descriptorPatches;
      if (patches !== undefined && (patches > m.descriptor.input.patchCount || patches < m.descriptor.pca.k)) {
        ctx.addIssue({ code: 'custom', path: ['router', 'descriptorPatches'], message: `must lie between the PCA's ${m.descriptor.pca.k} components and the descriptor's ${m.descriptor.input.patchCount} planned patches` });
      }
    }

    for (const id of Object.keys(m.singleTask ?? {})) requireKnown(id, known, ['singleTask', id], ctx);
    m.evaluation?.tables.rows.forEach((row, i) =>
      requireKnown(row.degradation, known, ['evaluation', 'tables', 'rows', i, 'degradation'], ctx),
    );
  });

export type ParamRange = z.infer<typeof paramRangeSchema>;
export type DegradationSpec = z.infer<typeof degradationSpecSchema>;
export type DescriptorSpec = z.infer<typeof descriptorSchema>;
export type ReferenceGgd = z.infer<typeof referenceSchema>;
export type Similarity = z.infer<typeof similaritySchema>;
export type ModelInfo = z.infer<typeof modelInfoSchema>;
export type GroupSpec = z.infer<typeof groupSchema>;
export type Selection = z.infer<typeof selectionSchema>;
export type Verification = z.infer<typeof verificationSchema>;
export type SearchRecord = z.infer<typeof searchSchema>;
export type EvaluationRow = z.infer<typeof evaluationRowSchema>;
export type Evaluation = z.infer<typeof evaluationSchema>;
export type Manifest = z.infer<typeof manifestSchema>;

export interface ManifestIssue {
  /** e.g. "manifest.groups[2].model" */
  readonly path: string;
  readonly message: string;
}

export class ManifestError extends Error {
  readonly issues: readonly ManifestIssue[];

  constructor(issues: readonly ManifestIssue[]) {
    const shown = issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`);
    if (issues.length > shown.length) shown.push(`… and ${issues.length - shown.length} more`);
    super(`invalid models manifest: ${shown.join('; ')}`);
    this.name = 'ManifestError';
    this.issues = issues;
  }
}

/** Validates parsed JSON as a manifest; throws a {@link ManifestError} naming every bad field. */
export function parseManifest(json: unknown): Manifest {
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version !== MANIFEST_VERSION) {
    // Another version's fields would each fail on their own; the one fact that matters is the version.
    throw new ManifestError([{
      path: 'manifest.version',
      message: `the models were built for manifest version ${version}, and this version of GRIDS reads version ${MANIFEST_VERSION}: ` +
        (version > MANIFEST_VERSION ? 'update GRIDS to use them (the app updates when reloaded)' : 'rebuild them with this version\'s `grids zoo`'),
    }]);
  }
  const parsed = manifestSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ManifestError(parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
}

/** ['groups', 2, 'model'] → "manifest.groups[2].model". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = 'manifest';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

type Path = (string | number)[];
type RefineContext = z.RefinementCtx;

function requireKnown(id: string, known: ReadonlySet<string>, path: Path, ctx: RefineContext): void {
  if (!known.has(id)) ctx.addIssue({ code: 'custom', path, message: `'${id}' is not in manifest.degradations` });
}

function reportDuplicates(
  values: readonly string[],
  listPath: Path,
  ctx: RefineContext,
  itemPath: (index: number) => Path = (i) => [...listPath, i],
): void {
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else ctx.addIssue({ code: 'custom', path: itemPath(i), message: `duplicate '${value}' (also at index ${first})` });
  });
}

/** Every listed degradation must be in exactly one of `sets`, and sets may only name listed ones. */
function checkPartition(
  sets: readonly (readonly DegradationId[])[],
  ids: readonly DegradationId[],
  known: ReadonlySet<string>,
  ctx: RefineContext,
  setPath: (index: number) => Path,
  wholePath: Path,
): void {
  const owner = new Map<string, number>();
  sets.forEach((members, g) => {
    members.forEach((id, k) => {
      const path = [...setPath(g), k];
      requireKnown(id, known, path, ctx);
      const first = owner.get(id);
      if (first === undefined) owner.set(id, g);
      else if (first === g) ctx.addIssue({ code: 'custom', path, message: `'${id}' is listed twice in the same group` });
      else ctx.addIssue({ code: 'custom', path, message: `'${id}' is already in group ${first}: each degradation belongs to exactly one group` });
    });
  });
  for (const id of ids) {
    if (!owner.has(id)) ctx.addIssue({ code: 'custom', path: wholePath, message: `'${id}' is in no group` });
  }
}
