#!/usr/bin/env node
// Entry point of the `allot` command. The TypeScript is compiled to dist/ by `npm ci`
// (postinstall) and by `npm start` (prestart).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('allot is not built yet: run `npm run build` (npm ci does it for you).');
  process.exit(1);
}

// `allot redistribute` runs the job in a Node process whose old generation is capped
// (ALLOT_JOB_HEAP_MB, default 128; 0 or an explicit --max-old-space-size leaves Node's default).
// The job's live data is one or two batches; without a cap V8 lets garbage grow the heap to
// several hundred MB before collecting it. The cap can only be set when Node starts, hence
// the second process; this one waits for it and passes its exit code on.
const heapMb = Number(process.env.ALLOT_JOB_HEAP_MB ?? 128);
const capped = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((f) => f.includes('--max-old-space-size'));
if (process.argv[2] === 'redistribute' && heapMb > 0 && !capped) {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Ctrl-C reaches both processes (one process group): the job process cancels the job itself.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await import(main.href);
}
