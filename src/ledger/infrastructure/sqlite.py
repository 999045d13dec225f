"""SQLite recorder: events, integrity log and idempotency keys in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from eventsourcing.persistence import InterfaceError, StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment

from ledger.infrastructure import integrity
from ledger.infrastructure.idempotency import Idempotency, Recorded
from ledger.infrastructure.writelock import WriteLock

# Compiled statements each connection keeps. A write with its read models runs a
# dozen or so different statements; recompiling each (an insert into a table with
# five indexes takes tens of microseconds) cost more than running it.
STATEMENT_CACHE = 128


class LedgerSQLiteConnectionPool(SQLiteConnectionPool):
    """The library's pool, whose connections keep their compiled statements.

    The library opens its connections with ``cached_statements=True``, which
    Python reads as a cache of one statement: every statement of a
    transaction after the first was compiled again each time.
    """

    def _create_connection(self) -> SQLiteConnection:
        try:
            conn = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # transactions are begun and ended explicitly
                cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            # WAL, as the library sets it: the mode is kept in the file.
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        conn.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=conn, max_age=self.max_age)


class LedgerSQLiteDatastore(SQLiteDatastore):
    """The library's SQLite datastore, on ``LedgerSQLiteConnectionPool``."""

    def __init__(
        self,
        db_name: str,
        *,
        lock_timeout: int | None = None,
        pool_size: int = 5,
        max_overflow: int = 10,
        pool_timeout: float = 5.0,
        max_age: float | None = None,
        pre_ping: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(db_name, lock_timeout=lock_timeout, **kwargs)
        self.pool.close()  # the library's, before it opened any connection
        self.pool = LedgerSQLiteConnectionPool(
            db_name=db_name,
            lock_timeout=lock_timeout,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
            max_age=max_age,
            pre_ping=pre_ping,
        )
        self.write_lock = WriteLock.beside(db_name, lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT)

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        """The library's transaction; one that writes first takes the file's write
        lock (writelock.py), after this process's writer lock and before BEGIN."""
        if not commit or self.write_lock is None:
            with super().transaction(commit=commit) as cursor:
                yield cursor
            return
        with (
            self.get_connection(commit=True) as connection,
            self.write_lock.held(),
            connection.transaction(commit=True) as cursor,
        ):
            yield cursor


class LedgerSQLiteFactory(SQLiteFactory):
    """The library's SQLite infrastructure, on ``LedgerSQLiteDatastore``."""

    def __init__(self, env: Environment | dict[str, str] | None) -> None:
        super().__init__(env)
        library = self.datastore  # as the library configured it from the environment
        self.datastore = LedgerSQLiteDatastore(
            library.pool.db_name,
            lock_timeout=library.pool.lock_timeout,
            single_row_tracking=library.single_row_tracking,
            originator_id_type=library.originator_id_type,
        )
        library.close()


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, plus the ledger's side tables.

    The side rows are written by ``_insert_events``, which the library calls
    inside the same BEGIN … COMMIT as the events, after the events are
    inserted and so after the database write lock is held: the integrity
    sequence is therefore dense and in commit order.
    """

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "ledger_events"):
        super().__init__(datastore, events_table_name)
        # Read models kept in the same transaction; set up by create_table().
        self.projector: Any = None

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            # The entry's header names the event; seq order is notification order.
            f"CREATE TABLE IF NOT EXISTS {integrity.TABLE} ("
            "seq INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, entry BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_idempotency ("
            "key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, receipt BLOB NOT NULL)",
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Hash before taking the write lock: the lock is held for less time.
        entries = integrity.entries(stored_events)
        return super().insert_events(stored_events, integrity_entries=entries, **kwargs)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if len(stored_events) < LARGE:
            return self._insert_rows(c, stored_events, **kwargs)
        with _large_cache(c):
            return self._insert_rows(c, stored_events, **kwargs)

    @contextmanager
    def streamed(self) -> Iterator[Callable[[Sequence[StoredEvent], list[Idempotency]], None]]:
        """One write transaction fed in parts (``ledger.infrastructure.stream``): each
        call inserts events, their integrity rows, keys and read models, as
        ``insert_events`` does for all at once; committed when the block ends, rolled
        back if it raises. Large by nature: the big page cache from the start."""
        with self.datastore.transaction(commit=True) as c, _large_cache(c):

            def insert(events: Sequence[StoredEvent], keys: list[Idempotency]) -> None:
                if events or keys:
                    self._insert_rows(
                        c, events, integrity_entries=integrity.entries(events), idempotency=keys
                    )

            yield insert

    def _insert_rows(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # One executemany per table. Writers hold the database write lock from
        # the first insert to the commit, and a rowid table without
        # AUTOINCREMENT numbers new rows max+1, so the events' rowids are the
        # n ids ending at last_insert_rowid(), and NULL seqs come out dense.
        c.executemany(
            self.insert_events_statement,
            [
                (_hex(e.originator_id), e.originator_version, e.topic, e.state)
                for e in stored_events
            ],
        )
        c.execute("SELECT last_insert_rowid()")
        last = c.fetchone()[0]
        entries = kwargs.get("integrity_entries") or integrity.entries(stored_events)
        c.executemany(
            f"INSERT INTO {integrity.TABLE} VALUES (NULL,?,?)",
            [(leaf, entry) for entry, leaf in entries],
        )
        keys: list[Idempotency] = kwargs.get("idempotency") or []
        if keys:
            c.executemany("INSERT INTO ledger_idempotency VALUES (?,?,?)", keys)
        ids = list(range(last - len(stored_events) + 1, last + 1))
        if self.projector is not None and stored_events:
            self.projector.apply(c, stored_events, ids)
        return ids

    def create_table(self) -> None:
        """Create the event tables, then the read models, caught up with the log.

        Processes starting together on one file would race between "is the
        table there?" and "create it", so set-up holds an exclusive lock on a
        file beside the database for its duration.
        """
        from ledger.projections.database import Database
        from ledger.projections.runner import Projector

        with _setup_lock(self.datastore.pool.db_name):
            super().create_table()
            projector = Projector(Database.sqlite(self.datastore.pool.db_name), self)
            projector.ensure()
        self.projector = projector

    def find_idempotency(self, key: str) -> Recorded | None:
        """The fingerprint and receipt stored under an idempotency key, if any."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT fingerprint, receipt FROM ledger_idempotency WHERE key=?", (key,))
            row = c.fetchone()
        return None if row is None else Recorded(row[0], bytes(row[1]))

    def find_idempotency_prefix(self, prefix: str) -> dict[str, Recorded]:
        """Every key that starts with ``prefix`` (ASCII), with what was stored under it."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the keys sort between the two
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT key, fingerprint, receipt FROM ledger_idempotency "
                "WHERE key >= ? AND key < ?",
                (prefix, upper),
            )
            return {r[0]: Recorded(r[1], bytes(r[2])) for r in c.fetchall()}

    def changes_after(
        self, position: int | None, limit: int, also: str | None = None
    ) -> tuple[int, list[tuple[UUID, int]] | None, tuple[Any, ...] | None]:
        """The newest notification id, and (record id, version) of each event after
        ``position``; None instead of the list with no position or more than ``limit``;
        and the row of the statement ``also`` (None without one, or no row)."""
        table = self.events_table_name
        with self.datastore.transaction(commit=False) as c:
            extra = None
            if also is not None:
                c.execute(also)
                row = c.fetchone()
                extra = None if row is None else tuple(row)
            if position is not None:
                c.execute(
                    f"SELECT rowid, originator_id, originator_version FROM {table} "
                    "WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (position, limit),
                )
                rows = c.fetchall()
                if len(rows) < limit:
                    newest = rows[-1][0] if rows else position
                    return newest, [(UUID(r[1]), r[2]) for r in rows], extra
            c.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}")
            return int(c.fetchone()[0]), None, extra

    def integrity_rows(self, start: int = 1, limit: int = 1000) -> list[tuple[int, bytes, bytes]]:
        """(seq, leaf hash, entry) from ``start``, in sequence order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT seq, leaf_hash, entry FROM {integrity.TABLE} "
                "WHERE seq >= ? ORDER BY seq LIMIT ?",
                (start, limit),
            )
            return [(r[0], bytes(r[1]), bytes(r[2])) for r in c.fetchall()]


# Events in one transaction from which it gets a page cache of LARGE_CACHE_KIB.
LARGE = 10_000
LARGE_CACHE_KIB = 256 * 1024


@contextmanager
def _setup_lock(db_name: str) -> Iterator[None]:
    """Hold an exclusive lock on ``<database>-setup.lock`` (not for memory databases,
    which no other process can open, nor where the platform has no flock)."""
    if db_name.startswith("file:") or fcntl is None:
        yield
        return
    with open(f"{db_name}-setup.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _hex(originator_id: Any) -> str:
    return originator_id.hex if hasattr(originator_id, "hex") else str(originator_id)


@contextmanager
def _large_cache(c: SQLiteCursor) -> Iterator[None]:
    """A bigger page cache for one large transaction (an import). It touches more
    index pages than the connection's 2 MB cache holds, and SQLite would write
    them out and read them back again and again; the pages it has changed stay in
    memory until the commit whatever the size."""
    c.execute("PRAGMA cache_size")
    previous = int(c.fetchone()[0])
    c.execute(f"PRAGMA cache_size={-LARGE_CACHE_KIB}")
    try:
        yield
    finally:
        c.execute(f"PRAGMA cache_size={previous}")
