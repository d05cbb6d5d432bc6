import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeImageFolder, runCli, runCliJson, startCli, tempDir } from '../test-support';
import { loadCheckpoint } from './checkpoint';

const common = (images: string) => [
  'train', '--tasks', 'gaussian_noise,jpeg,gaussian_blur', '--images', images, '--steps', '40', '--batch', '2', '--patch', '24',
  '--width', '8', '--depth', '1', '--seed', '7', '--checkpoint-every', '4', '--backend', 'wasm',
];

async function weightsOf(path: string) {
  const checkpoint = await loadCheckpoint(path);
  return Object.entries(checkpoint.params).map(([name, data]) => [name, Array.from(data)]);
}

async function waitFor(condition: () => boolean, timeoutMs: number) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('grids train: checkpoints and resume', () => {
  let images: string;
  let reference: [string, number[]][];

  beforeAll(async () => {
    images = await makeImageFolder(3, 64);
    const out = await tempDir();
    const result = await runCliJson<{ steps: number; interrupted: boolean }>([...common(images), '--out', out]);
    expect(result).toMatchObject({ steps: 40, interrupted: false });
    expect(existsSync(join(out, 'state.ckpt'))).toBe(false); // training state is dropped once finished
    reference = (await weightsOf(join(out, 'model.ckpt'))) as [string, number[]][];
  }, 120_000);

  it('a run killed with SIGKILL resumes to exactly the weights of an uninterrupted run', async () => {
    const out = await tempDir();
    const { child, done } = startCli([...common(images), '--out', out]);
    await waitFor(() => existsSync(join(out, 'state.ckpt')), 60_000);
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(out, 'model.ckpt'))).toBe(false); // it really stopped mid-way
    const saved = await loadCheckpoint(join(out, 'state.ckpt'));
    expect(saved.training!.step).toBeGreaterThan(0);
    expect(saved.training!.step).toBeLessThan(40);

    // Without --resume the CLI refuses to overwrite the unfinished run.
    const refused = await runCli([...common(images), '--out', out]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unfinished run.*--resume/);

    await runCliJson([...common(images), '--out', out, '--resume']);
    expect(await weightsOf(join(out, 'model.ckpt'))).toEqual(reference);
  }, 120_000);

  it('SIGTERM writes a checkpoint at the current step, and resuming finishes identically', async () => {
    const out = await tempDir();
    const { child, done } = startCli([...common(images), '--out', out, '--checkpoint-every', '1000']);
    await waitFor(() => existsSync(join(out, 'train-log.jsonl')), 60_000); // training has started
    child.kill('SIGTERM');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/saved a checkpoint at step \d+/);
    const saved = await loadCheckpoint(join(out, 'state.ckpt'));
    expect(saved.training!.step).toBeGreaterThan(0);
    await runCliJson([...common(images), '--out', out, '--resume', '--checkpoint-every', '1000']);
    expect(await weightsOf(join(out, 'model.ckpt'))).toEqual(reference);
  }, 120_000);

  it('resuming with a different configuration is refused', async () => {
    const out = await tempDir();
    const { child, done } = startCli([...common(images), '--out', out]);
    await waitFor(() => existsSync(join(out, 'state.ckpt')), 60_000);
    child.kill('SIGKILL');
    await done;
    const result = await runCli([...common(images), '--out', out, '--resume', '--lr', '0.001']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/different configuration/);
  }, 120_000);
});
