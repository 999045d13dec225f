"""Keeping read models: inline with every write, rebuilt beside and swapped in.

Inline: the recorders call ``Projector.apply`` inside the transaction that
inserts the events, after they have their positions, so read models and
their tracking positions commit or roll back with the events. On PostgreSQL
``Projector.defer`` computes the writes first, before the events table is
locked, and ``Projector.send`` adds them to the locked part of the transaction
(see ``later``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, String, Table, select

from .base import Handler, Projection
from .behind import Behind, Reached
from .database import Database
from .later import Later, lookup
from .rebuild import Progress, Rebuild, as_defined
from .records import record
from .registry import PROJECTIONS
from .store import SqlStore


class UnknownReadModel(ValueError):
    """A read-model name that does not exist."""


@dataclass(frozen=True)
class Position:
    """How far one read model has read, against the head of the log."""

    name: str
    title: str
    position: int
    head: int
    behind: bool = False  # kept behind the log: caught up when read, so it may lag

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


@dataclass(frozen=True)
class Deferred:
    """Read-model statements computed before the events were inserted (``Projector.defer``)."""

    statements: list[list[tuple[str, list[Any]]]]
    last: list[Any]  # the last event's record id and version: the tracking position


class Projector:
    """Every read model of one database, and the tracking table they share."""

    def __init__(self, database: Database, recorder: Any) -> None:
        self.db = database
        self.recorder = recorder
        self.metadata = MetaData()
        self.projections = [cls(self.metadata) for cls in PROJECTIONS]
        self.tracking = Table(
            "rm_tracking",
            self.metadata,
            Column("name", String(40), primary_key=True),
            Column("position", BigInteger, nullable=False),
        )
        # The read models kept in the command's transaction; the others are caught
        # up before they are read (``behind``).
        inline = [p for p in self.projections if not p.behind]
        self.behind = Behind(self, [p for p in self.projections if p.behind])
        self._track_sql = _track_sql(database, [p.name for p in inline])
        self._by_topic: dict[str, list[Handler]] = {}
        for projection in inline:
            for topic, handler in projection.handlers.items():
                self._by_topic.setdefault(topic, []).append(handler)
        # Topics some read model handles by reading its own rows: those rows must be
        # read under the events table's lock, so such events are applied after it.
        self._reading = {t for p in inline if p.reads_rows for t in p.handlers}
        self._lookup = self._track_later = ""
        if database.dialect == "postgres":
            events = f"{database.qualified(recorder.events_table_name)}"
            self._lookup = lookup(events)
            self._track_later = _track_sql(database, [p.name for p in inline]).replace(
                "%s", self._lookup
            )
        # The inline stores' SQL, by the shape of a write: built once, not per transaction.
        self._statements: dict[tuple[Any, ...], str] = {}

    # --- inline ----------------------------------------------------------------------

    def apply(self, cursor: Any, stored: Sequence[Any], positions: Sequence[int]) -> None:
        """Apply one transaction's events to every read model, in that transaction."""
        store = SqlStore(cursor, self.db.dialect, self.db.schema, statements=self._statements)
        by_topic = self._by_topic
        # A record's id as text, once per record: a batch often holds several events
        # of one record, and ``str`` of a UUID is slow Python.
        ids: dict[Any, str] = {}
        for event, position in zip(stored, positions, strict=True):
            handlers = by_topic.get(event.topic)
            if handlers:
                oid = event.originator_id
                text = ids.get(oid)
                if text is None:
                    text = ids[oid] = str(oid)
                r = record(position, text, event.originator_version, event.topic, event.state)
                for handler in handlers:
                    handler(r, store)
        store.flush()
        cursor.execute(self._track_sql, [positions[-1]])

    def defer(self, stored: Sequence[Any]) -> Deferred | None:
        """One transaction's read-model writes, computed before its events are inserted
        (PostgreSQL), each position looked up by its event when the statement runs;
        None if a read model of these events reads its own rows (then ``apply`` after
        the insert, under the lock)."""
        if not self._lookup or not stored:
            return None
        by_topic, reading = self._by_topic, self._reading
        if any(event.topic in reading for event in stored):
            return None
        store = SqlStore(None, "postgres", self.db.schema, statements=self._statements)
        store.later = self._lookup
        ids: dict[Any, str] = {}  # as in ``apply``
        for event in stored:
            handlers = by_topic.get(event.topic)
            if handlers:
                oid, version = event.originator_id, event.originator_version
                text = ids.get(oid)
                if text is None:
                    text = ids[oid] = str(oid)
                r = record(0, text, version, event.topic, event.state)
                r.position = Later(oid, version)  # type: ignore[assignment]  # only stored
                for handler in handlers:
                    handler(r, store)
        last = stored[-1]
        return Deferred(store.pending(), [last.originator_id, last.originator_version])

    def send(self, cursor: Any, deferred: Deferred) -> None:
        """Queue the writes ``defer`` computed, and the tracking positions, on ``cursor``."""
        store = SqlStore(cursor, "postgres", self.db.schema, statements=self._statements)
        for statements in deferred.statements:
            store.execute(statements)
        cursor.execute(self._track_later, deferred.last)

    # --- setting up ------------------------------------------------------------------

    def ensure(self, progress: Progress | None = None) -> None:
        """Create missing tables and indexes; build any read model that is behind the log."""
        self.metadata.create_all(self.db.engine)
        with self.db.engine.begin() as conn:
            # create_all makes indexes only with new tables; a newer version
            # may index an existing table differently.
            present = self.db.index_names(conn)
            for table in self.metadata.sorted_tables:
                have = {as_defined(table.name, name) for on, name in present if on == table.name}
                for index in table.indexes:
                    if index.name not in have:
                        index.create(conn)
                self._drop_retired_indexes(conn, table, present)
                self.db.tune(conn, table.name)
        with self.db.engine.begin() as conn:
            known = set(conn.execute(select(self.tracking.c.name)).scalars())
            for p in self.projections:
                if p.name not in known:
                    conn.execute(self.tracking.insert().values(name=p.name, position=0))
        # Inline read models behind the log, and read models kept behind it that
        # are new here, are rebuilt; the others are caught up when read (here
        # nothing is written: the database may refuse writes).
        behind = [
            self.find(p.name)
            for p in self.status()
            if p.lag and (not p.behind or p.name not in known)
        ]
        if behind:
            self._rebuild(behind, progress)

    def _drop_retired_indexes(self, conn: Any, table: Table, present: set[tuple[str, str]]) -> None:
        """Drop the read-model indexes (named ``ix_<table>_…``) that an older version
        made and this one no longer defines: each would cost every write and answer
        no query. An index holds no data of its own, so nothing is lost; indexes
        named otherwise (made by hand) are left alone. On SQLite a rebuilt table's
        indexes keep their copy's names (``rebuild.as_defined``)."""
        defined = {index.name for index in table.indexes}
        for on, name in sorted(present):
            if (
                on == table.name
                and name.startswith(f"ix_{table.name}_")
                and as_defined(table.name, name) not in defined
            ):
                conn.exec_driver_sql(f"DROP INDEX {self.db.qualified(name)}")

    def status(self) -> list[Position]:
        """Each read model's position and lag behind the head of the log."""
        head = self.recorder.max_notification_id() or 0
        with self.db.engine.connect() as conn:
            query = select(self.tracking.c.name, self.tracking.c.position)
            rows: dict[str, int] = {name: pos for name, pos in conn.execute(query)}
        return [
            Position(p.name, p.title, rows.get(p.name, 0), head, p.behind) for p in self.projections
        ]

    def caught_up(self, name: str) -> Reached:
        """Catch a read model kept behind the log up to its head, before it is read;
        where it stands then (``Reached``; short of the head if the catch-up
        could not write)."""
        return self.behind.reached(self.find(name))

    def catch_up(self) -> int:
        """Catch every read model kept behind the log up to its head (raises if the
        database refuses); how many log positions they moved over in all."""
        return sum(self.behind.catch_up(p) for p in self.behind.projections)

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every read-model row, table by table, in a fixed order: what a rebuild
        must reproduce exactly (the fault tests compare the two). Read models
        kept behind the log are caught up first, as a query would."""
        self.catch_up()
        out = {}
        with self.db.engine.connect() as conn:
            for projection in self.projections:
                for table in projection.tables:
                    key = list(table.primary_key.columns) or list(table.columns)
                    rows = conn.execute(select(table).order_by(*key)).all()
                    out[table.name] = [tuple(r) for r in rows]
        return out

    def find(self, name: str) -> Projection:
        for projection in self.projections:
            if projection.name == name:
                return projection
        names = ", ".join(p.name for p in self.projections)
        raise UnknownReadModel(f"没有名为 {name!r} 的读模型;可选:{names}")

    # --- rebuild ---------------------------------------------------------------------

    def rebuild(self, name: str | None = None, progress: Progress | None = None) -> int:
        """Rebuild one read model (or, without a name, all of them in one pass over the
        log) beside the live tables, then swap the copies in.

        Writers go on while the copies are built; they are held back only for
        the swap, which first applies the events that arrived meanwhile.
        ``progress`` gets (log position read, head) after each page. Returns the
        log position the read models now stand at.
        """
        chosen = list(self.projections) if name is None else [self.find(name)]
        return self._rebuild(chosen, progress)

    def _rebuild(self, chosen: list[Projection], progress: Progress | None) -> int:
        return Rebuild(self, chosen).run(progress)


def _track_sql(database: Database, names: list[str]) -> str:
    """One statement moving every read model's tracking position.

    On SQLite the names are matched by a scan of the table's few rows: an
    ``IN`` list would be built and probed through the key index each time,
    several times the cost (the unary ``+`` keeps the index out).
    """
    table = database.qualified("rm_tracking")
    if database.dialect == "postgres":
        listed = ", ".join(f"'{name}'" for name in names)
        return f"UPDATE {table} SET position = %s WHERE name IN ({listed})"
    matched = " OR ".join(f"+name = '{name}'" for name in names)
    return f"UPDATE {table} SET position = ? WHERE {matched}"
