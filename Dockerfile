# syntax=docker/dockerfile:1
# One image for every ktrdr service: the API and the research worker (whichever queues
# KTRDR_WORKER_QUEUES names). docker-compose.yml picks the command per service.
# The base image is pinned to an exact Node release (the one CI runs); bump it deliberately.
# With KTRDR_API_HOST=0.0.0.0 below, the API refuses to start without KTRDR_API_TOKEN (SPEC §11).
ARG NODE_IMAGE=node:20.20.0-bookworm-slim

# --- manifests: only the workspace package.json files (and bin stubs), so `npm ci` below is
#     re-run only when dependencies change, not on every source edit. New workspaces need no edit here.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY apps apps
COPY libs libs
RUN find apps libs -type f ! -name package.json ! -path '*/bin/*' -delete \
 && find apps libs -type d -empty -delete

# --- build: install everything (TypeScript is a dev dependency), compile, then drop dev deps.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json ./
COPY --from=manifests /app ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY apps apps
COPY libs libs
COPY tools tools
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf apps/*/src libs/*/src tools \
 && find apps libs -name '*.tsbuildinfo' -delete

# --- runtime: compiled output and production dependencies only, run as the unprivileged node user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    KTRDR_API_HOST=0.0.0.0 \
    KTRDR_STRATEGIES_DIR=/app/strategies \
    KTRDR_DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
# Import sources, not storage: the API imports the shipped strategies (and any CSVs in data/) into
# Redis at start, where every service reads them; trained models live only in Redis. The strategy
# store writes a copy of what it saves through to strategies/, so the node user owns both.
COPY --chown=node:node strategies ./strategies
RUN mkdir -p data && chown node:node data
USER node
# 8000: the API. 9464: a worker's health port (GET /health, GET /metrics).
EXPOSE 8000 9464
CMD ["node", "apps/api/dist/main.js"]
