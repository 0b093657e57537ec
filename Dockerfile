# allot container image: two stages on node:20-bookworm-slim.
# Build needs only the npm registry. Prisma's native engines are never downloaded: the client
# runs through driver adapters (pg / PGlite) and `prisma generate` is satisfied by the stub
# schema engine in scripts/ (see prisma.config.ts and docs/decisions.md).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# `prisma generate` insists that a schema-engine binary exists (it never runs it): the stub.
ENV PRISMA_SCHEMA_ENGINE_BINARY=/app/scripts/no-schema-engine.sh \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json ./
# No install scripts: nothing allot runs needs one, and it keeps @prisma/engines from even
# trying its download. The layer is reused until the lock file changes.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY src ./src
# `prisma generate` (driver-adapter client, no engine) and tsc to dist/, then drop dev packages.
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ALLOT_DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The admin page's static files (plain ES modules, served as written: no build output).
COPY src/admin/web/static ./src/admin/web/static
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY prisma/migrations ./prisma/migrations
# The embedded database (when DATABASE_URL is unset) lives in /app/data: give it to the
# unprivileged user that runs the service.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
VOLUME ["/app/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/allot.js", "serve"]
