#!/usr/bin/env bash
# Set everything up (a virtual environment in .venv) and run the whole test suite.
# PostgreSQL tests use postgresql://postgres@127.0.0.1:5432/test; they skip when
# no server answers, and fail instead when LEDGER_REQUIRE_POSTGRES=1.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -m pytest "$@"
