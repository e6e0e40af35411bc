# Stand-in for node:20-bookworm-slim, from Debian's packages (deploy/offline-images.sh):
# Debian's Node.js 18 (Next 15 needs >= 18.18) and npm, and the official image's `node` user.
ARG DEBIAN_IMAGE=chorus-offline/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/sh --create-home node
CMD ["node"]
