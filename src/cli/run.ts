import { ConfigError } from '../config/index.js';
import { AppError } from '../shared/errors.js';

/** Runs a CLI action: known failures print one line and exit 1, never a stack trace. */
export async function runCommand(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`allot: configuration error: ${e.message}`);
    } else if (e instanceof AppError) {
      console.error(`allot: ${e.message}`);
    } else {
      console.error(`allot: ${(e as Error).message ?? String(e)}`);
      if (process.env['ALLOT_DEBUG']) console.error((e as Error).stack);
    }
    process.exitCode = 1;
  }
}
