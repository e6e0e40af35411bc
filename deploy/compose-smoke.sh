#!/usr/bin/env bash
# The spec's CI scenario against a running Chorus (docker compose, or ./chorus up): through the
# balancer, initialise a document, start 3 agents on the simulator, wait until the document
# has changed (version > 1) and analytics has counted edits, then stop the agents.
#
#   deploy/compose-smoke.sh [BASE_URL] [ENV_FILE]     defaults: http://127.0.0.1:8080 .env
# The operator token is CHORUS_OPERATOR_TOKEN, from the environment or ENV_FILE.
# SMOKE_TIMEOUT_S (default 240) bounds each wait.
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
env_file=${2:-.env}
timeout_s=${SMOKE_TIMEOUT_S:-240}
token=${CHORUS_OPERATOR_TOKEN:-}
if [ -z "$token" ] && [ -f "$env_file" ]; then
  token=$(sed -n 's/^CHORUS_OPERATOR_TOKEN=//p' "$env_file" | tail -n 1)
fi
if [ -z "$token" ]; then
  echo "smoke: no operator token: set CHORUS_OPERATOR_TOKEN or pass the .env file" >&2
  exit 2
fi
auth="Authorization: Bearer $token"

# field JSON NAME: one top-level field of a JSON document on stdin.
field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# wait_for WHAT COMMAND...: run COMMAND every 2 s until it succeeds, at most timeout_s.
wait_for() {
  local what=$1 deadline=$((SECONDS + timeout_s))
  shift
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "smoke: FAILED: $what within ${timeout_s} s" >&2
      return 1
    fi
    sleep 2
  done
  echo "smoke: ok: $what"
}

balancer_up() { curl -fsS "$base/health" >/dev/null 2>&1; }
version_above_1() {
  local version
  version=$(curl -fsS "$base/api/document/current" | field version) || return 1
  echo "smoke: version $version"
  [ "$version" -gt 1 ]
}
edits_counted() {
  local edits
  edits=$(curl -fsS "$base/api/analytics/metrics?period=1h" | field total_edits) || return 1
  echo "smoke: analytics counts $edits edits"
  [ "$edits" -gt 0 ]
}

wait_for "the balancer answers" balancer_up
curl -fsS -X POST "$base/api/document/init" -H "$auth" -H 'Content-Type: application/json' \
  -d '{"topic": "История искусственного интеллекта", "initial_text": "Искусственный интеллект — область информатики."}' \
  | field document_id
curl -fsS -X POST "$base/api/agents/start" -H "$auth" -H 'Content-Type: application/json' \
  -d '{"count": 3}' >/dev/null
echo "smoke: 3 agents started"
status=0
wait_for "the agents changed the document (version > 1)" version_above_1 || status=1
[ "$status" -ne 0 ] || wait_for "analytics has the edit events" edits_counted || status=1
curl -fsS -X POST "$base/api/agents/stop" -H "$auth" >/dev/null || status=1
echo "smoke: agents stopped"
exit "$status"
