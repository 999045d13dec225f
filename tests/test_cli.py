"""The console script, run as a real process on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def ledger(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "ledger.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_demo_then_status_prints_the_guizhou_figures(tmp_path: Path) -> None:
    demo = ledger(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "示例数据已载入" in demo.stdout
    status = ledger(tmp_path, "status", "--as-of", "2018-06-30", "--json")
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)["inspections"]
    guizhou = next(r for r in rows if r["title"].startswith("2017年省级"))
    assert [guizhou[k] for k in ("total", "completed", "ongoing", "long_term", "overdue")] == [
        68,
        50,
        18,
        24,
        3,
    ]


def test_status_table_is_in_chinese(tmp_path: Path) -> None:
    ledger(tmp_path, "demo")
    status = ledger(tmp_path, "status", "--as-of", "2018-06-30")
    assert "已完成" in status.stdout and "68" in status.stdout


def test_a_bad_date_is_refused_with_a_message(tmp_path: Path) -> None:
    result = ledger(tmp_path, "status", "--as-of", "2018-13-45")
    assert result.returncode == 2
    assert "不是有效日期" in result.stderr


def test_an_unsupported_database_url_is_refused(tmp_path: Path) -> None:
    result = ledger(tmp_path, "--database", "mysql://x/y", "status")
    assert result.returncode == 2
    assert "不支持的数据库地址" in result.stdout
