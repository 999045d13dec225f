"""A large import written by a second process while it is decided: the same rows, or none."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

import ledger.application.core as core
import ledger.application.findings as findings
import ledger.domain.base as base
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.errors import VersionConflict
from ledger.infrastructure.stream import StreamWriter, WriterFailed
from ledger.transfer import decide, importer
from ledger.transfer.importer import apply_import, plan_import
from tests.conftest import log_snapshot
from tests.transfer.conftest import ROWS, options, workbook


def many(count: int) -> list[tuple[Any, ...]]:
    """``count`` findings shaped like the realistic ones, numbered 1…count."""
    return [(str(n + 1), *ROWS[n % len(ROWS)][1:]) for n in range(count)]


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    return stream_every_two(monkeypatch)


def stream_every_two(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every applied import on a SQLite file streamed from now on, handed over every 2
    findings; the list collects the size of each part handed over."""
    parts: list[int] = []
    send = StreamWriter.send

    def counted(self: StreamWriter, events: Any) -> None:
        parts.append(len(events))
        send(self, events)

    monkeypatch.setattr(importer, "STREAM_BYTES", 0)
    monkeypatch.setattr(decide, "DRAIN", 2)
    monkeypatch.setattr(StreamWriter, "send", counted)
    return parts


@pytest.fixture
def fixed_ids_and_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Ids and recording times the same in every run (after calling what it gives,
    which starts them again): the bytes can be compared."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    count, moment = [0], [start]

    def uuid4() -> UUID:
        count[0] += 1
        return UUID(int=(0x4 << 76) | (1 << 63) | count[0])

    def clock() -> datetime:
        moment[0] += timedelta(microseconds=7)
        return moment[0]

    for module in (core, findings, base):
        monkeypatch.setattr(module, "uuid4", uuid4)
    base.set_clock(clock)

    def reset() -> None:
        count[0], moment[0] = 0, start

    yield reset
    base.set_clock(None)


def every_row(path: Path) -> dict[str, list[Any]]:
    """Every table of a SQLite ledger, every row, in stored order."""
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {name: conn.execute(f"SELECT * FROM {name}").fetchall() for name in names}


def imported(path: Path, data: bytes, restart: Callable[[], None]) -> dict[str, list[Any]]:
    restart()
    app = Ledger(Settings(f"sqlite:///{path}"))
    try:
        report = apply_import(app, data, options())
        assert report.applied and not report.problems
    finally:
        app.close()
    return every_row(path)


def test_a_streamed_import_writes_exactly_the_rows_a_single_write_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixed_ids_and_clock: Callable[[], None]
) -> None:
    data = workbook(many(15))
    single = imported(tmp_path / "single.db", data, fixed_ids_and_clock)
    parts = stream_every_two(monkeypatch)
    streamed = imported(tmp_path / "streamed.db", data, fixed_ids_and_clock)
    assert len(parts) == 7 and all(parts)  # handed over in parts, the rest with the commit
    assert streamed == single  # events, integrity log, keys, read models: byte for byte
    assert len(single["ledger_events"]) == 76 and len(single["rm_findings"]) == 15


def test_a_refused_finding_after_parts_were_written_leaves_the_ledger_unchanged(
    tmp_path: Path, streamed: list[int]
) -> None:
    rows = many(12)
    rows[-1] = (*rows[-1][:5], "县财政局、县扶贫办", *rows[-1][6:])  # two lead units
    app = Ledger(Settings(f"sqlite:///{tmp_path}/ledger.db"))
    try:
        before = log_snapshot(app)
        report = apply_import(app, workbook(rows), options())
        assert not report.applied
        assert len(report.problems) == 1
        assert "牵头单位只能有一个" in report.problems[0].message
        assert sum(streamed) > 50  # most of the import had been handed over
        assert log_snapshot(app) == before
        assert apply_import(app, workbook(many(12)), options()).applied  # the lock is free
    finally:
        app.close()


def test_a_file_with_bad_rows_is_not_handed_over_at_all(
    tmp_path: Path, streamed: list[int]
) -> None:
    rows = many(8)
    rows[0] = (*rows[0][:9], "差不多完成")  # an unknown status: refused while rows are read
    app = Ledger(Settings(f"sqlite:///{tmp_path}/ledger.db"))
    try:
        report = apply_import(app, workbook(rows), options())
        assert not report.applied and report.problems and streamed == []
        assert log_snapshot(app)[0] is None or log_snapshot(app)[1] == []
    finally:
        app.close()


def test_a_dry_run_starts_no_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "STREAM_BYTES", 0)
    started: list[str] = []
    monkeypatch.setattr(Ledger, "stream_writer", lambda app: started.append("x"))
    app = Ledger(Settings(f"sqlite:///{tmp_path}/ledger.db"))
    try:
        assert plan_import(app, workbook(many(4)), options()).events > 0
    finally:
        app.close()
    assert started == []


def test_a_memory_database_is_not_streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Ledger(Settings("sqlite:///:memory:"))
    try:
        assert app.stream_writer() is None
    finally:
        app.close()


def test_of_two_streamed_imports_of_one_file_at_once_only_one_writes(
    tmp_path: Path, streamed: list[int]
) -> None:
    """As ``test_import``'s test of the same name, both imports streamed: the one that
    commits second finds the file's key taken, in its writer, and writes nothing."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    app, other = Ledger(Settings(url)), Ledger(Settings(url))
    try:
        apply_import(app, workbook(), options())  # every unit registered
        new = options().new_inspection
        assert new is not None
        second = replace(new, title="县委第二轮巡察")
        inspection = apply_import(app, workbook(ROWS[:1]), options(new_inspection=second))
        into = options(new_inspection=None, inspection_id=inspection.inspection_id)
        data = workbook()  # one file: the same bytes for both
        inner: list[Any] = []

        def meanwhile(done: int, total: int) -> None:
            if not inner:  # before this one hands anything over (every 2 findings)
                inner.append(apply_import(other, data, into))

        with pytest.raises(VersionConflict):
            apply_import(app, data, into, meanwhile)
        assert inner[0].applied and inner[0].created == 5
        assert log_snapshot(app) == log_snapshot(other)
    finally:
        app.close()
        other.close()


def test_a_writer_killed_midway_fails_the_import_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = StreamWriter.send

    def killing(self: StreamWriter, events: Any) -> None:
        send(self, events)
        self._process.kill()  # after the first part: nothing committed yet

    monkeypatch.setattr(importer, "STREAM_BYTES", 0)
    monkeypatch.setattr(decide, "DRAIN", 2)
    monkeypatch.setattr(StreamWriter, "send", killing)
    app = Ledger(Settings(f"sqlite:///{tmp_path}/ledger.db"))
    try:
        before = log_snapshot(app)
        with pytest.raises(WriterFailed, match="写入进程异常退出"):
            apply_import(app, workbook(many(8)), options())
        assert log_snapshot(app) == before
    finally:
        app.close()


_DYING_IMPORT = """
import os, signal, sqlite3, sys, time
from pathlib import Path
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.infrastructure.stream import StreamWriter
from ledger.transfer import decide, importer
from ledger.transfer.importer import apply_import
from tests.transfer.conftest import options

importer.STREAM_BYTES = 0
decide.DRAIN = 2
send = StreamWriter.send
parts = []

def dying(self, events):
    send(self, events)
    parts.append(len(events))
    if len(parts) < 2:
        return
    # Once the writer holds its transaction open (the lock is taken), die at once.
    for _ in range(200):
        try:
            sqlite3.connect(sys.argv[3], timeout=0).execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            print("locked", flush=True)
            break
        time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGKILL)

StreamWriter.send = dying
app = Ledger(Settings(sys.argv[1]))
apply_import(app, Path(sys.argv[2]).read_bytes(), options())
"""


def test_an_importing_process_killed_midway_leaves_nothing_written_and_frees_the_lock(
    tmp_path: Path,
) -> None:
    """kill -9 of the deciding process after parts were written: its writer sees its
    input end without a commit and rolls back; the database is writable again."""
    path = tmp_path / "ledger.db"
    url = f"sqlite:///{path}"
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook(many(12)))
    app = Ledger(Settings(url))
    try:
        before = log_snapshot(app)
        root = Path(__file__).parents[2]
        died = subprocess.run(
            [sys.executable, "-c", _DYING_IMPORT, url, str(book), str(path)],
            capture_output=True,
            text=True,
            cwd=root,
            timeout=120,
        )
        assert died.returncode == -signal.SIGKILL, died.stderr
        assert died.stdout.split() == ["locked"]  # parts were written, uncommitted
        free = sqlite3.connect(path, timeout=30)  # the writer let go of the lock
        try:
            free.execute("BEGIN IMMEDIATE")
            free.execute("ROLLBACK")
        finally:
            free.close()
        assert log_snapshot(app) == before
    finally:
        app.close()
