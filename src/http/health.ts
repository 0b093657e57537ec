import { Router } from 'express';
import type { Db } from '../db/client.js';

export function healthRouter(db: Db, onError?: (e: unknown) => void): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready = the database answers and every migration is applied.
  router.get('/readyz', async (_req, res) => {
    try {
      await db.ping();
      const pending = await db.pendingMigrations();
      if (pending.length) {
        res.status(503).json({ status: 'unavailable', reason: 'migrations pending', pending });
        return;
      }
      res.json({ status: 'ready', database: db.kind });
    } catch (e) {
      onError?.(e);
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  return router;
}
