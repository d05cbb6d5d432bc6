import { Command } from 'commander';
import { registerDegrade } from './commands/degrade';
import { registerExport } from './commands/export';
import { registerTrain } from './commands/train';
import { registerEval } from './commands/eval';
import { registerSimilarity } from './commands/similarity';
import { registerJobs } from './commands/jobs';
import { registerSearch } from './commands/search';
import { registerZoo } from './commands/zoo';
import { registerSelectRestore } from './commands/select-restore';
import { registerRouter } from './commands/router';
import { registerWorker } from './commands/worker';

/** Every grids command (main.ts parses the command line with it; tests read its options). */
export function buildProgram(): Command {
  const program = new Command()
    .name('grids')
    .description('GRIDS companion CLI: train restorers and the degradation descriptor with tfjs, export ONNX, evaluate, build the similarity matrix, search groups, build the model zoo')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  registerDegrade(program);
  registerTrain(program);
  registerExport(program);
  registerEval(program);
  registerSimilarity(program);
  registerJobs(program);
  registerSearch(program);
  registerZoo(program);
  registerSelectRestore(program);
  registerRouter(program);
  registerWorker(program);
  return program;
}
