import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

describe('allot serve --workers', () => {
  it('refuses several workers on the embedded database, naming DATABASE_URL', async () => {
    const r = await runCli(['serve', '--workers', '2', '--port', '0'], { DATABASE_URL: undefined, ALLOT_DATA_DIR: 'memory://' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--workers above 1 needs DATABASE_URL');
  });

  it('refuses a worker count that is not a positive integer', async () => {
    const r = await runCli(['serve', '--workers', 'many', '--port', '0'], { DATABASE_URL: undefined, ALLOT_DATA_DIR: 'memory://' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--workers: must be an integer from 1 to 64');
  });
});
