#!/usr/bin/env bash
# Installs what the course needs, then returns: Debian packages (with apt-get when run as root,
# otherwise a message naming them), a virtual environment in .venv, and the Python packages.
# Sourced by scripts/serve and scripts/test; safe to run again (it only does what is missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${COURSE_VENV:-$ROOT/.venv}"
RUNTIME_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
TEST_PACKAGES=(chromium poppler-utils)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

install_system_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "Not a Debian system: make sure Pango, HarfBuzz (with hb-subset) and, for the tests," \
        "Chromium and poppler-utils are installed."
    return
  fi
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "Installing system packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "These system packages are missing: ${missing[*]}" >&2
    echo "Install them, then run this command again:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
        'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Python 3.11 or newer (with venv) is needed; set PYTHON=/path/to/python3.11" >&2
  exit 1
}

pip_quietly() {  # pip, without the warnings some machines' pip configuration prints per package
  "$VENV/bin/python" -m pip --quiet --disable-pip-version-check "$@" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

install_python_packages() {
  local extras="$1" stamp want
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in $VENV"
    "$(find_python)" -m venv "$VENV"
  fi
  stamp="$VENV/.course-installed-${extras:-runtime}"
  want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16) $extras"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "Installing the Python packages${extras:+ ($extras)}"
    pip_quietly install --upgrade pip
    pip_quietly install -e "$ROOT${extras:+[$extras]}"
    echo "$want" > "$stamp"
  fi
}

AXE_DIR="$ROOT/tests/browser"  # axe-core for the accessibility test, in a folder the tests own

install_axe() {  # the npm registry's axe-core, once; without npm the test says it is skipped
  [ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] && return
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: the axe-core accessibility test will be skipped" >&2
    return
  fi
  say "Installing axe-core for the accessibility test"
  npm install --prefix "$AXE_DIR" --no-save --no-audit --no-fund --loglevel=error axe-core@4
}

# bootstrap runtime|test
bootstrap() {
  case "$1" in
    runtime) install_system_packages "${RUNTIME_PACKAGES[@]}"; install_python_packages "" ;;
    test) install_system_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
          install_python_packages "test"
          install_axe ;;
  esac
}
