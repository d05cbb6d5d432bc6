import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * src/core runs unchanged in the browser, in workers and in Node. `npm run typecheck` compiles it
 * without DOM or Node typings; this test adds a source-level check for what a cast or `any` could
 * smuggle past the compiler, and keeps core free of imports from the app, workers or CLI.
 */
const coreDir = new URL('.', import.meta.url).pathname;
const ALLOWED_PACKAGES = new Set(['zod', 'jpeg-js']);
const FORBIDDEN_GLOBALS = [
  'window', 'document', 'navigator', 'self', 'globalThis', 'Buffer', 'process', 'require',
  'OffscreenCanvas', 'HTMLCanvasElement', 'ImageData', 'createImageBitmap', 'fetch', 'localStorage',
  '__dirname', '__filename',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Removes comments and string contents so words inside them are not mistaken for code. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, ' ')
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, '``')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""');
}

describe('src/core purity', () => {
  const files = sourceFiles(coreDir);

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });

  for (const file of files) {
    const name = relative(coreDir, file);
    const source = readFileSync(file, 'utf8');

    it(`${name} imports only core modules and allowed packages`, () => {
      const specifiers = [...source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
        .map((m) => m[1] ?? m[2]);
      for (const specifier of specifiers) {
        if (specifier.startsWith('.')) {
          const target = join(file, '..', specifier);
          expect(relative(coreDir, target).startsWith('..'), `${name} imports ${specifier} from outside src/core`).toBe(false);
        } else {
          expect(ALLOWED_PACKAGES.has(specifier), `${name} imports package "${specifier}"`).toBe(true);
        }
      }
    });

    it(`${name} uses no DOM or Node globals`, () => {
      const code = codeOnly(source);
      for (const global of FORBIDDEN_GLOBALS) {
        const use = new RegExp(`(?<![\\w$.])${global}(?![\\w$])(?!\\s*:)`);
        expect(use.test(code), `${name} uses ${global}`).toBe(false);
      }
    });
  }
});
