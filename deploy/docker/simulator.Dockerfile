# syntax=docker/dockerfile:1.7
# The offline LLM simulator (OpenAI-compatible, not a model): `python -m agents.simulator` (settings: SIMULATOR_* variables), port 8000.
# Build context: the repository root.

# deps: the project's Python dependencies (pyproject.toml) in a virtualenv. PySide6 is the
# desktop client's and stays out of the services' images.
FROM python:3.11.11-slim-bookworm AS deps
WORKDIR /build
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d for d in deps if not d.lower().startswith('pyside6')))" > requirements.txt \
 && python -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --disable-pip-version-check -r requirements.txt

FROM python:3.11.11-slim-bookworm
RUN groupadd --system --gid 10001 chorus \
 && useradd --system --uid 10001 --gid chorus --home-dir /app --no-create-home chorus
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SIMULATOR_HOST=0.0.0.0 \
    SIMULATOR_PORT=8000
WORKDIR /app
COPY --from=deps /venv /venv
COPY service_kit/ service_kit/
COPY crdt_core/ crdt_core/
COPY agents/ agents/
USER chorus
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"SIMULATOR_PORT\", \"8000\")}/v1/models', timeout=2)"]
CMD ["python", "-m", "agents.simulator"]
