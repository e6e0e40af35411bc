#!/usr/bin/env bash
# Base images for a host that cannot pull from Docker Hub, built from Debian's packages:
# debootstrap (minbase bookworm) → `docker import` chorus-offline/debian:bookworm, then the
# stand-ins in deploy/offline/ for python, node, postgres, redis and nginx (tagged
# chorus-offline/NAME:bookworm). Prints the settings that point docker-compose.yml at them:
#
#   deploy/offline-images.sh                 # needs root (debootstrap) and a running dockerd
#   eval "$(deploy/offline-images.sh --print)"   # only the settings, nothing built
#
# With Docker Hub reachable none of this is needed: the Dockerfiles and compose default to
# the official images. DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian).
set -euo pipefail
cd "$(dirname "$0")/.."
STANDINS=(python node postgres redis nginx)

settings() {
  echo "export CHORUS_PYTHON_IMAGE=chorus-offline/python:bookworm"
  echo "export CHORUS_NODE_IMAGE=chorus-offline/node:bookworm"
  echo "export CHORUS_POSTGRES_IMAGE=chorus-offline/postgres:bookworm"
  echo "export CHORUS_REDIS_IMAGE=chorus-offline/redis:bookworm"
  echo "export CHORUS_NGINX_IMAGE=chorus-offline/nginx:bookworm"
}
if [ "${1:-}" = --print ]; then
  settings
  exit 0
fi

# debian: the root file system of a minimal bookworm, without documentation or manuals (as
# the official slim images), and no service started by a package's install scripts.
if ! docker image inspect chorus-offline/debian:bookworm >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { echo "offline-images: install debootstrap" >&2; exit 1; }
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  echo "offline-images: debootstrap bookworm (minbase) ..." >&2
  debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'SLIM'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
SLIM
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{man,info,locale}/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - chorus-offline/debian:bookworm >&2
fi
for name in "${STANDINS[@]}"; do
  start=$SECONDS
  docker build --quiet -f "deploy/offline/$name.Dockerfile" -t "chorus-offline/$name:bookworm" \
    deploy/offline >/dev/null
  echo "offline-images: chorus-offline/$name:bookworm built in $((SECONDS - start)) s," \
    "$(docker image inspect --format '{{.Size}}' "chorus-offline/$name:bookworm" \
      | awk '{printf "%d MB", $1 / 1e6}')" >&2
done
settings
