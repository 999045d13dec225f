"""PostgreSQL recorder: events, integrity log and idempotency keys in one transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier

from ledger.infrastructure import integrity, pgsend
from ledger.infrastructure.idempotency import Idempotency, Recorded
from ledger.infrastructure.outage import Patience

if TYPE_CHECKING:
    from ledger.projections.runner import Deferred

# Any fixed 64-bit number: the advisory lock that serialises schema set-up.
SETUP_LOCK = 0x6C6564676572
# Seconds libpq may take to open a connection (an unreachable host must not hang a request).
CONNECT_TIMEOUT = 3
# After an outage the pool reconnects with growing pauses; give up a reconnection
# attempt after this many seconds so the next request starts a fresh one (a long
# outage must not leave the pool waiting a minute after the database is back).
RECONNECT_TIMEOUT = 10.0


def _as_bytes(query: Any, conn: Any) -> bytes:
    if isinstance(query, Composable):
        return query.as_bytes(conn)
    return query.encode() if isinstance(query, str) else bytes(query)


@dataclass(frozen=True)
class _Rendered:
    """The statements of an insert transaction, as bytes."""

    locks: list[bytes]
    notify: bytes
    events: bytes
    integrity: bytes
    key: bytes


class _Queue:
    """Stands in for a cursor: keeps the statements instead of sending them."""

    def __init__(self) -> None:
        self.statements: list[tuple[bytes, Any]] = []

    def execute(self, sql: str | bytes, params: Any = None, prepare: bool | None = None) -> None:
        self.statements.append((sql.encode() if isinstance(sql, str) else sql, params))

    def executemany(self, sql: str, params_seq: Any) -> None:
        query = sql.encode()
        self.statements += [(query, params) for params in params_seq]


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder, plus the ledger's side tables.

    The library serialises writers with an EXCLUSIVE table lock taken at the
    start of each insert transaction; the integrity rows are queued after the
    event insert in the same pipelined transaction, so ``max(seq) + n`` is
    read under that lock and the sequence stays dense (notification ids on
    PostgreSQL are not: a refused insert burns one).

    Every other writer waits while the lock is held, which PostgreSQL does
    until the commit has been flushed. So the read models' writes are computed
    before the transaction starts (``Projector.defer``), and the locked part —
    lock, events, integrity rows, keys, read models, tracking, commit — goes to
    the server as one pipeline, with no round trip inside it.
    """

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "ledger_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        # Read models kept in the same transaction; set up by create_table().
        self.projector: Any = None
        pool = self.datastore.pool
        self.patience = Patience(purge=pool.check)
        if isinstance(pool.kwargs, dict):
            pool.kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT)
        pool.reconnect_timeout = RECONNECT_TIMEOUT
        schema = Identifier(self.datastore.schema)
        self.integrity_table = SQL("{}.{}").format(schema, Identifier(integrity.TABLE))
        self.idempotency_table = SQL("{}.{}").format(schema, Identifier("ledger_idempotency"))
        self.sql_create_statements.extend(
            [
                # The entry's header names the event; seq order is notification order.
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (seq bigint PRIMARY KEY, "
                    "leaf_hash bytea NOT NULL, entry bytea NOT NULL)"
                ).format(self.integrity_table),
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, "
                    "fingerprint text NOT NULL, receipt bytea NOT NULL)"
                ).format(self.idempotency_table),
            ]
        )
        self.insert_integrity = SQL(
            "INSERT INTO {t} SELECT (SELECT coalesce(max(seq), 0) FROM {t}) + n, h, e "
            "FROM unnest(%b::bytea[], %b::bytea[]) WITH ORDINALITY AS x(h, e, n)"
        ).format(t=self.integrity_table)
        self.insert_plain_events = SQL(
            "INSERT INTO {t} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{idt}[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(
            t=SQL("{}.{}").format(schema, Identifier(self.events_table_name)),
            idt=Identifier(self.datastore.originator_id_type),
        )
        self.insert_key = SQL("INSERT INTO {} VALUES (%s, %s, %b)").format(self.idempotency_table)
        events = SQL("{}.{}").format(schema, Identifier(self.events_table_name))
        self.select_changes = SQL(
            "SELECT notification_id, originator_id, originator_version FROM {} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(events)
        self.select_newest = SQL("SELECT coalesce(max(notification_id), 0) FROM {}").format(events)
        self._looks: tuple[bytes, bytes] | None = None
        self._sql: _Rendered | None = None
        self.sender = pgsend.Sender()

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert events and side rows in one transaction; while the database is
        unreachable, try again for a few seconds (see ``Patience``)."""
        if not stored_events:
            return []
        # Hash and compute the read models before the transaction starts: the
        # table lock is held for less time.
        kwargs["integrity_entries"] = integrity.entries(stored_events)
        deferred = self.projector.defer(stored_events) if self.projector is not None else None
        if deferred is not None:
            return self.patience.call(self._insert_deferred, stored_events, deferred, **kwargs)
        return self.patience.call(self._insert_once, stored_events, **kwargs)

    def _insert_deferred(
        self, stored_events: Sequence[StoredEvent], deferred: Deferred, **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert events, side rows and read models computed beforehand, and commit,
        as one pipeline sent in one write (``pgsend``): the lock is held for the
        server's work and the commit only, not for this process's.

        BEGIN and COMMIT are statements of the pipeline (the pool's connections
        are in autocommit mode). A refused statement (a version taken meanwhile,
        a key stored twice) makes the server skip the rest, the commit included;
        the error is raised once every result is read, and the open transaction
        is rolled back.
        """
        events = self._rendered_sql().events
        queued = _Queue()
        queued.execute(b"BEGIN")
        self._insert_stored_events(queued, stored_events, **kwargs)
        self.projector.send(queued, deferred)
        queued.execute(b"COMMIT")
        statements = queued.statements
        with self.datastore.get_connection() as conn:
            try:
                results = self.sender.run(conn, statements)
            except BaseException:
                if not conn.closed:
                    with contextlib.suppress(psycopg.Error):
                        pgsend.rollback(conn)
                raise
        return pgsend.rows(results[[sql for sql, _ in statements].index(events)])

    def _insert_once(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert events and side rows in one pipelined transaction that we own.

        The library's version catches an exception inside its transaction block
        and re-raises it after the block has committed; here any exception
        leaves the block, so the whole transaction rolls back.
        """
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.pipeline() as pipeline,
            conn.cursor() as curs,
        ):
            self._insert_stored_events(curs, stored_events, **kwargs)
            # Sync now so a constraint violation surfaces here as IntegrityError.
            pipeline.sync()
            ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            if self.projector is not None and ids:
                with conn.cursor() as side:
                    self.projector.apply(side, stored_events, ids)
            return ids

    def _insert_stored_events(
        self, curs: Cursor[DictRow] | _Queue, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """Lock, notification, events, integrity rows and keys: executed on a cursor in a
        pipeline, or kept by a ``_Queue`` to be sent together."""
        side: Any
        if isinstance(curs, _Queue):
            sql, side = self._rendered_sql(), curs
        else:
            # A second cursor: the first one's RETURNING rows are fetched after the sync.
            sql, side = self._rendered(curs.connection), curs.connection.cursor()
        # The library's lock and notification (``_lock_table``, ``_notify_channel``).
        for lock in sql.locks:
            curs.execute(lock, prepare=True)
        curs.execute(sql.notify)
        # Plain arrays in binary, not the library's composite type: the same rows
        # for a fraction of the client CPU.
        curs.execute(sql.events, self._event_arrays(stored_events), prepare=True)
        entries = kwargs.get("integrity_entries") or integrity.entries(stored_events)
        keys: list[Idempotency] = kwargs.get("idempotency") or []
        try:
            side.execute(
                sql.integrity,
                ([leaf for _, leaf in entries], [entry for entry, _ in entries]),
                prepare=True,
            )
            for key in keys:
                side.execute(sql.key, (key.key, key.fingerprint, key.receipt))
        finally:
            if side is not curs:
                side.close()

    def _rendered_sql(self) -> _Rendered:
        if self._sql is None:
            with self.datastore.get_connection() as conn:
                return self._rendered(conn)
        return self._sql

    @staticmethod
    def _event_arrays(stored_events: Sequence[StoredEvent]) -> tuple[list[Any], ...]:
        return (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )

    def _rendered(self, conn: Any) -> _Rendered:
        """The insert transaction's statements as bytes, rendered once: psycopg renders
        a composed statement again at every execution (a tenth of a transaction's
        client CPU), a bytes one only once."""
        if self._sql is None:
            self._sql = _Rendered(
                [_as_bytes(s, conn) for s in self.lock_table_statements],
                SQL("NOTIFY {}").format(Identifier(self.channel_name)).as_bytes(conn),
                self.insert_plain_events.as_bytes(conn),
                self.insert_integrity.as_bytes(conn),
                self.insert_key.as_bytes(conn),
            )
        return self._sql

    def select_events(self, originator_id: Any, **kwargs: Any) -> Sequence[StoredEvent]:
        """The library's query, retried by our rules instead of its ten fixed attempts
        (each may wait for a connection: a minute and more while the database is down)."""
        unretried = PostgresApplicationRecorder.select_events.__wrapped__
        return self.patience.call(unretried, self, originator_id, **kwargs)

    def create_table(self) -> None:
        """Create the event tables, then the read models, caught up with the log.

        Several processes may start on one database at once (API workers, a
        CLI beside a server). PostgreSQL's DDL is not safe to run concurrently
        even with IF NOT EXISTS ("tuple concurrently updated", duplicate type
        names), so the whole set-up runs under one session advisory lock, held
        on a connection of its own.

        On a database that refuses writes (read-only, a standby, or an account
        with SELECT only) nothing is created: the ledger serves what is there,
        and commands are refused.
        """
        from sqlalchemy import text

        from ledger.projections.database import Database
        from ledger.projections.runner import Projector

        db = Database.postgres(self.datastore.pool.kwargs, self.datastore.schema)
        if self._refuses_writes(db):
            self.projector = Projector(db, self)
            return
        with db.engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK})
            try:
                super().create_table()
                projector = Projector(db, self)
                projector.ensure()
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK})
                lock.commit()
        self.projector = projector

    def _refuses_writes(self, db: Any) -> bool:
        """Whether this connection may not write here; then the tables must exist."""
        from sqlalchemy import text

        from ledger.config import ConfigError

        query = text(
            "SELECT current_setting('transaction_read_only') = 'on' OR NOT coalesce("
            "(SELECT has_schema_privilege(oid, 'CREATE') FROM pg_namespace "
            "WHERE nspname = :schema), true), to_regclass(:events) IS NOT NULL"
        )
        events = f'"{self.datastore.schema}"."{self.events_table_name}"'
        with db.engine.connect() as conn:
            refuses, present = conn.execute(
                query, {"schema": self.datastore.schema, "events": events}
            ).one()
        if refuses and not present:
            raise ConfigError(
                f"数据库只读(或无建表权限),且模式 {self.datastore.schema} 中尚无台账表:"
                "请先以可写账户启动一次"
            )
        return bool(refuses)

    def find_idempotency(self, key: str) -> Recorded | None:
        """The fingerprint and receipt stored under an idempotency key, if any."""
        query = SQL("SELECT fingerprint, receipt FROM {} WHERE key = %s").format(
            self.idempotency_table
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            row = curs.execute(query, (key,)).fetchone()
        return None if row is None else Recorded(row["fingerprint"], bytes(row["receipt"]))

    def find_idempotency_prefix(self, prefix: str) -> dict[str, Recorded]:
        """Every key that starts with ``prefix``, with what was stored under it."""
        query = SQL("SELECT key, fingerprint, receipt FROM {} WHERE starts_with(key, %s)").format(
            self.idempotency_table
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = curs.execute(query, (prefix,)).fetchall()
        return {r["key"]: Recorded(r["fingerprint"], bytes(r["receipt"])) for r in rows}

    def changes_after(
        self, position: int | None, limit: int, also: str | None = None
    ) -> tuple[int, list[tuple[Any, int]] | None, tuple[Any, ...] | None]:
        """The newest notification id, and (record id, version) of each event after
        ``position``; None instead of the list with no position or more than ``limit``;
        and the row of the statement ``also`` (None without one, or no row), read
        in the same round trip."""
        return self.patience.call(self._changes_after, position, limit, also)

    def _changes_after(
        self, position: int | None, limit: int, also: str | None
    ) -> tuple[int, list[tuple[Any, int]] | None, tuple[Any, ...] | None]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            if self._looks is None:  # rendered once: a composed statement renders per call
                self._looks = (
                    self.select_changes.as_bytes(conn),
                    self.select_newest.as_bytes(conn),
                )
            changes, newest = self._looks
            first: tuple[bytes, tuple[int, ...]] = (
                (changes, (position, limit)) if position is not None else (newest, ())
            )
            extra = None
            if also is None:
                curs.execute(*first, prepare=True)
            else:  # both statements in one round trip
                with conn.pipeline(), conn.cursor() as side:
                    side.execute(also.encode(), prepare=True)
                    curs.execute(*first, prepare=True)
                    row = side.fetchone()
                extra = None if row is None else tuple(row.values())
            if position is not None:
                rows = curs.fetchall()
                if len(rows) < limit:
                    last = rows[-1]["notification_id"] if rows else position
                    changed = [(r["originator_id"], r["originator_version"]) for r in rows]
                    return last, changed, extra
                curs.execute(newest, prepare=True)
            row = curs.fetchone()
            return int(row["coalesce"]), None, extra  # type: ignore[index]

    def integrity_rows(self, start: int = 1, limit: int = 1000) -> list[tuple[int, bytes, bytes]]:
        """(seq, leaf hash, entry) from ``start``, in sequence order."""
        query = SQL(
            "SELECT seq, leaf_hash, entry FROM {} WHERE seq >= %s ORDER BY seq LIMIT %s"
        ).format(self.integrity_table)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = curs.execute(query, (start, limit)).fetchall()
        return [(r["seq"], bytes(r["leaf_hash"]), bytes(r["entry"])) for r in rows]
