#!/usr/bin/env bash
# What the browser test needs, installed only when missing: Debian's chromium and chromium-driver
# (apt-get, as root or through sudo) and selenium (pip, into the course's .venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver
fi
if ! "$PY" -c "import selenium" 2>/dev/null; then
    "$PY" -m pip install "selenium>=4.10"
fi
chromium --version
chromedriver --version
"$PY" -c "import selenium; print('selenium', selenium.__version__)"
