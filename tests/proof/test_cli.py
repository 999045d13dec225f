"""The proof commands, run as real processes on a real SQLite file."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.proof.verify import verify_consistency, verify_inclusion
from tests.proof.conftest import fill


def run(tmp_path: Path, *args: str, database: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_KEY")}
    env["LEDGER_DATABASE_URL"] = (
        f"sqlite:///{tmp_path / 'ledger.db'}" if database else "sqlite:////nonexistent/no.db"
    )
    return subprocess.run(
        [sys.executable, "-m", "ledger.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def event_log(tmp_path: Path) -> tuple[list[Any], list[Any]]:
    """Every event row and integrity row, read straight from the file."""
    with sqlite3.connect(tmp_path / "ledger.db") as db:
        events = db.execute("SELECT rowid, * FROM ledger_events ORDER BY rowid").fetchall()
        entries = db.execute("SELECT * FROM ledger_integrity ORDER BY seq").fetchall()
    return events, entries


@pytest.fixture
def finding(tmp_path: Path) -> str:
    app = Ledger(Settings(f"sqlite:///{tmp_path / 'ledger.db'}"))
    ids = fill(app, reports=40)
    app.close()
    return str(ids["first"])


def test_checkpoint_then_verify_passes_and_the_key_file_is_private(
    tmp_path: Path, finding: str
) -> None:
    made = run(tmp_path, "checkpoint", "--out", "cp.txt")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "ledger.db.signing-key").stat().st_mode & 0o777 == 0o600
    (tmp_path / "pub.txt").write_text(run(tmp_path, "key", "public").stdout)
    checked = run(tmp_path, "verify", "--checkpoint", "cp.txt", "--public-key", "pub.txt")
    assert checked.returncode == 0, checked.stderr
    assert "核验通过" in checked.stdout and "前缀" in checked.stdout


def test_verify_fails_with_the_position_after_an_event_is_changed(
    tmp_path: Path, finding: str
) -> None:
    with sqlite3.connect(tmp_path / "ledger.db") as db:
        db.execute(
            "UPDATE ledger_events SET state = replace(state, '进展', '进度') WHERE rowid = 20"
        )
    checked = run(tmp_path, "verify")
    assert checked.returncode == 1
    assert "核验失败" in checked.stderr and "第 20 条" in checked.stderr


def test_an_inclusion_proof_by_event_and_a_consistency_proof_verify(
    tmp_path: Path, finding: str
) -> None:
    shown = run(tmp_path, "proof", "inclusion", "--event", f"{finding}:2")
    assert shown.returncode == 0, shown.stderr
    p = json.loads(shown.stdout)
    b = base64.b64decode
    verify_inclusion(
        p["leaf_index"], p["tree_size"], b(p["leaf_hash"]), [b(h) for h in p["proof"]], b(p["root"])
    )
    c = json.loads(run(tmp_path, "proof", "consistency", "5", str(p["tree_size"])).stdout)
    verify_consistency(
        5, c["new_size"], [b(h) for h in c["proof"]], b(c["old_root"]), b(c["new_root"])
    )


@pytest.mark.parametrize(
    "args",
    [
        ("proof", "inclusion", "9999"),
        ("proof", "inclusion", "--event", "not-a-uuid:1"),
        ("proof", "inclusion", "--event", "00000000-0000-0000-0000-000000000000:1"),
        ("proof", "consistency", "10", "5"),
        ("bundle", "--finding", "00000000-0000-0000-0000-000000000000", "--out", "b.json"),
    ],
)
def test_a_proof_request_for_nothing_is_refused_in_chinese_and_writes_nothing(
    tmp_path: Path, finding: str, args: tuple[str, ...]
) -> None:
    before = event_log(tmp_path)
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr)
    assert not (tmp_path / "b.json").exists()
    assert event_log(tmp_path) == before


def test_a_bundle_is_checked_offline_and_any_edit_is_refused(tmp_path: Path, finding: str) -> None:
    made = run(tmp_path, "bundle", "--finding", finding, "--out", "b.json")
    assert made.returncode == 0, made.stderr
    (tmp_path / "pub.txt").write_text(run(tmp_path, "key", "public").stdout)
    ok = run(tmp_path, "verify-bundle", "b.json", "--public-key", "pub.txt", database=False)
    assert ok.returncode == 0, ok.stderr
    assert "核验通过" in ok.stdout and finding in ok.stdout

    bundle = json.loads((tmp_path / "b.json").read_text())
    assert len(bundle["events"]) == 22  # recorded, assigned and 20 progress reports
    entry = base64.b64decode(bundle["events"][3]["entry"]).replace("进展".encode(), "进度".encode())
    bundle["events"][3]["entry"] = base64.b64encode(entry).decode()
    (tmp_path / "bad.json").write_text(json.dumps(bundle))
    bad = run(tmp_path, "verify-bundle", "bad.json", "--public-key", "pub.txt", database=False)
    assert bad.returncode == 2 and "包含证明不成立" in bad.stderr


def test_a_bundle_checked_with_another_ledgers_key_is_refused(tmp_path: Path, finding: str) -> None:
    run(tmp_path, "bundle", "--finding", finding, "--out", "b.json")
    other = tmp_path / "other"
    other.mkdir()
    Ledger(Settings(f"sqlite:///{other / 'ledger.db'}")).close()
    (tmp_path / "pub.txt").write_text(run(other, "key", "public").stdout)
    result = run(tmp_path, "verify-bundle", "b.json", "--public-key", "pub.txt", database=False)
    assert result.returncode == 2 and "检查点无效" in result.stderr
