# Stand-in for python:3.11-slim-bookworm, from Debian's packages (deploy/offline-images.sh):
# python3.11 with venv, `python` on PATH, Debian's CA certificates.
ARG DEBIAN_IMAGE=chorus-offline/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
