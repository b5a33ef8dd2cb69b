#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ (npm install builds it; npm start rebuilds).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('hr-courier is not built yet: run `npm run build` (or `npm install`) first.\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
