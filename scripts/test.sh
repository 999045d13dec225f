#!/usr/bin/env bash
# Set everything up (a virtual environment in .venv) and run the whole test suite.
# PostgreSQL tests use postgresql://postgres@127.0.0.1:5432/test; they skip when
# no server answers, and fail instead when LEDGER_REQUIRE_POSTGRES=1.
# Browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright; when it is
# missing and we are root with apt-get, it is installed (with CJK fonts). Without it the
# browser tests skip, and fail instead when LEDGER_REQUIRE_BROWSER=1. Screenshots go to
# artifacts/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x "${LEDGER_CHROMIUM:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "安装浏览器测试所需的 chromium 与 fonts-noto-cjk …"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || echo "apt-get update 失败,继续尝试安装" >&2
    apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
        || echo "未能安装 chromium;浏览器测试将跳过(LEDGER_REQUIRE_BROWSER=1 时失败)" >&2
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -m pytest "$@"
