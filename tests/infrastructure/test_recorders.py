"""The library's own recorder test cases, run against the ledger's recorders.

``ApplicationRecorderTestCase`` and ``NonInterleavingNotificationIDsBaseCase``
are eventsourcing's contract for an application recorder: a recorder that
passes them is a drop-in peer of the library's. The ledger's recorders add an
integrity log and an idempotency table in the same transaction, so after the
library's concurrent tests we also check that every event got exactly one
integrity row and that the integrity sequence is dense.

These are unittest classes (the library's); pytest collects them.
"""

from __future__ import annotations

import tempfile
import unittest
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.tests import persistence as library
from psycopg import sql

from ledger.config import Settings
from ledger.infrastructure import integrity
from ledger.infrastructure import sqlite as ledger_sqlite
from ledger.infrastructure.postgres import LedgerPostgresRecorder
from ledger.infrastructure.sqlite import LedgerSQLiteDatastore, LedgerSQLiteRecorder
from tests.conftest import PG_URL, postgres_or_skip

Recorder = LedgerSQLiteRecorder | LedgerPostgresRecorder


def assert_integrity_log_matches_events(recorder: Recorder) -> None:
    """One integrity row per event, seq dense from 1, in notification order."""
    notifications = recorder.select_notifications(start=None, limit=1_000_000)
    rows = recorder.integrity_rows(start=1, limit=1_000_000)
    assert [seq for seq, _, _ in rows] == list(range(1, len(notifications) + 1))
    for notification, (_, leaf, entry) in zip(notifications, rows, strict=True):
        assert entry == integrity.entry_bytes(notification)
        assert leaf == integrity.leaf_hash(entry)


# --- SQLite ---------------------------------------------------------------------------


class SQLiteFile(unittest.TestCase):
    """A fresh SQLite file database in a temporary directory for each test."""

    def setUp(self) -> None:
        super().setUp()
        self._tmp = tempfile.TemporaryDirectory()
        self.db_uri = f"file:{self._tmp.name}/recorder.db"
        self.datastores: list[LedgerSQLiteDatastore] = []

    def tearDown(self) -> None:
        for datastore in self.datastores:
            datastore.close()
        self._tmp.cleanup()
        super().tearDown()

    def create_recorder(self) -> LedgerSQLiteRecorder:
        # The library's own SQLite application-recorder tests use a pool of 100:
        # its concurrency tests run 10 writers and 2 readers at once.
        datastore = LedgerSQLiteDatastore(self.db_uri, pool_size=100, lock_timeout=30)
        self.datastores.append(datastore)
        self.recorder = LedgerSQLiteRecorder(datastore)
        self.recorder.create_table()
        return self.recorder


class TestLedgerSQLiteRecorder(
    SQLiteFile, library.ApplicationRecorderTestCase[LedgerSQLiteRecorder]
):
    """eventsourcing's application-recorder contract, on a SQLite file."""

    def test_insert_select(self) -> None:
        super().test_insert_select()
        assert_integrity_log_matches_events(self.recorder)

    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:
        super().test_concurrent_no_conflicts(initial_position)
        assert_integrity_log_matches_events(self.recorder)

    def test_concurrent_throughput(self) -> None:
        super().test_concurrent_throughput()
        assert_integrity_log_matches_events(self.recorder)


class SQLiteMemory(SQLiteFile):
    """A private shared-cache memory database, as ``sqlite:///:memory:`` gives the ledger."""

    def setUp(self) -> None:
        super().setUp()
        self.db_uri = f"file:recorder-{uuid4().hex}?mode=memory&cache=shared"


class TestLedgerSQLiteMemoryRecorder(
    SQLiteMemory, library.ApplicationRecorderTestCase[LedgerSQLiteRecorder]
):
    """eventsourcing's application-recorder contract, on the ledger's memory database."""

    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:
        super().test_concurrent_no_conflicts(initial_position)
        assert_integrity_log_matches_events(self.recorder)

    def test_concurrent_throughput(self) -> None:
        super().test_concurrent_throughput()
        assert_integrity_log_matches_events(self.recorder)


class TestLedgerSQLiteRecorderNonInterleaving(
    SQLiteFile, library.NonInterleavingNotificationIDsBaseCase
):
    """Two racing batches get non-interleaved notification ids, on a SQLite file."""

    def test(self) -> None:
        super().test()
        assert_integrity_log_matches_events(self.recorder)


def test_a_large_sqlite_transaction_has_a_big_page_cache_for_its_duration_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_sqlite, "LARGE", 50)
    datastore = LedgerSQLiteDatastore(db_name=str(tmp_path / "recorder.db"), pool_size=1)
    try:
        recorder = LedgerSQLiteRecorder(datastore)
        recorder.create_table()
        sizes: list[int] = []
        insert_rows = recorder._insert_rows

        def spy(c: Any, events: Any, **kwargs: Any) -> Any:
            c.execute("PRAGMA cache_size")
            sizes.append(c.fetchone()[0])
            return insert_rows(c, events, **kwargs)

        monkeypatch.setattr(recorder, "_insert_rows", spy)
        owner = uuid4()
        recorder.insert_events([StoredEvent(owner, v, "t:E", b"{}") for v in range(1, 61)])
        recorder.insert_events([StoredEvent(owner, 61, "t:E", b"{}")])
        with datastore.transaction(commit=False) as c:
            c.execute("PRAGMA cache_size")
            after = c.fetchone()[0]
        assert sizes == [-ledger_sqlite.LARGE_CACHE_KIB, after] and after != sizes[0]
        assert_integrity_log_matches_events(recorder)
    finally:
        datastore.close()


# --- PostgreSQL -----------------------------------------------------------------------


def postgres_or_skip_test() -> None:
    """``postgres_or_skip`` for unittest classes: skip, or fail when it is required."""
    try:
        postgres_or_skip()
    except pytest.skip.Exception as skipped:
        raise unittest.SkipTest(str(skipped.msg)) from None


class PostgresSchema(unittest.TestCase):
    """A fresh schema in the test database for each test, dropped afterwards."""

    def setUp(self) -> None:
        super().setUp()
        postgres_or_skip_test()
        self.schema = f"t_{uuid4().hex[:12]}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
        # Where and how the ledger itself would connect for this URL, with the pool
        # sizes it runs with, so the concurrency tests really contend for the lock.
        env = Settings(PG_URL).eventsourcing_env()
        self.datastore = PostgresDatastore(
            env["POSTGRES_DBNAME"],
            env["POSTGRES_HOST"],
            env["POSTGRES_PORT"],
            env["POSTGRES_USER"],
            env["POSTGRES_PASSWORD"],
            schema=self.schema,
            pool_size=int(env["POSTGRES_POOL_SIZE"]),
            max_overflow=int(env["POSTGRES_MAX_OVERFLOW"]),
        )

    def tearDown(self) -> None:
        self.datastore.close()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(self.schema)))
        super().tearDown()

    def create_recorder(self) -> LedgerPostgresRecorder:
        self.recorder = LedgerPostgresRecorder(self.datastore)
        self.recorder.create_table()
        return self.recorder


class TestLedgerPostgresRecorder(
    PostgresSchema, library.ApplicationRecorderTestCase[LedgerPostgresRecorder]
):
    """eventsourcing's application-recorder contract, on PostgreSQL."""

    def test_insert_select(self) -> None:
        super().test_insert_select()
        # The refused duplicate insert in the library test burned no integrity seq.
        assert_integrity_log_matches_events(self.recorder)

    def test_insert_subscribe(self) -> None:
        # Optional in the library: PostgreSQL can subscribe, and ProjectionRunner needs it.
        super().optional_test_insert_subscribe()

    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:
        super().test_concurrent_no_conflicts(initial_position)
        assert_integrity_log_matches_events(self.recorder)

    def test_concurrent_throughput(self) -> None:
        super().test_concurrent_throughput()
        assert_integrity_log_matches_events(self.recorder)


class TestLedgerPostgresRecorderNonInterleaving(
    PostgresSchema, library.NonInterleavingNotificationIDsBaseCase
):
    """Two racing batches get non-interleaved notification ids, on PostgreSQL."""

    def test(self) -> None:
        super().test()
        assert_integrity_log_matches_events(self.recorder)
