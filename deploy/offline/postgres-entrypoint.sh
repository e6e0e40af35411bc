#!/bin/sh
# The official postgres image's contract, for the stand-in: `postgres ARGS` on an empty
# $PGDATA first creates a cluster whose superuser is $POSTGRES_USER with $POSTGRES_PASSWORD
# (scram-sha-256 over TCP), and the database $POSTGRES_DB; then runs the server as `postgres`.
set -eu
if [ "${1:-}" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    user=${POSTGRES_USER:-postgres}
    database=${POSTGRES_DB:-$user}
    printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
    chown postgres /tmp/pwfile
    setpriv --reuid=postgres --regid=postgres --init-groups \
      initdb --username="$user" --pwfile=/tmp/pwfile --auth-local=trust \
      --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f /tmp/pwfile
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    if [ "$database" != postgres ]; then
      echo "CREATE DATABASE \"$database\"" | setpriv --reuid=postgres --regid=postgres \
        --init-groups postgres --single -D "$PGDATA" -j postgres >/dev/null
    fi
    echo "docker-entrypoint: created the cluster, user $user, database $database"
  fi
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
fi
exec "$@"
