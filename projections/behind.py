"""Read models kept behind the log, caught up before they are read.

The audit index (one row per event, into a table with four secondary indexes)
cost the write path more than every other read model together. It is not
written by the command's transaction: the queries that read it first apply
the events after its tracking position, with its own handlers, in one
transaction that also moves that position (on SQLite the index's own fill
statement makes the rows from the stored JSON, as a rebuild does).

Several threads or processes may catch up at once. Each catch-up runs in a
write transaction under a lock that every catch-up of the database takes (on
SQLite the database's write lock itself, taken as every writer of the ledger
takes it; on
PostgreSQL a transaction-level advisory lock, which a rebuild's swap takes
too), reads the tracking position under it, and moves the position with a
compare-and-set: an event is never applied twice or skipped. A reader that
finds someone else catching up waits for it, then finds nothing left to do.

A catch-up that cannot write (a read-only database, a standby, a lock not
had in time) does not fail the read: ``Behind.reached`` then says how far the
index is, and the reader adds the rows of the events not yet applied, folded
in memory by the same handlers (``pending``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing.persistence import PersistenceError

from ledger.infrastructure.outage import Unavailable

from .base import Projection
from .bulk import LogReader
from .records import Record
from .store import MemoryStore, SqlStore

if TYPE_CHECKING:
    from .runner import Projector

log = logging.getLogger(__name__)

# Events applied per transaction: bounds how long one catch-up holds writers
# back on SQLite (a longer lag is caught up in several transactions, each
# moving the position).
CHUNK = 20_000
# Events not yet applied that a read that could not catch up folds in memory;
# beyond this it is refused (``Lagging``), not answered slowly.
MAX_PENDING = 100_000
# PostgreSQL advisory lock key of the catch-ups (and of a rebuild's swap of them).
CATCH_UP_LOCK = 0x4C45_4447_4155  # "LEDGAU"

# What a catch-up that cannot write raises: the drivers' own errors (the
# catch-up runs on raw DB-API connections) and the writers' lock given up.
FAILED = (sqlite3.Error, psycopg.Error, PersistenceError, Unavailable, OSError)


class Lagging(Unavailable):
    """A read model too far behind the log to be answered without catching it up,
    and the catch-up failed (e.g. the database refuses writes): 503 in the API."""


@dataclass(frozen=True)
class Reached:
    """Where a read model behind the log stands for one read: its rows hold the
    events up to ``position``; those up to ``head`` are to be added (``pending``)."""

    position: int
    head: int

    @property
    def complete(self) -> bool:
        return self.position >= self.head


class Behind:
    """Catching up the read models of one database that are kept behind the log."""

    def __init__(self, projector: Projector, projections: list[Projection]) -> None:
        self.db = projector.db
        self.recorder = projector.recorder
        self.projections = projections
        self.names = [p.name for p in projections]
        self.reader = LogReader(projector.db, projector.recorder.events_table_name)
        self._statements: dict[tuple[Any, ...], str] = {}
        postgres = self.db.dialect == "postgres"
        tracking = self.db.qualified("rm_tracking")
        m = "%s" if postgres else "?"
        self._position = f"SELECT position FROM {tracking} WHERE name = {m}"
        self._move = f"UPDATE {tracking} SET position = {m} WHERE name = {m} AND position = {m}"
        self._claim = f"UPDATE {tracking} SET position = position WHERE name = {m}"
        events = self.db.qualified(projector.recorder.events_table_name)
        self._head = f"SELECT max({'notification_id' if postgres else 'rowid'}) FROM {events}"
        self._topics = {p.name: sorted(p.handlers) for p in projections}
        # SQL filling a read model's live table straight from the events, where it
        # has one (SQLite's audit index: several times less CPU than decoding each
        # event; the rebuild tests compare its rows with the handlers').
        self._fills = {
            p.name: sql
            for p in projections
            if (sql := p.fill(self.db.dialect, events, self.db.qualified(p.tables[0].name)))
        }

    # --- the state, read only ----------------------------------------------------------

    def lag(self, projection: Projection) -> Reached:
        """Its tracking position and the head of the log, read (no write)."""
        with self.db.engine.connect() as conn:
            cursor = conn.connection.cursor()
            return Reached(self._read_position(cursor, projection.name), self._read_head(cursor))

    # --- catching up -------------------------------------------------------------------

    def reached(self, projection: Projection) -> Reached:
        """Catch ``projection`` up to the head of the log if it is behind; where it then
        stands. If the catch-up fails (nothing written), where it stood."""
        lag = self.lag(projection)
        if lag.complete:
            return lag
        try:
            self.catch_up(projection)
        except FAILED:
            return self.lag(projection)
        return Reached(lag.head, lag.head)  # at least there now (perhaps further)

    def catch_up(self, projection: Projection) -> int:
        """Apply every event after its position, a chunk per transaction; returns how
        many log positions it moved over (0 if it was at the head). Raises the
        database's error if it cannot write (its rows and position unchanged)."""
        moved, retries = 0, 3
        while True:
            try:
                step = self._catch_up_once(projection)
            except _Moved:  # nothing written; read the position again
                retries -= 1
                if retries == 0:
                    raise Unavailable(f"{projection.title}的读到位置补齐时一再被改动") from None
                continue
            if step == 0:
                return moved
            moved += step

    def _catch_up_once(self, projection: Projection) -> int:
        with self._write(projection.name) as cursor:
            position = self._read_position(cursor, projection.name)
            head = self._read_head(cursor)
            if head <= position:
                return 0
            last = min(head, position + CHUNK)
            cursor.execute(self._move, [last, projection.name, position])
            if cursor.rowcount != 1:  # moved meanwhile (cannot under the lock): again
                raise _Moved
            fill = self._fills.get(projection.name)
            if fill is not None:  # the database makes the rows itself (as a rebuild does)
                cursor.execute(fill, [position + 1, last])
                return last - position
            store = SqlStore(cursor, self.db.dialect, self.db.schema, statements=self._statements)
            for r in self._records(cursor, projection, position + 1, last):
                projection.apply(r, store)
            store.flush()
            return last - position

    def pending(self, projection: Projection, reached: Reached) -> list[dict[str, Any]]:
        """The rows the events after ``reached.position`` would add to ``projection``'s
        first table (an append-only one), folded in memory, read only."""
        if reached.head - reached.position > MAX_PENDING:
            raise Lagging(
                f"{projection.title}落后日志 {reached.head - reached.position} 条事件,"
                "且数据库不可写、无法补齐;请在可写的数据库上运行 ledger projections rebuild"
            )
        store = MemoryStore()
        with self.db.engine.connect() as conn:
            cursor = self.reader.cursor(conn.connection)
            for r in self._records(cursor, projection, reached.position + 1, reached.head):
                projection.apply(r, store)
        return store.rows(projection.tables[0])

    def _records(self, cursor: Any, projection: Projection, first: int, last: int) -> list[Record]:
        return self.reader.read(cursor, first, last, self._topics[projection.name])

    def _read_position(self, cursor: Any, name: str) -> int:
        cursor.execute(self._position, [name])
        row = cursor.fetchone()
        return 0 if row is None else int(row[0])

    def _read_head(self, cursor: Any) -> int:
        cursor.execute(self._head)
        row = cursor.fetchone()
        return 0 if row is None or row[0] is None else int(row[0])

    @contextmanager
    def _write(self, name: str) -> Iterator[Any]:
        """A write transaction under the catch-ups' lock; committed if the block
        returns, else rolled back.

        SQLite: the recorder's own write transaction (this process's writer lock,
        the writers' file lock, then the database's), whose first statement
        writes, so the database's write lock is held before anything is read.
        PostgreSQL: a connection of the read models' engine and an advisory
        transaction lock (writers are not held back).
        """
        if self.db.dialect == "sqlite":
            with self.recorder.datastore.transaction(commit=True) as wrapped:
                cursor = wrapped.sqlite_cursor
                cursor.execute(self._claim, [name])
                yield cursor
            return
        raw = self.db.engine.raw_connection()
        driver: Any = raw.driver_connection
        try:
            cursor = driver.cursor(binary=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CATCH_UP_LOCK])
            yield cursor
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()


class _Moved(Exception):
    """The tracking position moved between reading and setting it."""


class Follower:
    """Keeps the read models kept behind the log near its head while a server runs.

    Every ``every`` seconds a thread of its own looks at how far each one lags.
    It catches one up when the log has stood still since the last look (the
    ledger is idle: nobody waits on the write lock the catch-up takes), or
    when the lag has reached ``lag`` events whatever the load. So the first
    audit query after a quiet night does not pay for the day's commands (about
    8 ms of CPU per 1,000 events), a busy server does not pay at every query,
    and a query never waits for more than ``lag`` events. A catch-up that
    fails is tried again at the next look; the reads catch up on their own.
    """

    def __init__(self, behind: Behind, every: float = 5.0, lag: int = 200_000) -> None:
        self.behind, self.every, self.lag = behind, every, lag
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ledger-follower", daemon=True)

    def start(self) -> Follower:
        if self.behind.projections:
            self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        heads: dict[str, int] = {}
        while not self._stop.wait(self.every):
            for projection in self.behind.projections:
                try:
                    reached = self.behind.lag(projection)
                    idle = heads.get(projection.name) == reached.head
                    heads[projection.name] = reached.head
                    behind = reached.head - reached.position
                    if behind >= self.lag or (idle and behind > 0):
                        self.behind.catch_up(projection)
                except Exception:  # the next look tries again; the reads catch up anyway
                    log.warning("补齐%s失败,稍后重试", projection.title, exc_info=True)
