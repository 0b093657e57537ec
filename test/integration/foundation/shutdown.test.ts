import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../../src/http/server.js';
import { createTestApp } from '../../helpers/app.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.destroy());

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('graceful shutdown', () => {
  it('finishes the request in flight, then stops accepting connections', async () => {
    const entered = gate();
    const release = gate();
    const t = createTestApp(db, [
      (app) =>
        app.get('/slow', async (_req, res) => {
          entered.open();
          await release.promise;
          res.json({ finished: true });
        }),
    ]);
    const server = await listen(t.app, 0, '127.0.0.1', t.deps.logger);
    const base = `http://127.0.0.1:${String(server.port)}`;

    const inFlight = fetch(`${base}/slow`);
    await entered.promise;
    let stopped = false;
    const stopping = server.stop().then(() => (stopped = true));

    // The server waits for the request it is serving.
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release.open();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ finished: true });
    await stopping;
    expect(stopped).toBe(true);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    // It did not have to cut the kept-alive connection after the grace period.
    expect(t.logText()).not.toContain('grace period');
  });
});
