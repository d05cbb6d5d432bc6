import { describe, expect, it } from 'vitest';
import { foreignLines, foreignSummaries, type ForeignControlRow, type ForeignMeasured, type ForeignRow, type ForeignStudy } from './foreign-md';

const groups = (g6: number, g9: number) => ({ 'group-6': g6, 'group-9': g9 });
/**
 * Two photos, a kind that imitates JPEG (group-6) and one that imitates none. Crops through every
 * group (two rows without `measured`, as version 1 records have them); whole photos, as version 2
 * writes them, only through the own group (webp) or none (phone).
 */
const row = (photo: string, kind: string, scope: 'crop' | 'whole', input: number, auto: number, baseline: number, g: Record<string, number>, chosen: string, used: string, ood: boolean, measured?: ForeignMeasured): ForeignRow => {
  const own = kind === 'webp' ? 'group-6' : null;
  return { photo, kind, scope, params: {}, command: 'x', input, auto, baseline, groups: g, ...(measured ? { measured } : {}), chosen, used, ood, ownGroup: own, routedRight: own ? chosen === own : null };
};
const rows: ForeignRow[] = [
  row('a', 'webp', 'crop', 25, 26, 25.5, groups(26, 24), 'group-6', 'group-6', false),
  row('b', 'webp', 'crop', 30, 29.5, 30.2, groups(30.8, 30.5), 'group-9', 'group-9', true),
  row('a', 'phone', 'crop', 27, 27, 26, groups(27.4, 26.5), 'group-6', 'none', false, 'all-groups'),
  row('b', 'phone', 'crop', 28, 28.03, 28.1, groups(28.03, 28.5), 'group-6', 'group-6', false, 'all-groups'),
  row('a', 'webp', 'whole', 26, 27, 26.25, { 'group-6': 27 }, 'group-6', 'group-6', false, 'own-group'),
  row('b', 'webp', 'whole', 31, 30.5, 31.5, { 'group-6': 31.25 }, 'group-9', 'group-9', false, 'own-group'),
  row('a', 'phone', 'whole', 29, 29, 28.5, {}, 'group-4', 'none', true, 'own-group'),
];
const control = (photo: string, kind: string, input: number | null, auto: number | null, used: string, ood: boolean): ForeignControlRow => ({ photo, kind, scope: 'crop', input, auto, chosen: 'group-6', used, ood });
const controlRows = [control('a', 'clean', null, null, 'none', false), control('b', 'clean', null, 40, 'group-6', true), control('a', 'q90', 40, 39, 'group-6', false), control('b', 'q90', 42, 42, 'none', false)];
const study: ForeignStudy = {
  version: 2,
  createdAt: '2026-12-09T10:00:00.000Z',
  photos: { dir: '/photos', count: 2, total: 2, limit: null },
  crop: 256, wholeMaxSide: 1024, worseBelowDb: 0,
  manifest: { path: 'm.json', createdAt: '2026-12-05T00:00:00.000Z', sha256: 'ab' },
  rule: 'router',
  tools: { cwebp: { bin: 'cwebp', package: 'webp', version: '1.2.4', debian: 'webp 1.2.4-0.2' }, dwebp: { bin: 'dwebp', package: 'webp', version: '1.2.4', debian: 'webp 1.2.4-0.2' } },
  kinds: [
    { id: 'webp', tool: 'libwebp', imitates: 'jpeg', why: 'Like JPEG.', command: 'cwebp -q 5 {in}', params: 'quality 5' },
    { id: 'phone', tool: 'ImageMagick', imitates: null, why: 'None.', command: 'convert {in}', params: 'q70' },
  ],
  controls: [{ id: 'clean', tool: '–', command: 'cp' }, { id: 'q90', tool: 'cjpeg', command: 'cjpeg -quality 90' }],
  rows, controlRows,
};

const m = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
const pc = (x: number) => `${(100 * x).toFixed(1)} %`;
/**
 * The table row the renderer should write for these rows, computed here from the rows alone; the
 * best group only where every row went through both groups.
 */
function expectedRow(label: string, tool: string, imitates: string, rs: ForeignRow[]): string {
  const labelled = rs.filter((r) => r.ownGroup);
  const everyGroup = rs.every((r) => 'group-6' in r.groups && 'group-9' in r.groups);
  const best = rs.map((r) => Math.max(...Object.values(r.groups)) - r.input);
  const bestIds = rs.map((r) => Object.entries(r.groups).sort((x, y) => y[1] - x[1])[0]?.[0]);
  const mostOften = [...new Set(bestIds)].sort((x, y) => bestIds.filter((i) => i === y).length - bestIds.filter((i) => i === x).length)[0];
  return `| ${[
    label, tool, imitates,
    labelled.length ? pc(m(labelled.map((r) => +(r.chosen === r.ownGroup)))) : '–',
    sign(m(rs.map((r) => r.auto - r.input))), sign(m(rs.map((r) => r.baseline - r.input))), everyGroup ? `${sign(m(best))} (${mostOften})` : '– not measured',
    labelled.length ? sign(m(labelled.map((r) => r.groups[r.ownGroup!] - r.input))) : '–',
    pc(m(rs.map((r) => +(r.auto < r.input)))), pc(m(rs.map((r) => +r.ood))), pc(m(rs.map((r) => +(r.used === 'none')))),
  ].join(' | ')} |`;
}

describe('the foreign-damage study in RESULTS.md', () => {
  const text = foreignLines(study, (id) => (id === 'jpeg' ? 'JPEG' : id)).join('\n');
  const crops = rows.filter((r) => r.scope === 'crop');
  const whole = rows.filter((r) => r.scope === 'whole');

  it('renders each kind and all kinds from the rows, for crops and whole photos', () => {
    expect(text).toContain('### Damage made by other tools (study:foreign)');
    expect(text).toContain(expectedRow('`webp`', 'libwebp', 'JPEG', crops.filter((r) => r.kind === 'webp')));
    expect(text).toContain(expectedRow('`phone`', 'ImageMagick', 'none', crops.filter((r) => r.kind === 'phone')));
    expect(text).toContain(expectedRow('all kinds', '', '', crops));
    expect(text).toContain('256 px centre crops (4 damaged images, input PSNR 27.50 dB on average)');
  });

  it('says "not measured" for the best group of the whole photos, which went through their own group only', () => {
    expect(text).toContain(expectedRow('`webp`', 'libwebp', 'JPEG', whole.filter((r) => r.kind === 'webp')));
    expect(text).toContain(expectedRow('`phone`', 'ImageMagick', 'none', whole.filter((r) => r.kind === 'phone')));
    expect(text).toContain(expectedRow('all kinds', '', '', whole));
    // Spelled out: webp's whole photos gain +1.00 and -0.50 (automatic), +0.25 and +0.50 (baseline), +1.00 and +0.25 (own group).
    expect(text).toContain('| `webp` | libwebp | JPEG | 50.0 % | +0.25 | +0.38 | – not measured | +0.63 | 50.0 % | 0.0 % | 0.0 % |');
    expect(text).toContain('Whole photos (3 damaged images, input PSNR 28.67 dB on average)');
    expect(foreignSummaries(study).whole.all).toMatchObject({ bestGain: null, bestGroup: null });
    expect(text).toContain('for the whole photos only `--group` the group holding the imitated class');
    // A record where every row went through every group (version 1) says nothing of the kind.
    const v1 = foreignLines({ ...study, version: undefined, rows: crops }, (id) => id).join('\n');
    expect(v1).toContain('`--group baseline` and `--group` each group; rule');
    expect(v1).not.toContain('not measured');
  });

  it('renders the controls: OOD flags, left alone, and the gain only where the input has a PSNR', () => {
    expect(text).toContain('| `clean` | 256 px centre crops | – | 2 | 50.0 % | 50.0 % | – |');
    // q90: photo a loses 1 dB (39 against 40), photo b is left as it is (0).
    expect(foreignSummaries(study).crop.controls.q90).toEqual({ n: 2, ood: 0, leftAlone: 0.5, autoGain: -0.5 });
    expect(text).toContain('| `q90` | 256 px centre crops | cjpeg | 2 | 0.0 % | 50.0 % | -0.50 |');
  });

  it('lists the commands and tool versions, and renders nothing without a record', () => {
    expect(text).toContain('- `webp`: `cwebp -q 5 {in}`; quality 5. Like JPEG.');
    expect(text).toContain('Tools (Debian packages, and each tool\'s own version): webp 1.2.4-0.2 (`cwebp` 1.2.4; `dwebp` 1.2.4).');
    expect(foreignLines(undefined, (id) => id)).toEqual([]);
  });
});
