/**
 * The floor under an ACS login, for bench/acs.ts: what any login built on the stack must
 * spend besides validation. One Express 5 route with the same body limit: the form parsed, the
 * response validated by node-saml (same options as the ACS), then one transaction of five round
 * trips on a pg pool (BEGIN, three one-row statements, COMMIT: a repeat login's count; BENCH_FLOOR=0
 * for none) and a 303.
 * No checks of our own, no JIT, no session, no audit, no logging: allot's ACS cannot be cheaper.
 */
import express from 'express';
import pg from 'pg';
import { parseAcsForm } from '../../src/saml/checks/body.js';
import type { MintTarget } from '../../src/demo/mint.js';
import { bareSaml } from './saml-pool.js';

export const FLOOR_PATH = '/floor';

export function floorApp(target: MintTarget, cert: string, dbUrl: string, poolSize: number, roundTrips = 5): { app: express.Express; close: () => Promise<void> } {
  const saml = bareSaml(target, cert);
  const pool = new pg.Pool({ connectionString: dbUrl, max: poolSize });
  const app = express();
  app.post(FLOOR_PATH, express.raw({ type: () => true, limit: 64 * 1024 }), async (req, res) => {
    const form = parseAcsForm(req.body);
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: form.samlResponse });
    if (roundTrips > 0) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (let i = 2; i < roundTrips; i++) await client.query('SELECT $1::text AS v', [profile?.nameID]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    }
    res.redirect(303, '/');
  });
  return { app, close: () => pool.end() };
}
