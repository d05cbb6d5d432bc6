/**
 * The project's documents state the present and link to what exists:
 * - no "session" followed by a number (a working session's name is history, kept in git log) in the README,
 *   docs/, campaign/ or the code;
 * - every relative link of README.md and docs/ names a file that exists, and every #anchor a heading of
 *   that file (GitHub's slugs). External links are not fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every file under `dir` (relative to the root) whose name passes `keep`, recursively. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'node_modules' ? [] : filesUnder(path, keep);
    return keep(name) ? [path] : [];
  });
}

const isMarkdown = (name: string) => name.endsWith('.md');
const isText = (name: string) => !/\.(png|jpe?g|webp|gif|onnx|ckpt|f32|bin|wasm|ico)$/i.test(name);

describe('no history in the documents or the code', () => {
  const files = [
    'README.md',
    ...filesUnder('docs', isMarkdown),
    ...filesUnder('campaign', isMarkdown),
    ...filesUnder('src', isText),
    ...filesUnder('scripts', isText),
  ];

  it('finds the files it checks', () => {
    expect(files).toContain('README.md');
    expect(files).toContain(join('docs', 'RESULTS.md'));
    expect(files).toContain(join('campaign', 'discussion.md'));
    expect(files.filter((f) => f.startsWith('src')).length).toBeGreaterThan(100);
  });

  it('never names a working session by its number', () => {
    const found = files.flatMap((file) =>
      readFileSync(join(root, file), 'utf8').split('\n').flatMap((line, i) => (/session\s+\d/i.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});

/** The lines of a markdown file outside fenced code blocks, with inline code spans blanked. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, (span) => ' '.repeat(span.length));
  });
}

/**
 * GitHub's anchor for a heading (github-slugger): the rendered text, lower-cased, without punctuation or symbols
 * (letters, digits, spaces, hyphens and underscores stay), each space a hyphen; a repeated slug gets -1, -2, ….
 */
function headingSlugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/`([^`]*)`/g, '$1') // code spans: their content
      .replace(/<[^>]+>/g, '') // inline HTML
      .replace(/(\*\*|__|\*|~~)/g, ''); // emphasis marks
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Every inline link and image target of a markdown file, outside code. */
function linksOf(file: string): Link[] {
  const lines = prose(readFileSync(join(root, file), 'utf8'));
  return lines.flatMap((text, i) =>
    [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({ file, line: i + 1, target: m[1] })),
  );
}

describe('links of the README and docs/', () => {
  const files = ['README.md', ...filesUnder('docs', isMarkdown)];
  const links = files.flatMap(linksOf);

  it('finds the links it checks', () => {
    expect(links.some((l) => l.file === 'README.md' && l.target.startsWith('docs/'))).toBe(true);
  });

  it('every relative link names an existing file, and every anchor a heading in it', () => {
    const broken: string[] = [];
    for (const { file, line, target } of links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http(s), mailto: not fetched
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const path = pathPart === '' ? join(root, file) : resolve(join(root, dirname(file)), decodeURIComponent(pathPart));
      const where = `${file}:${line}: ${target}`;
      if (!existsSync(path)) {
        broken.push(`${where} (no ${relative(root, path)})`);
        continue;
      }
      if (anchor !== undefined && path.endsWith('.md') && !headingSlugs(readFileSync(path, 'utf8')).has(decodeURIComponent(anchor))) {
        broken.push(`${where} (no heading #${anchor} in ${relative(root, path)})`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('headingSlugs', () => {
  it('follows GitHub\'s rules', () => {
    const slugs = headingSlugs('# The `grids` CLI\n## GPUs and faster backends\n## `bench:memory`\n## Architecture: core ← app\n## A\n## A\n```\n# not a heading\n```\n');
    expect([...slugs]).toEqual(['the-grids-cli', 'gpus-and-faster-backends', 'benchmemory', 'architecture-core--app', 'a', 'a-1']);
  });
});
