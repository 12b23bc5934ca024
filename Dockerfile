# syntax=docker/dockerfile:1
# One image for every leadsync process; the command picks which (see docker-compose.yml):
#   node apps/api/dist/server.js        the API (the default)
#   node apps/worker/dist/worker.js     a sync worker (run as many as you like)
#   node packages/db/dist/migrate-cli.js  apply supabase/migrations to DATABASE_URL, then exit
#   node apps/cli/dist/cli.js <command>   the leadsync CLI (apps/cli; every apps/* dist is in the image)
# The `demo` stage (docker-compose.yml's demo profile) adds the Zoho simulator; the product image
# (the last stage) contains neither it nor any other tooling, TypeScript source or dev dependency.
ARG NODE_VERSION=24

# --- build: every dependency, tsc and the embed bundles -------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npx tsx scripts/release.ts /release

# --- demo: the build stage with the simulator, for `docker compose --profile demo` only -----
FROM build AS demo
ENV NODE_ENV=development
USER node
CMD ["node", "tooling/zoho-sim/dist/bin.js", "--host", "0.0.0.0", "--port", "4010"]

# --- runtime: compiled output and production dependencies only -------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY --from=build /release ./
# The same install the release test runs (tests/release): the lockfile, production dependencies only.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
 && mkdir .cache && chown node:node .cache
# The image's files belong to root and are read-only to the process, which runs unprivileged;
# only .cache is the process's: V8's compile cache, filled here so a fresh container starts warm.
# Every module the API, the worker, the CLI and the migrations load at start is compiled by this
# image's node into /app/.cache/node-compile-cache (@leadsync/config/compile-cache;
# NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off). It is filled as the
# node user because Node keeps one cache per user id, and uses a folder only if it may write it.
USER node
RUN node packages/config/dist/compile-cache.js \
      apps/api/dist/main.js apps/worker/dist/main.js apps/cli/dist/main.js packages/db/dist/migrate-main.js
EXPOSE 3000
# Node 24 has fetch; the image needs no curl. /readyz is 200 once Redis and Supabase answer.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; the API and the worker handle it by
# draining (in-flight requests, batches in flight). Run with `--init` (compose: init: true) so
# a zombie child is reaped too.
STOPSIGNAL SIGTERM
CMD ["node", "apps/api/dist/server.js"]
