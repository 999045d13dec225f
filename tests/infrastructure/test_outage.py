"""Which database errors are outages (the API's 503), and the ledger's brief patience.

The errors are real ones, raised by the drivers against real databases: a
closed port, a read-only SQLite file, a read-only PostgreSQL transaction.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.infrastructure.outage import Outage, outage_of
from tests.api.gate import Gate
from tests.conftest import PG_URL, log_snapshot

OFFICE = Actor(id="office-1", name="张伟", role="inspection_office")


def raised(action: Any) -> BaseException:
    try:
        action()
    except Exception as error:
        return error
    raise AssertionError("no error")


def test_a_refused_connection_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = raised(lambda: psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/x"))
    assert "refused" in str(error)
    assert outage_of(error) is Outage.UNAVAILABLE


def test_sqlite_read_only_and_busy_are_outages_but_a_bad_statement_is_not(tmp_path: Any) -> None:
    path = tmp_path / "ro.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert outage_of(raised(lambda: ro.execute("INSERT INTO t VALUES (1)"))) is Outage.READ_ONLY
    assert outage_of(raised(lambda: ro.execute("SELECT nope FROM t"))) is None
    # the same error wrapped by SQLAlchemy
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with engine.connect() as conn:
        error = raised(lambda: conn.execute(text("INSERT INTO t VALUES (1)")))
    assert outage_of(error) is Outage.READ_ONLY
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    waiter = sqlite3.connect(path, timeout=0.1)
    assert outage_of(raised(lambda: waiter.execute("SELECT * FROM t"))) is Outage.UNAVAILABLE
    holder.rollback()


def test_sqlite_out_of_space_is_full(tmp_path: Any) -> None:
    # SQLite's own page limit gives the very error a full disk gives (SQLITE_FULL),
    # without filling a real disk.
    conn = sqlite3.connect(tmp_path / "full.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 3")
    big = "x" * 100_000
    assert (
        outage_of(raised(lambda: conn.execute("INSERT INTO t VALUES (?)", (big,)))) is Outage.FULL
    )


def test_postgres_read_only_transaction_is_an_outage_and_a_bad_statement_is_not(
    pg_schema: str,
) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{pg_schema}".t (x int)')
        conn.execute("SET default_transaction_read_only = on")
        error = raised(lambda: conn.execute(f'INSERT INTO "{pg_schema}".t VALUES (1)'))
        assert outage_of(error) is Outage.READ_ONLY
        assert outage_of(raised(lambda: conn.execute("SELECT nope"))) is None


@pytest.fixture
def gated(pg_schema: str) -> Any:
    """A ledger reaching PostgreSQL through a gate; another one that bypasses it."""
    gate = Gate.before(PG_URL)
    through = gate.through(PG_URL)
    ledger = Ledger(Settings(f"{through}?schema={pg_schema}"))
    direct = Ledger(Settings(f"{PG_URL}?schema={pg_schema}"))
    inspection = ledger.open_inspection(
        OFFICE, kind="tour", title="巡察", inspecting_body="巡察组", inspected_body="某局"
    ).id
    finding = ledger.record_finding(
        OFFICE, inspection, category=["一、类别"], number="1", text="问题", long_term=True
    ).id
    yield gate, ledger, direct, finding
    gate.close()
    ledger.close()
    direct.close()


def report(ledger: Ledger, finding: Any, key: str) -> Any:
    ctx = CommandContext(idempotency_key=key)
    return ledger.report_progress(OFFICE, finding, narrative=key, ctx=ctx)


def test_a_command_waits_out_a_short_outage_and_succeeds(gated: Any) -> None:
    gate, ledger, direct, finding = gated
    gate.close()
    threading.Timer(1.0, gate.open).start()
    began = time.monotonic()
    receipt = report(ledger, finding, "k-1")
    assert 0.9 < time.monotonic() - began < 6
    assert [e.originator_version for e in direct.history(finding)][-1] == receipt.version


def test_a_long_outage_fails_the_command_in_bounded_time_and_writes_nothing(gated: Any) -> None:
    gate, ledger, direct, finding = gated
    before = log_snapshot(direct)
    gate.close()
    began = time.monotonic()
    error = raised(lambda: report(ledger, finding, "k-1"))
    took = time.monotonic() - began
    assert outage_of(error) is Outage.UNAVAILABLE
    assert took < 12, took
    # right after giving up, the next command tries once only and fails sooner
    began = time.monotonic()
    assert outage_of(raised(lambda: report(ledger, finding, "k-2"))) is Outage.UNAVAILABLE
    assert time.monotonic() - began < took
    assert log_snapshot(direct) == before
    gate.open()
    receipt = report(ledger, finding, "k-1")
    again = report(ledger, finding, "k-1")
    assert (again.id, again.version, again.replayed) == (receipt.id, receipt.version, True)
    reported = [e.narrative for e in direct.history(finding) if hasattr(e, "narrative")]
    assert reported == ["k-1"]
