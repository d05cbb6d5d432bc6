import { join, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../program';
import { checkJobArgs, confinedPath, JOB_KIND_NAMES, JOB_KINDS, JobRefusedError, jobPayloadSchema, kindOf, relativiseJobArgs, type JobKind } from './job-kinds';

const WORK = resolve('/srv/shared/work');

function commandOf(words: readonly string[]): Command {
  let command = buildProgram();
  for (const word of words) command = command.commands.find((c) => c.name() === word)!;
  return command;
}

describe('queue job kinds', () => {
  it.each(JOB_KIND_NAMES)('the allow-list of "%s" classifies exactly the options of its grids command', (name) => {
    const spec: JobKind = JOB_KINDS[name];
    const command = commandOf(spec.command);
    const options = command.options.filter((o) => o.long !== '--help');
    const withValue = options.filter((o) => o.required || o.optional).map((o) => o.long!).sort();
    const flags = options.filter((o) => !o.required && !o.optional).map((o) => o.long!).sort();
    expect([...spec.pathOptions, ...spec.valueOptions, ...(spec.modelListOptions ?? [])].sort()).toEqual(withValue);
    expect([...spec.flags].sort()).toEqual(flags);
    expect(command.registeredArguments.length).toBe(spec.positionalPaths);
  });

  it('names a command line by its kind, and nothing else', () => {
    expect(kindOf(['router', 'data', '--images', 'x'])).toBe('router-data');
    expect(kindOf(['train', '--out', 'x'])).toBe('train');
    expect(kindOf(['router', 'train'])).toBeNull();
    expect(kindOf(['zoo'])).toBeNull();
    expect(kindOf(['jobs', 'q.json'])).toBeNull();
  });

  it('refuses paths outside the work folder, unknown options, missing values and extra arguments', () => {
    const refused = (kind: Parameters<typeof checkJobArgs>[0], args: string[]) => {
      try {
        checkJobArgs(kind, args, WORK);
      } catch (error) {
        expect(error).toBeInstanceOf(JobRefusedError);
        return (error as Error).message;
      }
      throw new Error(`accepted: ${args.join(' ')}`);
    };
    expect(refused('train', ['train', '--images', 'photos', '--out', '../elsewhere'])).toMatch(/--out "\.\.\/elsewhere" is outside the work folder/);
    expect(refused('train', ['train', '--images', '/etc', '--out', 'runs/a'])).toMatch(/--images "\/etc" is outside/);
    expect(refused('train', ['train', '--images', 'a/../../b', '--out', 'x'])).toMatch(/outside/);
    expect(refused('export', ['export', 'runs/a/model.ckpt', '/tmp/model.onnx'])).toMatch(/argument 2 "\/tmp\/model.onnx" is outside/);
    expect(refused('eval', ['eval', '--models', 'a=runs/a.onnx,b=../../b.onnx', '--images', 'val'])).toMatch(/--models "\.\.\/\.\.\/b.onnx" is outside/);
    expect(refused('train', ['train', '--out', 'x', '--exec', 'rm -rf /'])).toMatch(/option "--exec" is not one/);
    expect(refused('train', ['train', '--out'])).toMatch(/--out needs a value/);
    expect(refused('train', ['train', 'extra'])).toMatch(/unexpected argument "extra"/);
    expect(refused('export', ['export', 'only-one.ckpt'])).toMatch(/needs 2 arguments, got 1/);
    expect(refused('router-data', ['train', '--images', 'x'])).toMatch(/must run "grids router data"/);
    expect(() => checkJobArgs('train', ['train', '--images', 'inputs/train', '--out', 'runs/a', '--init', join(WORK, 'runs/base/model.ckpt'), '--resume'], WORK)).not.toThrow();
  });

  it('any path is either resolved inside the work folder or refused (10 000 arbitrary paths)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.constantFrom('..', '.', 'a', 'b', '', '/', WORK, 'runs'), { maxLength: 8 }).map((p) => p.join('/'))), (path) => {
        try {
          const full = confinedPath(WORK, path, 'path');
          expect(full === WORK || full.startsWith(WORK + sep)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(JobRefusedError);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('the producer rewrites paths relative to the work folder, and a worker elsewhere resolves them to the same files', () => {
    const queueFolder = join(WORK, 'search');
    const args = ['eval', '--models', `a=models/a.onnx,${join(WORK, 'b.onnx')}`, '--images', '../inputs/val', '--out', join(WORK, 'eval'), '--crop', '48'];
    const rel = relativiseJobArgs('eval', args, queueFolder, WORK);
    expect(rel).toEqual(['eval', '--models', 'a=search/models/a.onnx,b.onnx', '--images', 'inputs/val', '--out', 'eval', '--crop', '48']);
    expect(() => checkJobArgs('eval', rel, '/mnt/elsewhere')).not.toThrow();
    expect(() => relativiseJobArgs('train', ['train', '--images', '/data/photos', '--out', 'x'], queueFolder, WORK)).toThrow(/--images "\/data\/photos" is outside/);
  });

  it('the payload schema takes the producer\'s data and nothing more', () => {
    const payload = { version: '0.1.0+abc', workId: '0b5a4bd2-3f7c-4a4e-9d55-5a1e6b0b1e11', id: 'train-a', kind: 'train', args: ['train', '--out', 'x'], log: 'logs/train-a.log' };
    expect(jobPayloadSchema.parse(payload)).toEqual(payload);
    expect(jobPayloadSchema.safeParse({ ...payload, kind: 'shell' }).success).toBe(false);
    expect(jobPayloadSchema.safeParse({ ...payload, extra: 1 }).success).toBe(false);
    expect(jobPayloadSchema.safeParse({ ...payload, args: ['train', 'a\u0000b'] }).success).toBe(false);
    expect(jobPayloadSchema.safeParse({ ...payload, id: '../x' }).success).toBe(false);
    expect(jobPayloadSchema.safeParse({ ...payload, workId: 'not-a-uuid' }).success).toBe(false);
    expect(jobPayloadSchema.safeParse({ ...payload, log: 'runs/a/model.ckpt' }).success).toBe(false);
    expect(jobPayloadSchema.safeParse({ ...payload, log: 'search/logs/train-a.log' }).success).toBe(true);
  });
});
