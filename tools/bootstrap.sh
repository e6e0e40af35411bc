# Sourced by ./chorus: idempotent installation of what the project needs.
# Services: postgresql, redis-server, nginx. Dashboard: nodejs, npm. Browser tests and the run
# report's PDF: chromium; its page check: poppler-utils (pdftoppm).
# Fault injection: faketime, iptables. Compose validation: docker-compose. The desktop
# client's Qt offscreen runtime: below.
QT_RUNTIME_PACKAGES=(libglib2.0-0 libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 fonts-dejavu-core
  # a real window (Qt's xcb platform plugin, on a desktop or under Xvfb)
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-xkb1
  libxkbcommon-x11-0 libxcb-randr0 libxcb-shape0 libxcb-cursor0)
# Files that prove a package is present (PostgreSQL's binaries live outside PATH on Debian).
missing_system_packages() {
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/pdftoppm ] || missing+=(poppler-utils)
  [ -x /usr/bin/faketime ] || missing+=(faketime)
  [ -x /usr/sbin/iptables ] || missing+=(iptables)
  [ -x /usr/bin/docker-compose ] || missing+=(docker-compose)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  local package
  for package in "${QT_RUNTIME_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  echo "${missing[@]}"
}

# install_packages PACKAGE...: apt-get install as root, or say what to install.
install_packages() {
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "chorus: missing system packages: $* — install them (sudo apt-get install $*) or run as root" >&2
    exit 1
  fi
  echo "chorus: installing system packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_system_packages() {
  local missing
  missing=$(missing_system_packages)
  [ -z "$missing" ] && return 0
  # shellcheck disable=SC2086
  install_packages $missing
  # Debian starts the packaged services; Chorus runs its own instances on other ports.
  for service in postgresql redis-server nginx; do
    service "$service" stop >/dev/null 2>&1 || true
  done
}

# ./chorus test compose: a Docker engine (Debian's docker.io; dockerd started if none runs) and
# debootstrap, for the stand-in base images of a host that cannot pull from Docker Hub.
ensure_docker() {
  local missing=()
  [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  install_packages "${missing[@]}"
  docker info >/dev/null 2>&1 && return 0
  mkdir -p .state
  echo "chorus: starting dockerd (log: .state/dockerd.log)"
  nohup /usr/sbin/dockerd >.state/dockerd.log 2>&1 &
  local waited=0
  until docker info >/dev/null 2>&1; do
    if [ "$waited" -ge 30 ]; then
      echo "chorus: dockerd did not start within 30 s; see .state/dockerd.log" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
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

# The dashboard's node modules, reinstalled when its lock file changes.
ensure_frontend() {
  [ -f frontend/package-lock.json ] || return 0
  local stamp=frontend/node_modules/.chorus-installed
  local wanted
  wanted=$(sha256sum frontend/package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  echo "chorus: installing the dashboard's node modules (npm ci)"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  echo "$wanted" >"$stamp"
}
