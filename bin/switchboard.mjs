#!/usr/bin/env node
// The published entry point. switchboard runs its TypeScript sources directly through tsx's
// loader, so there is no build step between `npm ci` and `npx switchboard serve`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
