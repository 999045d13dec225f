"""Side tables the archive carries besides events: idempotency keys, and the log's length."""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL

from ledger.application.ledger import Ledger
from ledger.infrastructure import integrity
from ledger.infrastructure.idempotency import Idempotency
from ledger.infrastructure.postgres import LedgerPostgresRecorder


def read_keys(app: Ledger) -> list[Idempotency]:
    """Every stored idempotency key, in key order."""
    recorder: Any = app.recorder
    if isinstance(recorder, LedgerPostgresRecorder):
        query = SQL("SELECT key, fingerprint, receipt FROM {} ORDER BY key").format(
            recorder.idempotency_table
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = curs.execute(query).fetchall()
        return [Idempotency(r["key"], r["fingerprint"], bytes(r["receipt"])) for r in rows]
    with recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT key, fingerprint, receipt FROM ledger_idempotency ORDER BY key")
        return [Idempotency(r[0], r[1], bytes(r[2])) for r in c.fetchall()]


def integrity_count(recorder: Any) -> int:
    """The last seq of the integrity log (0 if empty): seq is dense from 1."""
    if isinstance(recorder, LedgerPostgresRecorder):
        query = SQL("SELECT coalesce(max(seq), 0) AS n FROM {}").format(recorder.integrity_table)
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            row: Any = curs.execute(query).fetchone()
        return int(row["n"])
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(f"SELECT coalesce(max(seq), 0) FROM {integrity.TABLE}")
        return int(c.fetchone()[0])


def integrity_page(recorder: Any, start: int, stop: int) -> list[tuple[int, bytes, bytes]]:
    """(seq, leaf hash, entry) for seq ``start`` … ``stop``, in order."""
    if isinstance(recorder, LedgerPostgresRecorder):
        query = SQL(
            "SELECT seq, leaf_hash, entry FROM {} WHERE seq BETWEEN %s AND %s ORDER BY seq"
        ).format(recorder.integrity_table)
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = curs.execute(query, (start, stop)).fetchall()
        return [(r["seq"], bytes(r["leaf_hash"]), bytes(r["entry"])) for r in rows]
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(
            f"SELECT seq, leaf_hash, entry FROM {integrity.TABLE} "
            "WHERE seq BETWEEN ? AND ? ORDER BY seq",
            (start, stop),
        )
        return c.fetchall()  # type: ignore[no-any-return]
