"""Verdicts are kept: each verification adds a row to ``ledger_verifications``, read back."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.proof.history import Verifications, latest, verify_and_record
from ledger.proof.store import Location
from tests.conftest import log_snapshot
from tests.proof.conftest import event_at, fill
from tests.proof.test_cli import run
from tests.proof.test_tamper import changed, set_state


def test_a_ledger_never_verified_has_no_last_verdict(ledger: Ledger) -> None:
    fill(ledger, reports=3)
    assert latest(Location.of(ledger)) is None


def test_a_passing_verification_is_recorded_and_read_back(filled: Ledger) -> None:
    before = datetime.now(UTC)
    verdict, stored = verify_and_record(Location.of(filled), "张伟", workers=1)
    assert verdict.ok
    found = latest(Location.of(filled))
    assert found == stored
    assert found is not None and found.ok and found.first_seq is None
    assert found.tree_size == found.events == verdict.size > 300
    assert found.actor == "张伟" and found.problems == 0 and found.checkpoints == 0
    assert "核验通过" in found.message
    assert before - timedelta(seconds=1) <= found.verified_at <= datetime.now(UTC)
    assert found.seconds >= 0


def test_a_failing_verification_records_the_first_bad_position_and_why(filled: Ledger) -> None:
    verify_and_record(Location.of(filled), "张伟", workers=1)
    set_state(filled, 150, changed(bytes(event_at(filled, 150)[4])))
    verdict, stored = verify_and_record(Location.of(filled), "王审", workers=1)
    assert not verdict.ok
    last = latest(Location.of(filled))
    assert last == stored
    assert last is not None and not last.ok and last.first_seq == 150
    assert "内容与条目不符" in last.message and last.actor == "王审"
    store = Location.of(filled).open()
    both = Verifications(store).recent()
    store.close()
    assert [v.ok for v in both] == [False, True]  # newest first
    assert both[0].id > both[1].id


def test_recording_a_verdict_changes_no_event_and_no_integrity_entry(ledger: Ledger) -> None:
    fill(ledger, reports=5)
    before = log_snapshot(ledger)
    verify_and_record(Location.of(ledger), "张伟", workers=1)
    verify_and_record(Location.of(ledger), "张伟", workers=1)
    assert log_snapshot(ledger) == before
    store = Location.of(ledger).open()
    assert len(Verifications(store).recent()) == 2
    store.close()


def test_each_verify_command_records_its_verdict_pass_or_fail(tmp_path: Path) -> None:
    app = Ledger(Settings(f"sqlite:///{tmp_path / 'ledger.db'}"))
    fill(app, reports=20)
    app.close()
    assert run(tmp_path, "verify").returncode == 0
    with sqlite3.connect(tmp_path / "ledger.db") as db:
        db.execute("UPDATE ledger_integrity SET entry = entry || x'20' WHERE seq = 9")
    assert run(tmp_path, "verify").returncode == 1
    with sqlite3.connect(tmp_path / "ledger.db") as db:
        rows = db.execute(
            "SELECT ok, tree_size, events, first_seq, actor FROM ledger_verifications ORDER BY id"
        ).fetchall()
    assert rows == [
        (1, 27, 27, None, "命令行 ledger verify"),
        (0, 27, 27, 9, "命令行 ledger verify"),
    ]
