# The load balancer: nginx with nginx/chorus.conf.template rendered by launcher/nginx.py in
# "compose" mode (upstreams text-service-a:8000 ... agent-supervisor:8000, listen 80, logs to
# stdout/stderr) at build time, so the image always carries the template of its commit.
# Build context: the repository root. RATE_LIMIT: per agent token (CHORUS_RATE_LIMIT).

# PYTHON_IMAGE, NGINX_IMAGE: the bases (deploy/offline-images.sh builds stand-ins where Docker
# Hub is out of reach).
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm
ARG NGINX_IMAGE=nginx:1.25.5-bookworm

# deps: the project's Python dependencies (pyproject.toml) in a virtualenv. PySide6 is the
# desktop client's and stays out of the services' images.
FROM ${PYTHON_IMAGE} AS deps
# Extra CA certificates (PEM) that pip trusts while it downloads, where a TLS proxy stands in
# front of PyPI: a build argument of this stage only, so no image that ships carries them.
ARG BUILD_CA_CERTS=""
WORKDIR /build
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d for d in deps if not d.lower().startswith('pyside6')))" > requirements.txt \
 && if [ -n "$BUILD_CA_CERTS" ]; then \
      cat /etc/ssl/certs/ca-certificates.crt > /tmp/build-ca.pem \
      && printf '%s\n' "$BUILD_CA_CERTS" >> /tmp/build-ca.pem \
      && export PIP_CERT=/tmp/build-ca.pem; \
    fi \
 && python -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --disable-pip-version-check -r requirements.txt \
 && rm -f /tmp/build-ca.pem

# render: the same call the local launcher makes, in compose mode.
FROM deps AS render
WORKDIR /src
COPY launcher/ launcher/
COPY nginx/ nginx/
ARG RATE_LIMIT=10r/m
RUN /venv/bin/python -c "import os, pathlib; from launcher import nginx; pathlib.Path('/chorus.conf').write_text(nginx.render('compose', rate_limit=os.environ['RATE_LIMIT']))"

FROM ${NGINX_IMAGE}
COPY --from=render /chorus.conf /etc/nginx/chorus.conf
# Workers and master as the image's unprivileged `nginx` user: the config keeps its pid and
# temporary files in /tmp and logs to stdout/stderr. Port 80 needs no privilege inside a
# container (Docker sets net.ipv4.ip_unprivileged_port_start=0; the Kubernetes manifest
# sets the same sysctl).
USER nginx
EXPOSE 80
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1/health"]
# No docker-entrypoint.sh: its scripts rewrite /etc/nginx/conf.d, which this config never reads.
ENTRYPOINT []
CMD ["nginx", "-c", "/etc/nginx/chorus.conf"]
