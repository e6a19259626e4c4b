#!/usr/bin/env bash
# Installs everything dsgvo-gen and its tests need on a fresh Debian machine:
# system libraries for WeasyPrint, fonts, Chromium for the browser tests, and a
# virtual environment in .venv with the package and its test extras.
# Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

apt_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
              chromium poppler-utils pipx tesseract-ocr)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: please install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup.sh: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# An editable install is not byte-compiled, and with PYTHONDONTWRITEBYTECODE set (as on
# CI machines) every dsgvo-gen run would compile the package again: ~40 ms per start.
.venv/bin/python -m compileall -q src >/dev/null

# axe-core for the browser tests' accessibility checks (pinned in package-lock.json).
if command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --silent
else
  echo "setup.sh: npm is missing; the browser tests need it for axe-core" >&2
  exit 1
fi
