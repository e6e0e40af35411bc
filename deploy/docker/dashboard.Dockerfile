# syntax=docker/dockerfile:1.7
# The web dashboard (Next.js 15, frontend/): `next start` on port 3000.
# Build context: the repository root.

# deps: exactly the lock file's packages.
FROM node:20.18.1-bookworm-slim AS deps
WORKDIR /app
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# build: the production build, then only the runtime dependencies are kept.
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY frontend/ ./
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20.18.1-bookworm-slim
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app ./
# The base image's unprivileged user.
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node_modules/.bin/next", "start", "-p", "3000"]
