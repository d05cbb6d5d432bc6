import { buildProgram } from './program';
import { stopWithWorker } from './queue/job-channel';

stopWithWorker();
buildProgram().parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`grids: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
