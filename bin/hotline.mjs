#!/usr/bin/env node
// The `hotline` command: runs the TypeScript sources directly (tsx), so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
await main(process.argv);
