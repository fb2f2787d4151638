# One image recipe for both services; pick one with the target:
#   docker build --target auth-api -t jwt-token/auth-api .
#   docker build --target resource-api -t jwt-token/resource-api .
# docker-compose.yml builds both.

ARG NODE_IMAGE=node:20-bookworm-slim

# Compilers for better-sqlite3, which builds from source on install.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false SCARF_ANALYTICS=false
# The manifests alone first, so that dependency layers survive source changes.
COPY package.json package-lock.json .npmrc ./
COPY apps/auth-api/package.json apps/auth-api/
COPY apps/resource-api/package.json apps/resource-api/
COPY libs/auth/package.json libs/auth/
COPY libs/service-kit/package.json libs/service-kit/

# Everything, dev tools included, to compile the TypeScript.
FROM toolchain AS build
RUN npm ci
COPY . .
RUN npm run build

# Production dependencies only, compiled here so that the runtime image carries no compiler.
FROM toolchain AS prod-deps
RUN npm ci --omit=dev

# What both services run on: node_modules (the workspace symlinks point at libs/*), the built libs.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY libs/auth/package.json libs/auth/
# The library's own dependencies that npm could not hoist (lru-cache 11 beside the root's older one).
COPY --from=prod-deps /app/libs/auth/node_modules libs/auth/node_modules
COPY --from=build /app/libs/auth/dist libs/auth/dist
COPY libs/service-kit/package.json libs/service-kit/
COPY --from=build /app/libs/service-kit/dist libs/service-kit/dist
# Files stay owned by root and read-only to the process; only /data is writable.
RUN mkdir -p /data && chown node:node /data

FROM runtime AS auth-api
COPY apps/auth-api/package.json apps/auth-api/
COPY --from=build /app/dist/apps/auth-api dist/apps/auth-api
# DATA_DIR holds the SQLite file when DATABASE_URL is not set (mount a volume there to keep it).
ENV PORT=3000 DATA_DIR=/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/auth-api/main.js"]

FROM runtime AS resource-api
COPY apps/resource-api/package.json apps/resource-api/
COPY --from=build /app/dist/apps/resource-api dist/apps/resource-api
ENV PORT=3001
USER node
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/resource-api/main.js"]
