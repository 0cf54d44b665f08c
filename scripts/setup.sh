#!/usr/bin/env bash
# Set up everything cleaner needs on this machine: a virtualenv with cleaner and its
# test tools, Debian's Chromium (for report screenshots and browser tests) and the
# LanguageTool server from Maven Central. Safe to run again: finished steps are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi

stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing cleaner and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: note: chromium is not installed; browser tests need it (Debian: sudo apt-get install chromium)"
  fi
fi

if .venv/bin/cleaner languagetool --help >/dev/null 2>&1; then
  .venv/bin/cleaner languagetool install
fi
