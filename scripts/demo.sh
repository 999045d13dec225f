#!/usr/bin/env bash
# Set everything up (a virtual environment in .venv), load the demo into ./ledger.db (SQLite),
# print a token for each role, and serve the API and its docs on http://127.0.0.1:8000.
# Extra arguments go to `ledger serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/ledger serve --demo "$@"
