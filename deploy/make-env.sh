#!/usr/bin/env bash
# Write a .env for docker compose / Kubernetes from .env.example with fresh random secrets:
# the service token, one token per agent (agent-1..agent-50), the operator's token, the
# PostgreSQL password. Other lines are copied; KEY=VALUE arguments override them.
#
#   deploy/make-env.sh [OUTPUT] [KEY=VALUE ...]     OUTPUT defaults to .env; never overwritten
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
output=.env
if [ $# -gt 0 ] && [[ "$1" != *=* ]]; then
  output=$1
  shift
fi
if [ -e "$output" ]; then
  echo "make-env: $output exists; delete it first to generate new secrets" >&2
  exit 1
fi
declare -A overrides=()
for pair in "$@"; do
  if [[ "$pair" != *=* ]]; then
    echo "make-env: expected KEY=VALUE, got '$pair'" >&2
    exit 2
  fi
  overrides[${pair%%=*}]=${pair#*=}
done

secret() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

agent_tokens() {
  local pairs=() n
  for n in $(seq 1 50); do
    pairs+=("agent-$n:$(secret)")
  done
  local IFS=,
  echo "${pairs[*]}"
}

umask 077
{
  while IFS= read -r line || [ -n "$line" ]; do
    key=${line%%=*}
    if [[ "$line" == \#* || "$line" != *=* ]]; then
      echo "$line"
    elif [ -n "${overrides[$key]+set}" ]; then
      echo "$key=${overrides[$key]}"
      unset "overrides[$key]"
    else
      case "$key" in
        CHORUS_SERVICE_TOKEN | CHORUS_OPERATOR_TOKEN | CHORUS_POSTGRES_PASSWORD) echo "$key=$(secret)" ;;
        CHORUS_AGENT_TOKENS) echo "$key=$(agent_tokens)" ;;
        *) echo "$line" ;;
      esac
    fi
  done <"$root/.env.example"
  for key in "${!overrides[@]}"; do
    echo "$key=${overrides[$key]}"
  done
} >"$output"
echo "make-env: wrote $output (keep it secret: it holds every token)"
