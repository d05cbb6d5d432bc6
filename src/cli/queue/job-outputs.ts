import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint } from '../train/checkpoint';
import { MODEL_FILE, STATE_FILE } from '../train/trainer';
import { confinedPath, visitJobArgs, type JobKindName } from './job-kinds';

function optionValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Whether a job's output already exists and validates, so that a job delivered again (at least
 * once) is not run again (exactly-once results):
 * - train: a final model.ckpt that loads, with the requested number of steps, and no unfinished run;
 * - export: the .onnx is there and not older than its checkpoint;
 * - eval: eval.json is in --out and not older than any model it scores.
 * null for router data, whose output cannot be told from here (it resumes on its own).
 */
export async function jobOutputDone(kind: JobKindName, args: readonly string[], work: string): Promise<boolean | null> {
  const paths: string[] = [];
  visitJobArgs(kind, args, (path) => paths.push(confinedPath(work, path, 'path')));
  if (kind === 'train') {
    const out = confinedPath(work, optionValue(args, '--out')!, '--out');
    const model = join(out, MODEL_FILE);
    if (!existsSync(model) || existsSync(join(out, STATE_FILE))) return false;
    try {
      const { meta } = await loadCheckpoint(model);
      return meta.stepsDone === Number(optionValue(args, '--steps') ?? 1000);
    } catch {
      return false;
    }
  }
  if (kind === 'export') {
    const [checkpoint, onnx] = paths;
    if (!existsSync(onnx) || !existsSync(checkpoint)) return false;
    const [c, o] = await Promise.all([stat(checkpoint), stat(onnx)]);
    return o.size > 0 && o.mtimeMs >= c.mtimeMs;
  }
  if (kind === 'eval') {
    const out = optionValue(args, '--out');
    const models = optionValue(args, '--models')!.split(',').map((e) => confinedPath(work, e.slice(e.indexOf('=') + 1), '--models'));
    if (!out || !models.every((m) => existsSync(m))) return false;
    const result = await stat(join(confinedPath(work, out, '--out'), 'eval.json')).catch(() => null);
    return result !== null && (await Promise.all(models.map((m) => stat(m)))).every((m) => m.mtimeMs <= result.mtimeMs);
  }
  return null;
}
