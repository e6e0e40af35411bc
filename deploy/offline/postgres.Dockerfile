# Stand-in for postgres:15-bookworm, from Debian's packages (deploy/offline-images.sh): the
# server and pg_isready, and an entrypoint that honours POSTGRES_USER, POSTGRES_PASSWORD and
# POSTGRES_DB on an empty data directory, as the official image's does.
ARG DEBIAN_IMAGE=chorus-offline/debian:bookworm
FROM ${DEBIAN_IMAGE}
# No cluster from the package's own scripts: the entrypoint makes the one the container uses.
RUN mkdir -p /etc/postgresql-common \
 && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
