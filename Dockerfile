# syntax=docker/dockerfile:1
# One image for every ktrdr service: the API and the research worker (whichever queues
# KTRDR_WORKER_QUEUES names). docker-compose.yml picks the command per service.

# --- manifests: only the workspace package.json files (and bin stubs), so `npm ci` below is
#     re-run only when dependencies change, not on every source edit. New workspaces need no edit here.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY apps apps
COPY libs libs
RUN find apps libs -type f ! -name package.json ! -path '*/bin/*' -delete \
 && find apps libs -type d -empty -delete

# --- build: install everything (TypeScript is a dev dependency), compile, then drop dev deps.
FROM node:20-bookworm-slim AS build
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
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    KTRDR_API_HOST=0.0.0.0 \
    KTRDR_STRATEGIES_DIR=/app/strategies
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
# Strategies and models are written at run time (compose mounts volumes here); the node user owns them.
COPY --chown=node:node strategies ./strategies
RUN mkdir -p models && chown node:node models
USER node
EXPOSE 8000
CMD ["node", "apps/api/dist/main.js"]
