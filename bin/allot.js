#!/usr/bin/env node
// Entry point of the `allot` command. The TypeScript is compiled to dist/ by `npm ci`
// (postinstall) and by `npm start` (prestart).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('allot is not built yet: run `npm run build` (npm ci does it for you).');
  process.exit(1);
}
await import(main.href);
