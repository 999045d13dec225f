"""The per-request lookups on PostgreSQL: their own pool, closed with the ledger, and
a connection the server dropped asked again instead of failing the request."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.projections.queries import ReadModels
from tests.conftest import PG_URL


@pytest.fixture
def pg_ledger(pg_schema: str) -> Iterator[Ledger]:
    ledger = Ledger(Settings(f"{PG_URL}?schema={pg_schema}"))
    yield ledger
    ledger.close()


def _backend(reads: ReadModels) -> int:
    with reads.memo.find.engine.connect() as conn:
        return int(conn.connection.driver_connection.info.backend_pid)  # type: ignore[union-attr]


def _alive(pid: int) -> bool:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return found is not None


def test_a_connection_the_server_dropped_is_asked_again(pg_ledger: Ledger) -> None:
    reads = ReadModels(pg_ledger.projector)
    first = reads.memo.position()
    pid = _backend(reads)
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    assert reads.memo.position() == first  # answered, on a new connection
    assert _backend(reads) != pid


def test_the_lookups_close_with_the_ledger(pg_schema: str) -> None:
    ledger = Ledger(Settings(f"{PG_URL}?schema={pg_schema}"))
    reads = ReadModels(ledger.projector)
    reads.memo.position()
    pid = _backend(reads)
    assert _alive(pid)
    ledger.close()
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # the server ends a backend just after its client goes
    assert not _alive(pid)
