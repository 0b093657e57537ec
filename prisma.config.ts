import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Offline: `prisma generate` insists that a schema-engine binary exists (it never runs it)
// and would otherwise try to download one from Prisma's binary host, which fails behind
// a proxy. Migrations never use the Prisma CLI: see scripts/prisma-migrations.mjs and
// src/db/migrate.ts.
process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ??= path.resolve('scripts/no-schema-engine.sh');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
