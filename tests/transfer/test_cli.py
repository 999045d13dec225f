"""``ledger import``, ``ledger export`` and ``ledger restore`` as real processes on SQLite files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import ledger
from tests.transfer.conftest import ROWS, workbook

WHO = ["--actor", "office-import", "--name", "周敏", "--title", "县委第一轮巡察"]
WHO += ["--inspected-body", "县扶贫开发领导小组", "--feedback-date", "2018-05-02", "--year", "2018"]


def test_a_dry_run_lists_the_problems_in_chinese_and_the_import_then_records(
    tmp_path: Path,
) -> None:
    bad = list(ROWS)
    bad[0] = (*bad[0][:9], "基本完成")
    (tmp_path / "bad.xlsx").write_bytes(workbook(bad))
    dry = ledger(tmp_path, "import", "bad.xlsx", "--dry-run", *WHO)
    assert (
        dry.returncode == 1
        and "未知的完成情况「基本完成」" in dry.stdout
        and "J列(完成情况)" in dry.stdout
    )
    (tmp_path / "good.xlsx").write_bytes(workbook())
    done = ledger(tmp_path, "import", "good.xlsx", "--json", *WHO)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["applied"] and report["created"] == 6 and report["problems"] == []
    again = ledger(tmp_path, "import", "good.xlsx", *WHO)
    assert "写入 0 条事件" in again.stdout


def test_export_then_restore_into_a_new_database(tmp_path: Path) -> None:
    (tmp_path / "good.xlsx").write_bytes(workbook())
    ledger(tmp_path, "import", "good.xlsx", *WHO)
    for args in (["xlsx", "out.xlsx"], ["report", "out.md"], ["report", "out.html"]):
        result = ledger(tmp_path, "export", *args)
        assert result.returncode == 0, result.stderr
    assert "需长期坚持 2 个" in (tmp_path / "out.md").read_text(encoding="utf-8")
    archived = ledger(tmp_path, "export", "archive", "all.jsonl")
    assert archived.returncode == 0 and "根哈希" in archived.stdout
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    restored = ledger(tmp_path, "--database", target, "restore", "all.jsonl")
    assert restored.returncode == 0, restored.stderr
    root = archived.stdout.split("根哈希 ")[1].split()[0]
    assert root in restored.stdout
    twice = ledger(tmp_path, "--database", target, "restore", "all.jsonl")
    assert twice.returncode == 2 and "目标数据库不是空的" in twice.stderr
