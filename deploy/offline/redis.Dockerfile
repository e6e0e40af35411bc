# Stand-in for redis:7-bookworm, from Debian's packages (deploy/offline-images.sh): redis-server
# and redis-cli, run as `redis` in /data as the official image does.
ARG DEBIAN_IMAGE=chorus-offline/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data && chown redis:redis /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
USER redis
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
