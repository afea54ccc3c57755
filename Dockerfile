# syntax=docker/dockerfile:1

# ---- build: compile TypeScript (and native modules, should a dependency need it) ----
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The workspace package's manifest too: npm ci links it, and the app compiles against its types.
COPY package.json package-lock.json ./
COPY packages/embedded-mongo/package.json ./packages/embedded-mongo/
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY packages/embedded-mongo/tsconfig.json packages/embedded-mongo/tsconfig.build.json ./packages/embedded-mongo/
COPY packages/embedded-mongo/src ./packages/embedded-mongo/src
COPY src ./src
# npm keeps workspace packages even with --omit=dev; --workspaces=false drops them and what
# only they need (the embedded database, mingo): production runs with DB_URI, never without.
RUN npm run build \
 && npm prune --omit=dev --workspaces=false --no-audit --no-fund

# ---- runtime: production dependencies and dist only, as a non-root user ----
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node public ./public
USER node
EXPOSE 8000
# No curl in the slim image: Node's fetch checks readiness (database reachable).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node itself is PID 1 and receives SIGTERM (the app handles it: exit 0 within 10 s).
CMD ["node", "dist/main.js"]
