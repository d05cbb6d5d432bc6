import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTestScene } from '../core/degradations/test-scenes';
import { writePng } from './io/images';

/** Helpers for the CLI's end-to-end tests: generated photos (tests never read ../shared/data) and a runner. */
export const CLI = join(import.meta.dirname, '../../bin/grids.mjs');

export async function makeImageFolder(count: number, size = 96, seed = 1): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'grids-images-'));
  for (let i = 0; i < count; i++) await writePng(join(dir, `scene-${i}.png`), generateTestScene({ width: size, height: size, seed: seed + i }));
  return dir;
}

export async function tempDir(prefix = 'grids-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export async function runCli(args: string[]): Promise<CliResult> {
  return startCli(args).done;
}

/** Runs the CLI and parses its JSON stdout, failing with its stderr when it exits non-zero. */
export async function runCliJson<T = unknown>(args: string[]): Promise<T> {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`grids ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
