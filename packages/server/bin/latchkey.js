#!/usr/bin/env node
// The published entry point: the CLI is compiled to dist/ by `npm run build` (run on install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    'latchkey: the server is not built yet. Run `npm install` (or `npm run build`) first.\n',
  );
  process.exit(1);
}
const { run } = await import(main.href);
await run(process.argv);
