# Sourced by ./chorus: idempotent installation of what the project needs.
SYSTEM_PACKAGES=(postgresql redis-server nginx)
# Binaries that prove a package is present (PostgreSQL's live outside PATH on Debian).
missing_system_packages() {
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  echo "${missing[@]}"
}

ensure_system_packages() {
  local missing
  missing=$(missing_system_packages)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "chorus: missing system packages: $missing — install them (sudo apt-get install $missing) or run as root" >&2
    exit 1
  fi
  echo "chorus: installing system packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  # Debian starts the packaged services; Chorus runs its own instances on other ports.
  for service in postgresql redis-server nginx; do
    service "$service" stop >/dev/null 2>&1 || true
  done
}

ensure_venv() {
  local stamp=.venv/.chorus-installed
  local wanted
  wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  echo "chorus: preparing the Python environment in .venv"
  [ -x .venv/bin/python ] || python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$wanted" >"$stamp"
}
