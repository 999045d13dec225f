"""Shared fixtures: the ledger on every back end, and the PostgreSQL switch.

PostgreSQL tests skip with a reason when no server answers, and fail instead
when LEDGER_REQUIRE_POSTGRES=1 (CI sets it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.sql import SQL

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.infrastructure.postgres import LedgerPostgresRecorder

PG_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("LEDGER_REQUIRE_POSTGRES") == "1"


def postgres_or_skip() -> None:
    """Skip (or fail, when required) if PostgreSQL does not answer."""
    try:
        psycopg.connect(PG_URL.replace("postgresql://", "postgres://"), connect_timeout=3).close()
    except psycopg.Error as error:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (LEDGER_REQUIRE_POSTGRES=1) but: {error}")
        pytest.skip(f"PostgreSQL not available at {PG_URL}: {error}")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards: tests never share tables."""
    postgres_or_skip()
    name = f"t_{uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def database_url(backend: str, tmp_path: object, request: pytest.FixtureRequest) -> str:
    """A fresh database URL for one back end."""
    if backend == "memory":
        return "sqlite:///:memory:"
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    schema = request.getfixturevalue("pg_schema")
    return f"{PG_URL}?schema={schema}"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """A fresh database URL on each back end in turn."""
    return database_url(request.param, tmp_path, request)


@pytest.fixture
def ledger(backend_url: str) -> Iterator[Ledger]:
    """The real application, read models kept inline, on each back end in turn."""
    app = Ledger(Settings(backend_url))
    yield app
    app.close()


@pytest.fixture
def office() -> Actor:
    return Actor(id="office-1", name="张伟", role="inspection_office")


@pytest.fixture
def admin() -> Actor:
    return Actor(id="admin-1", name="李静", role="admin")


@pytest.fixture
def auditor() -> Actor:
    return Actor(id="audit-1", name="王审", role="auditor")


Snapshot = tuple[Any, ...]


def log_snapshot(ledger: Ledger) -> Snapshot:
    """Everything a command could write: events, integrity log, idempotency keys."""
    recorder: Any = ledger.recorder
    notifications = recorder.select_notifications(start=1, limit=100_000)
    return (
        recorder.max_notification_id(),
        [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications],
        recorder.integrity_rows(1, 100_000),
        idempotency_rows(ledger),
    )


def idempotency_rows(ledger: Ledger) -> list[tuple[str, str, bytes]]:
    """The idempotency table, read with SQL on either engine."""
    recorder: Any = ledger.recorder
    if isinstance(recorder, LedgerPostgresRecorder):
        query = SQL("SELECT key, fingerprint, receipt FROM {} ORDER BY key").format(
            recorder.idempotency_table
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = curs.execute(query).fetchall()
        return [(r["key"], r["fingerprint"], bytes(r["receipt"])) for r in rows]
    with recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT key, fingerprint, receipt FROM ledger_idempotency ORDER BY key")
        return [(r[0], r[1], bytes(r[2])) for r in c.fetchall()]


@pytest.fixture
def snapshot_of() -> Callable[[Ledger], Snapshot]:
    """The function that snapshots a ledger's whole log (to show a refusal changed nothing)."""
    return log_snapshot
