#!/usr/bin/env bash
# Run the whole test suite (set-up first, so it works on a fresh clone).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
