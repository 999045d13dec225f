"""Keeping read models: inline with every write, rebuilt beside and swapped in.

Inline: the recorders call ``Projector.apply`` inside the transaction that
inserts the events, after they have their positions, so read models and
their tracking positions commit or roll back with the events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, String, Table, select
from sqlalchemy.schema import CreateTable

from .base import Projection
from .database import Database
from .records import record
from .registry import PROJECTIONS
from .store import MemoryStore, SqlStore

NEXT = "__next"
PAGE = 5000
Progress = Callable[[int, int], None]


class UnknownReadModel(ValueError):
    """A read-model name that does not exist."""


@dataclass(frozen=True)
class Position:
    """How far one read model has read, against the head of the log."""

    name: str
    title: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


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
        names = ", ".join(f"'{p.name}'" for p in self.projections)
        mark = "%s" if database.dialect == "postgres" else "?"
        self._track_sql = (
            f"UPDATE {database.qualified('rm_tracking')} SET position = {mark} "
            f"WHERE name IN ({names})"
        )
        self._by_topic: dict[str, list[Projection]] = {}
        for projection in self.projections:
            for topic in projection.handlers:
                self._by_topic.setdefault(topic, []).append(projection)

    # --- inline ----------------------------------------------------------------------

    def apply(self, cursor: Any, stored: Sequence[Any], positions: Sequence[int]) -> None:
        """Apply one transaction's events to every read model, in that transaction."""
        store = SqlStore(cursor, self.db.dialect, self.db.schema)
        for event, position in zip(stored, positions, strict=True):
            interested = self._by_topic.get(event.topic)
            if interested:
                r = record(
                    position,
                    event.originator_id,
                    event.originator_version,
                    event.topic,
                    event.state,
                )
                for projection in interested:
                    projection.apply(r, store)
        store.flush()
        cursor.execute(self._track_sql, [positions[-1]])

    # --- setting up ------------------------------------------------------------------

    def ensure(self, progress: Progress | None = None) -> None:
        """Create missing tables; build any read model that is behind the log."""
        self.metadata.create_all(self.db.engine)
        with self.db.engine.begin() as conn:
            known = set(conn.execute(select(self.tracking.c.name)).scalars())
            for p in self.projections:
                if p.name not in known:
                    conn.execute(self.tracking.insert().values(name=p.name, position=0))
        behind = [self.find(position.name) for position in self.status() if position.lag]
        if behind:
            self._rebuild(behind, progress)

    def status(self) -> list[Position]:
        """Each read model's position and lag behind the head of the log."""
        head = self.recorder.max_notification_id() or 0
        with self.db.engine.connect() as conn:
            query = select(self.tracking.c.name, self.tracking.c.position)
            rows: dict[str, int] = {name: pos for name, pos in conn.execute(query)}
        return [Position(p.name, p.title, rows.get(p.name, 0), head) for p in self.projections]

    def find(self, name: str) -> Projection:
        for projection in self.projections:
            if projection.name == name:
                return projection
        names = ", ".join(p.name for p in self.projections)
        raise UnknownReadModel(f"没有名为 {name!r} 的读模型;可选:{names}")

    # --- rebuild ---------------------------------------------------------------------

    def rebuild(self, name: str | None = None, progress: Progress | None = None) -> int:
        """Rebuild one read model (or, without a name, all of them in one pass over the
        log) beside the live tables, then swap the copies in; returns events read.

        Writers go on while the copies are built; they are held back only for
        the swap, which first applies the events that arrived meanwhile.
        """
        chosen = list(self.projections) if name is None else [self.find(name)]
        return self._rebuild(chosen, progress)

    def _rebuild(self, chosen: list[Projection], progress: Progress | None) -> int:
        shadows = {p.name: p.define(MetaData(), NEXT) for p in chosen}
        self._create_shadows([table for tables in shadows.values() for table in tables])
        head = self.recorder.max_notification_id() or 0
        store = MemoryStore()
        topics = {topic for p in chosen for topic in p.handlers}
        done = 0
        for page, read in self._pages(1, head, topics):
            for r in page:
                for projection in chosen:
                    projection.apply(r, store)
            # One short transaction a page: on SQLite, writing the copy takes the
            # database's write lock, and writers must get it between pages.
            with self.db.engine.begin() as conn:
                for p in chosen:
                    self._flush(conn, p, shadows[p.name], store, appended_only=True)
            done += read
            if progress:
                progress(done, head)
        with self.db.engine.begin() as conn:
            for p in chosen:
                self._flush(conn, p, shadows[p.name], store, appended_only=False)
        self._swap(chosen, shadows, head)
        return done

    def _pages(self, start: int, stop: int, topics: set[str]) -> Any:
        """(decoded records of the given topics, events read), a page at a time."""
        while start <= stop:
            batch = self.recorder.select_notifications(start=start, limit=PAGE, stop=stop)
            if not batch:
                return
            page = [
                record(n.id, n.originator_id, n.originator_version, n.topic, n.state)
                for n in batch
                if n.topic in topics
            ]
            yield page, len(batch)
            start = batch[-1].id + 1

    def _create_shadows(self, shadows: list[Table]) -> None:
        with self.db.engine.begin() as conn:
            for table in shadows:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.db.qualified(table.name)}")
                conn.execute(CreateTable(table))

    def _flush(
        self,
        conn: Any,
        projection: Projection,
        shadows: list[Table],
        store: MemoryStore,
        *,
        appended_only: bool,
    ) -> None:
        for live, shadow in zip(projection.tables, shadows, strict=True):
            keyed = bool(list(live.primary_key.columns))
            if keyed == appended_only:
                continue
            rows = store.rows(live) if keyed else store.drain(live)
            if rows:
                conn.execute(shadow.insert(), rows)

    def _swap(self, chosen: list[Projection], shadows: dict[str, list[Table]], head: int) -> None:
        raw = self.db.engine.raw_connection()
        driver: Any = raw.driver_connection
        # _hold_writers puts an SQLite connection in autocommit mode to BEGIN
        # IMMEDIATE itself; it goes back to the pool as it came.
        level = driver.isolation_level
        try:
            cursor = raw.cursor()
            self._hold_writers(raw, cursor)
            latest = self._catch_up(cursor, chosen, head)
            mark = "%s" if self.db.dialect == "postgres" else "?"
            for projection in chosen:
                for live, shadow in zip(projection.tables, shadows[projection.name], strict=True):
                    self._replace(cursor, live, shadow)
                cursor.execute(
                    f"UPDATE {self.db.qualified('rm_tracking')} SET position = {mark} "
                    f"WHERE name = {mark}",
                    [latest, projection.name],
                )
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            if self.db.dialect == "sqlite":
                driver.isolation_level = level
            raw.close()

    def _hold_writers(self, raw: Any, cursor: Any) -> None:
        if self.db.dialect == "sqlite":
            raw.driver_connection.isolation_level = None
            cursor.execute("BEGIN IMMEDIATE")
        else:
            cursor.execute(f"LOCK TABLE {self.db.qualified('ledger_events')} IN EXCLUSIVE MODE")

    def _catch_up(self, cursor: Any, chosen: list[Projection], head: int) -> int:
        """Apply the events written since the copies were read; returns the new head."""
        store = SqlStore(cursor, self.db.dialect, self.db.schema, suffix=NEXT)
        latest = self.recorder.max_notification_id() or 0
        topics = {topic for p in chosen for topic in p.handlers}
        for page, _ in self._pages(head + 1, latest, topics):
            for r in page:
                for projection in chosen:
                    projection.apply(r, store)
        store.flush()
        return latest

    def _replace(self, cursor: Any, live: Table, shadow: Table) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.db.qualified(live.name)}")
        cursor.execute(f'ALTER TABLE {self.db.qualified(shadow.name)} RENAME TO "{live.name}"')
        if self.db.dialect == "postgres" and list(live.primary_key.columns):
            cursor.execute(
                f'ALTER INDEX "{self.db.schema}"."{shadow.name}_pkey" RENAME TO "{live.name}_pkey"'
            )
        for index in live.indexes:
            columns = ", ".join(f'"{c.name}"' for c in index.columns)
            cursor.execute(
                f'CREATE INDEX "{index.name}" ON {self.db.qualified(live.name)} ({columns})'
            )
