#!/usr/bin/env bash
# The whole test suite: lint, types, tests with line coverage, and the per-package coverage bar.
# Hypothesis profile: CHORUS_HYPOTHESIS_PROFILE=ci (default) or deep.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy"
mypy $(ls -d crdt_core service_kit wording text_node chat analytics agents desktop launcher faults run_report \
  property_tests tests bench tools 2>/dev/null)
if [ -f frontend/package.json ]; then
  echo "== dashboard (frontend/: types, lint, component tests, next build)"
  (cd frontend && npm run --silent check)
fi
echo "== pytest (profile: ${CHORUS_HYPOTHESIS_PROFILE:-ci})"
rm -f .coverage coverage.json
pytest --cov --cov-report=term --cov-report=json:coverage.json "$@"
echo "== coverage bar (every package >= 70 %)"
python tools/coverage_gate.py coverage.json 70
