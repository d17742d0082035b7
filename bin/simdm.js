#!/usr/bin/env node
// The installed `simdm` command: runs the compiled JavaScript in dist/ (built by `npm run build`,
// and by `npm pack` / `npm install` from a checkout through the `prepare` script). Developers and
// the tests run the sources instead: `npm run simdm -- ARGS` (node --import tsx src/cli/main.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('simdm: not built (no dist/): run `npm run build` in the checkout, or `npm run simdm -- ARGS` to run the sources\n');
  process.exit(1);
}
await import(main.href);
