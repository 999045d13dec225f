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
    assert "不支持的数据库地址" in result.stderr


def test_status_known_at_before_the_demo_was_recorded_shows_nothing(tmp_path: Path) -> None:
    ledger(tmp_path, "demo")
    result = ledger(
        tmp_path, "status", "--as-of", "2018-06-30", "--known-at", "2018-07-01T00:00", "--json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["inspections"] == []


def test_status_known_at_in_the_future_is_refused(tmp_path: Path) -> None:
    result = ledger(tmp_path, "status", "--known-at", "2999-01-01T00:00")
    assert result.returncode == 2
    assert "known_at" in result.stderr


def test_projections_status_and_rebuild(tmp_path: Path) -> None:
    ledger(tmp_path, "demo")
    rebuilt = ledger(tmp_path, "projections", "rebuild", "findings")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "读模型 findings 已重建" in rebuilt.stdout
    status = ledger(tmp_path, "projections", "status")
    assert "findings" in status.stdout and "问题整改状态" in status.stdout
    after = ledger(tmp_path, "status", "--as-of", "2018-06-30", "--json")
    guizhou = next(r for r in json.loads(after.stdout)["inspections"] if r["total"] == 68)
    assert (guizhou["completed"], guizhou["ongoing"], guizhou["long_term"]) == (50, 18, 24)


def test_rebuilding_an_unknown_read_model_is_refused(tmp_path: Path) -> None:
    result = ledger(tmp_path, "projections", "rebuild", "nosuch")
    assert result.returncode == 2
    assert "没有名为 'nosuch' 的读模型" in result.stderr


def test_rebuilding_every_read_model_in_one_pass(tmp_path: Path) -> None:
    ledger(tmp_path, "demo")
    rebuilt = ledger(tmp_path, "projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "全部读模型 已重建:读取 3437 条事件" in rebuilt.stdout
    status = ledger(tmp_path, "status", "--as-of", "2018-06-30", "--json")
    guizhou = next(r for r in json.loads(status.stdout)["inspections"] if r["total"] == 68)
    assert (guizhou["completed"], guizhou["ongoing"], guizhou["long_term"]) == (50, 18, 24)


def test_audit_trail_changes_state_and_diff_from_the_command_line(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    assert ledger(tmp_path, "demo").returncode == 0
    found = ledger(
        tmp_path,
        "audit",
        "changes",
        "--kind",
        "Finding.DeadlineExtended",
        "--csv",
        str(tmp_path / "ext.csv"),
    )
    assert found.returncode == 0, found.stderr
    lines = (tmp_path / "ext.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("日志位置,记录编号,版本,事件,操作人")
    record_id = lines[1].split(",")[1]
    trail = ledger(tmp_path, "audit", "trail", record_id, "--xlsx", str(tmp_path / "t.xlsx"))
    assert trail.returncode == 0, trail.stderr
    rows = list(load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True))
    assert rows[1][3] == "Finding.Recorded" and rows[0][13].startswith("变更")
    state = ledger(tmp_path, "audit", "state", record_id, "--as-of", "2018-04-01")
    assert state.returncode == 0 and state.stdout.strip() == "null"
    now = json.loads(ledger(tmp_path, "audit", "state", record_id).stdout)
    assert now["id"] == record_id
    diff = ledger(tmp_path, "audit", "diff", record_id, "--from-as-of", "2018-05-01")
    assert diff.returncode == 0 and "字段差异" in diff.stdout
    bad = ledger(tmp_path, "audit", "trail", "not-an-id")
    assert bad.returncode == 2 and "record_id" in bad.stderr
