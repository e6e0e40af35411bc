# Stand-in for nginx:1.25-bookworm, from Debian's packages (deploy/offline-images.sh): nginx,
# curl, the official image's `nginx` user, and the logs on stdout/stderr.
ARG DEBIAN_IMAGE=chorus-offline/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --shell /usr/sbin/nologin nginx \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
