// Lets Node run the project's TypeScript directly: `node --import ./bin/register.mjs file.ts`.
// tsx compiles TypeScript; the resolve hook lets tfjs-core's ES module build load (see the hook).
import { register as registerHook } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerHook('./tfjs-resolve-hook.mjs', import.meta.url);
registerTsx();
