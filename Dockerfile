# syntax=docker/dockerfile:1
# switchboard as a container. Node 26 is the Active LTS line (since October 2026); the
# project runs its TypeScript through tsx (a runtime dependency), so there is no build step:
# the final image holds the production dependencies, bin/ and src/, nothing else.
ARG NODE_VERSION=26

# ---- dependencies: production only (better-sqlite3 fetches a prebuilt binary or compiles) ----
FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime ----
FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SWITCHBOARD_DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the service user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
# /data: the SQLite database and the generated key file (keep a copy of the key elsewhere, or
# set SWITCHBOARD_SECRET). With DATABASE_URL (PostgreSQL) it only holds the instance id.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# The unprivileged user the official Node images ship (uid 1000).
USER node
EXPOSE 8080
# /readyz answers 200 once the store answers, 503 otherwise.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: stop accepting, let in-flight requests finish, give account leases back.
STOPSIGNAL SIGTERM
CMD ["node", "bin/switchboard.mjs", "serve"]
