#!/bin/sh
# The official redis image's contract, for the stand-in: `redis-server ARGS` without a config
# file runs with protected mode off, so other containers of the network may connect (the
# network is the boundary, as with the official image).
set -eu
if [ "${1:-}" = redis-server ]; then
  case "${2:-}" in
    *.conf) ;;
    *) set -- "$@" --protected-mode no ;;
  esac
fi
exec "$@"
