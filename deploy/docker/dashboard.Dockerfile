# The web dashboard (Next.js 15, frontend/): `node server.js` (the standalone build) on port 3000.
# Build context: the repository root.

# NODE_IMAGE: the base (deploy/offline-images.sh builds a stand-in where Docker Hub is out of
# reach).
ARG NODE_IMAGE=node:20.18.1-bookworm-slim

# deps: exactly the lock file's packages.
FROM ${NODE_IMAGE} AS deps
# Extra CA certificates (PEM) that npm trusts while it downloads, where a TLS proxy stands in
# front of the registry: a build argument of this stage only, so no image that ships carries
# them.
ARG BUILD_CA_CERTS=""
WORKDIR /app
COPY frontend/package.json frontend/package-lock.json ./
RUN if [ -n "$BUILD_CA_CERTS" ]; then \
      printf '%s\n' "$BUILD_CA_CERTS" > /tmp/build-ca.pem \
      && export NODE_EXTRA_CA_CERTS=/tmp/build-ca.pem; \
    fi \
 && npm ci --no-audit --no-fund --loglevel=error \
 && rm -f /tmp/build-ca.pem

# build: the production build as a standalone server (server.js and the node_modules it
# traces), so neither the build tools nor the rest of node_modules reach the image.
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1 \
    NEXT_OUTPUT=standalone
COPY frontend/ ./
RUN npm run build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
# The base image's unprivileged user.
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
