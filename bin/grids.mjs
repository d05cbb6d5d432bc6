#!/usr/bin/env node
// The `grids` CLI runs its TypeScript sources directly (tsx), so the CLI and the browser share
// src/core with no separate build step.
import './register.mjs';

await import('../src/cli/main.ts');
