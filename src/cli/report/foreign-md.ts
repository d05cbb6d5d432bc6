/**
 * RESULTS.md's subsection on damage made by other tools (`npm run study:foreign`,
 * campaign/foreign-study/foreign.json): the validation photos damaged by ImageMagick, libjpeg,
 * libwebp, ffmpeg, Pillow/numpy, never by the project's own code, and restored through the public
 * CLI. The per-kind figures are computed here from the record's rows (the script writes the same
 * summaries into the record with `foreignSummaries`), so the document and the record cannot disagree.
 */
import type { DegradationId } from '../../core/degradations/ids';
import { code, mean, pct, signed, table } from './markdown';

export type ForeignScope = 'crop' | 'whole';
export const FOREIGN_SCOPES: readonly ForeignScope[] = ['crop', 'whole'];

/** The routing protocol's rule: an image is left worse when the automatic output's PSNR is below its input's. */
export const WORSE_BELOW_DB = 0;

/**
 * The record's version. 1 (no `version` field): every row has every group's PSNR. 2: a row says in
 * `measured` which groups it has; whole photos have only the group of the imitated class (none for
 * a kind that imitates none), so their best group is not measured.
 */
export const FOREIGN_VERSION = 2;

/** Which groups a row was restored with: every group, or only the one holding the imitated class. */
export type ForeignMeasured = 'all-groups' | 'own-group';

/** One kind of damage: the outside tool, the command it runs and the project class it imitates. */
export interface ForeignKind {
  id: string;
  tool: string;
  /** The project class it imitates; null: none (a history, or a codec none of the 11 is like). */
  imitates: DegradationId | null;
  /** Why this class, or why none. */
  why: string;
  /** The shell command, with {in}, {out}, {tmp}, {w}, {h}, {seed} and the drawn parameters in braces. */
  command: string;
  /** The parameters' ranges, in words. */
  params: string;
}

/** One damaged image (a crop or a whole photo): PSNR (dB) against the clean image of each output. */
export interface ForeignRow {
  photo: string;
  kind: string;
  scope: ForeignScope;
  params: Record<string, number | string>;
  /** The exact command that made it (paths inside the study's work folder). */
  command: string;
  input: number;
  auto: number;
  baseline: number;
  /** PSNR of each group's output: every group's, or with `measured: 'own-group'` only `ownGroup`'s (none when it is null). */
  groups: Record<string, number>;
  /** Which groups `groups` holds; absent (version 1 records): every group. */
  measured?: ForeignMeasured;
  chosen: string;
  used: string;
  /** report.json's automaticReason: why the automatic choice used what it used (e.g. 'no-damage'). */
  reason?: string;
  ood: boolean;
  /** The group holding the imitated class; null when the kind imitates none. */
  ownGroup: string | null;
  /** The chosen group holds the imitated class; null when the kind imitates none. */
  routedRight: boolean | null;
}

/** An undamaged image (as it is, or saved as JPEG q90), through the automatic choice only. */
export interface ForeignControlRow {
  photo: string;
  kind: string;
  scope: ForeignScope;
  /** PSNR of the input against the clean image; null for the clean image itself (identical). */
  input: number | null;
  /** PSNR of the automatic output against the clean image; null when identical. */
  auto: number | null;
  chosen: string;
  used: string;
  reason?: string;
  ood: boolean;
}

export interface ForeignStudy {
  /** {@link FOREIGN_VERSION}; absent: version 1 (every row has every group). */
  version?: number;
  createdAt: string;
  /** The photos' folder, how many were used and how many it holds (LIMIT: the first `count`). */
  photos: { dir: string; count: number; total: number; limit: number | null };
  crop: number;
  wholeMaxSide: number;
  worseBelowDb: number;
  manifest: { path: string; createdAt: string; sha256: string };
  rule: string;
  /** Each tool as found: its binary, its Debian package(s), its own version line and the packages' versions. */
  tools: Record<string, { bin: string; package: string; version: string; debian: string | null }>;
  kinds: ForeignKind[];
  controls: { id: string; tool: string; command: string }[];
  rows: ForeignRow[];
  controlRows: ForeignControlRow[];
  summary?: ReturnType<typeof foreignSummaries>;
}

export interface ForeignSummary {
  n: number;
  /** Mean PSNR of the damaged inputs (dB). */
  input: number;
  /** Share routed right, over the images of kinds that imitate a class (null: none does). */
  routed: number | null;
  autoGain: number;
  baselineGain: number;
  /**
   * The best single group per image (the routing protocol's oracle), and the group best most often;
   * null when some image was not restored with every group (whole photos).
   */
  bestGain: number | null;
  bestGroup: string | null;
  /** The group holding the imitated class, over the images of kinds that imitate one (null: none does). */
  ownGain: number | null;
  worse: number;
  ood: number;
  leftAlone: number;
}

const share = (rows: readonly unknown[], test: (i: number) => boolean) => mean(rows.map((_, i) => +test(i)));

function bestOf(groups: Record<string, number>): [string, number] {
  return Object.entries(groups).reduce((a, b) => (b[1] > a[1] ? b : a));
}

export function summariseForeign(rows: readonly ForeignRow[], worseBelow = WORSE_BELOW_DB): ForeignSummary {
  const labelled = rows.filter((r) => r.ownGroup !== null);
  const allGroups = rows.every((r) => (r.measured ?? 'all-groups') === 'all-groups');
  const best = allGroups ? rows.map((r) => bestOf(r.groups)) : null;
  const times = new Map<string, number>();
  for (const [id] of best ?? []) times.set(id, (times.get(id) ?? 0) + 1);
  return {
    n: rows.length,
    input: mean(rows.map((r) => r.input)),
    routed: labelled.length ? share(labelled, (i) => labelled[i].routedRight === true) : null,
    autoGain: mean(rows.map((r) => r.auto - r.input)),
    baselineGain: mean(rows.map((r) => r.baseline - r.input)),
    bestGain: best ? mean(rows.map((r, i) => best[i][1] - r.input)) : null,
    bestGroup: best ? [...times].reduce((a, b) => (b[1] > a[1] ? b : a))[0] : null,
    ownGain: labelled.length ? mean(labelled.map((r) => r.groups[r.ownGroup!] - r.input)) : null,
    worse: share(rows, (i) => rows[i].auto - rows[i].input < worseBelow),
    ood: share(rows, (i) => rows[i].ood),
    leftAlone: share(rows, (i) => rows[i].used === 'none'),
  };
}

export function summariseControls(rows: readonly ForeignControlRow[]) {
  const measured = rows.filter((r) => r.input !== null);
  return {
    n: rows.length,
    ood: share(rows, (i) => rows[i].ood),
    leftAlone: share(rows, (i) => rows[i].used === 'none'),
    /** PSNR gain of the automatic output over the input; null for the clean images (no input PSNR). */
    autoGain: measured.length ? mean(measured.map((r) => (r.auto ?? Infinity) - r.input!)) : null,
  };
}

/** Per scope: each kind's summary, every kind's together, and the controls'. */
export function foreignSummaries(study: Pick<ForeignStudy, 'kinds' | 'controls' | 'rows' | 'controlRows' | 'worseBelowDb'>) {
  return Object.fromEntries(FOREIGN_SCOPES.map((scope) => {
    const rows = study.rows.filter((r) => r.scope === scope);
    const controls = study.controlRows.filter((r) => r.scope === scope);
    return [scope, {
      kinds: Object.fromEntries(study.kinds.filter((k) => rows.some((r) => r.kind === k.id)).map((k) => [k.id, summariseForeign(rows.filter((r) => r.kind === k.id), study.worseBelowDb)])),
      all: rows.length ? summariseForeign(rows, study.worseBelowDb) : null,
      controls: Object.fromEntries(study.controls.filter((c) => controls.some((r) => r.kind === c.id)).map((c) => [c.id, summariseControls(controls.filter((r) => r.kind === c.id))])),
    }];
  })) as Record<ForeignScope, { kinds: Record<string, ForeignSummary>; all: ForeignSummary | null; controls: Record<string, ReturnType<typeof summariseControls>> }>;
}

const dash = (x: number | null, format: (x: number) => string) => (x === null ? '–' : format(x));
const SCOPE_TITLE: Record<ForeignScope, string> = { crop: '256 px centre crops', whole: 'Whole photos' };

function kindRow(label: string, tool: string, imitates: string, s: ForeignSummary): string[] {
  const best = s.bestGain === null ? '– not measured' : `${signed(s.bestGain)} (${s.bestGroup})`;
  return [label, tool, imitates, dash(s.routed, pct), signed(s.autoGain), signed(s.baselineGain), best, dash(s.ownGain, signed), pct(s.worse), pct(s.ood), pct(s.leftAlone)];
}

/** How each scope was restored, in words, from what its rows hold. */
function restoredWith(study: ForeignStudy): string {
  const each = `${code('--group')} each group`;
  const partial = FOREIGN_SCOPES.filter((scope) => study.rows.some((r) => r.scope === scope && r.measured === 'own-group'));
  if (!partial.length) return each;
  const full = FOREIGN_SCOPES.filter((scope) => !partial.includes(scope) && study.rows.some((r) => r.scope === scope));
  const lower = (scope: ForeignScope) => SCOPE_TITLE[scope].toLowerCase();
  return `${full.length ? `${each} for the ${full.map(lower).join(' and ')}; ` : ''}for the ${partial.map(lower).join(' and ')} only ${code('--group')} the group holding the imitated class (none for a kind that imitates none), to save time, so their best group is not measured`;
}

/** The subsection's lines (none when the study has not been run). */
export function foreignLines(study: ForeignStudy | undefined, names: (id: string) => string): string[] {
  if (!study) return [];
  const summaries = foreignSummaries(study);
  const headers = ['Kind', 'Tool', 'Imitates', 'Routed right', 'Automatic gain', 'Baseline gain', 'Best group gain', 'Own group gain', 'Worse than input', 'OOD flagged', 'Left alone'];
  const align: ('l' | 'r')[] = ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];
  const out = [
    '### Damage made by other tools (study:foreign)',
    '',
    `${code('npm run study:foreign')} (scripts/foreign-study.ts), ${study.createdAt.slice(0, 10)}: the ${study.photos.limit === null ? study.photos.count : `first ${study.photos.count} (LIMIT=${study.photos.limit}) of the ${study.photos.total}`} validation photos damaged by implementations outside the project's code, each kind labelled with the class it imitates (or none), then restored through the public CLI as the routing protocol does (${code('grids restore')} automatic, ${code('--group baseline')} and ${restoredWith(study)}; rule ${code(study.rule)}, manifest of ${study.manifest.createdAt.slice(0, 10)}). Gains are PSNR (dB) over the damaged input, means over the images; "best group" is the best single group per image (the one best most often in brackets); "own group" the group holding the imitated class; "worse than input": the automatic output's PSNR is ${study.worseBelowDb === 0 ? 'below its input\'s, as the routing protocol counts it' : `more than ${study.worseBelowDb} dB below its input's`}; "routed right": the chosen group (report.json's \`chosen\`, also for an image left alone, as the protocol counts it) holds the imitated class. Whole photos are downscaled with sharp so that their longer side is at most ${study.wholeMaxSide} px before they are damaged; their PSNR is over the whole photo.`,
  ];
  for (const scope of FOREIGN_SCOPES) {
    const s = summaries[scope];
    if (!s.all) continue;
    const rows = study.kinds.filter((k) => s.kinds[k.id]).map((k) => kindRow(code(k.id), k.tool, k.imitates ? names(k.imitates) : 'none', s.kinds[k.id]));
    out.push('', `${SCOPE_TITLE[scope]} (${s.all.n} damaged images, input PSNR ${s.all.input.toFixed(2)} dB on average):`, '', table(headers, [...rows, kindRow('all kinds', '', '', s.all)], align));
  }
  const controls = FOREIGN_SCOPES.flatMap((scope) => study.controls.filter((c) => summaries[scope].controls[c.id]).map((c) => {
    const s = summaries[scope].controls[c.id];
    return [code(c.id), SCOPE_TITLE[scope], c.tool, String(s.n), pct(s.ood), pct(s.leftAlone), dash(s.autoGain, signed)];
  }));
  if (controls.length) out.push('', 'Undamaged controls, through the automatic choice:', '', table(['Control', 'Scope', 'Tool', 'Images', 'OOD flagged', 'Left alone', 'Automatic gain'], controls, ['l', 'l', 'l', 'r', 'r', 'r', 'r']));
  out.push('', 'The kinds (commands as run, with the drawn parameters in braces; one draw per photo, the same for its crop and its whole photo):', '');
  for (const k of study.kinds) out.push(`- ${code(k.id)}: ${code(k.command)}; ${k.params}. ${k.why}`);
  for (const c of study.controls) out.push(`- ${code(c.id)} (control): ${code(c.command)}.`);
  const packages = new Map<string, string[]>();
  for (const t of Object.values(study.tools)) packages.set(t.debian ?? t.package, [...(packages.get(t.debian ?? t.package) ?? []), `${code(t.bin)} ${t.version}`]);
  out.push('', `Tools (Debian packages, and each tool's own version): ${[...packages].map(([pkg, tools]) => `${pkg} (${tools.join('; ')})`).join(', ')}.`);
  return out;
}
