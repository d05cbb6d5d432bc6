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
 * - export: the .onnx is there and not older than its checkpoint.
 * Other kinds always run (they resume on their own).
 */
export async function jobOutputDone(kind: JobKindName, args: readonly string[], work: string): Promise<boolean> {
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
  return false;
}
