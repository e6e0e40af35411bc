# A Text Service node: `python -m text_node` (settings: TEXT_NODE_* variables), port 8000.
# Build context: the repository root.

# PYTHON_IMAGE: the base (deploy/offline-images.sh builds a stand-in where Docker Hub is out
# of reach).
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

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

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 chorus \
 && useradd --system --uid 10001 --gid chorus --home-dir /app --no-create-home chorus
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TEXT_NODE_HOST=0.0.0.0 \
    TEXT_NODE_PORT=8000
WORKDIR /app
COPY --from=deps /venv /venv
COPY service_kit/ service_kit/
COPY crdt_core/ crdt_core/
COPY text_node/ text_node/
USER chorus
EXPOSE 8000 8001
# Healthy only once migrated and caught up from the peers: /health is 200 only then.
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=5 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"TEXT_NODE_PORT\", \"8000\")}/health', timeout=2)"]
CMD ["python", "-m", "text_node"]
