import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DegradationId } from '../../core/degradations/ids';
import { writeQueue } from '../jobs/runner';
import { runJobs } from '../jobs/run-jobs';
import type { RemoteQueueOptions } from '../queue/producer';
import { evaluate, type EvalImage, type EvalModel, type EvalResult } from './evaluate';

/** One evaluation: models × degradations × the photos of a folder, with the eval protocol's fixed draws. */
export interface EvalSpec {
  /** Names its queue job (letters, digits, ".", "_", "-"). */
  name: string;
  models: EvalModel[];
  /** The photos' folder (what a queue job reads) and the photos read from it (what this process uses). */
  imagesDir: string;
  images: EvalImage[];
  tasks: DegradationId[];
  seed: number;
  crop: number | null;
}

/**
 * Runs the evaluations: in this process, or with a queue as `grids eval` jobs on its workers, all at
 * once. Either way each result is what `evaluate` returns (a job's eval.json, with the model files
 * named as given here).
 */
export async function evaluateAll(specs: EvalSpec[], o: { queue?: RemoteQueueOptions | null; queuePath: string }): Promise<EvalResult[]> {
  if (!o.queue) {
    const results: EvalResult[] = [];
    for (const s of specs) results.push(await evaluate({ models: s.models, images: s.images, tasks: s.tasks, seed: s.seed, crop: s.crop }));
    return results;
  }
  const outOf = (s: EvalSpec) => join(dirname(o.queuePath), 'eval-jobs', s.name);
  await writeQueue(o.queuePath, specs.map((s) => ({
    id: `eval-${s.name}`,
    args: ['eval', '--models', s.models.map((m) => `${m.name}=${m.file}`).join(','), '--images', s.imagesDir, '--tasks', s.tasks.join(','),
      '--seed', String(s.seed), '--crop', String(s.crop ?? 0), '--out', outOf(s)],
  })));
  const summary = await runJobs(o.queuePath, { workers: 1, queue: o.queue });
  if (summary.interrupted) throw new Error('interrupted; run the same command again to wait for the evaluations');
  if (summary.failed.length) throw new Error(`evaluations failed: ${summary.failed.map((f) => `${f.id} (${f.lastLines[0] ?? 'see its log'})`).join(', ')}`);
  return Promise.all(specs.map(async (s) => {
    const result = JSON.parse(await readFile(join(outOf(s), 'eval.json'), 'utf8')) as EvalResult;
    for (const m of s.models) result.models[m.name].file = m.file;
    return result;
  }));
}
