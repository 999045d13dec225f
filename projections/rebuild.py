"""Rebuilding read models: fold the log in memory beside the live tables, then swap.

The copies (tables named ``<table>__next``) are filled while the ledger keeps
writing. Append-only rows go out every ``FLUSH`` rows, each time in one short
transaction, so on SQLite writers get the database's write lock in between;
keyed rows (one per finding, letter …) are folded in memory and written once
at the end, and then the copies are indexed, one index per transaction. Then
writers are held for a moment: the events that arrived meanwhile are applied
to the copies, the copies replace the live tables and the tracking positions
move, all in one transaction.

SQLite cannot rename an index, and index names are unique in a database, so
a copy's indexes keep the names they were built with: a copy is named with
``__next`` or, when live tables already carry those names from an earlier
rebuild, with ``__alt`` (``__alt3`` … if need be). (Building them after the swap, under the live
names, held every writer back for the whole index build: 16 s at 1M events.)
The replaced tables are renamed aside in the swap and dropped after it, each
in a transaction of its own, for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import count
from typing import TYPE_CHECKING, Any

from sqlalchemy import Index, MetaData, Table
from sqlalchemy.schema import CreateTable

from ledger.infrastructure import collector

from .base import Handler, Projection
from .behind import CATCH_UP_LOCK
from .bulk import LogReader, RowWriter
from .records import Record
from .store import MemoryStore, SqlStore, appended

if TYPE_CHECKING:
    from .runner import Projector

NEXT = "__next"
ALT = "__alt"  # SQLite: then ALT2, ALT3 …, when live indexes carry the names before
OLD = "__old"  # SQLite: a replaced table, until it is dropped after the swap
PAGE = 5000  # log positions read at a time; progress is reported after each page
FLUSH = 50_000  # append-only rows held in memory before they are written
Progress = Callable[[int, int], None]


class Rebuild:
    """One rebuild of the chosen read models, in one pass over the log."""

    def __init__(self, projector: Projector, chosen: list[Projection]) -> None:
        self.db = projector.db
        self.recorder = projector.recorder
        self.tracking = projector.tracking
        self.chosen = chosen
        self.suffix = self._free_suffix()
        self.shadows = {p.name: p.define(MetaData(), self.suffix) for p in chosen}
        events = self.db.qualified(projector.recorder.events_table_name)
        # Read models the database fills itself from the events table (by ``fill``);
        # the handlers fold the others, and all of them in the catch-up.
        self.fills: list[str] = []
        folded = []
        for projection in chosen:
            copy = self.db.qualified(self.shadows[projection.name][0].name)
            sql = projection.fill(self.db.dialect, events, copy)
            if sql is None:
                folded.append(projection)
            else:
                self.fills.append(sql)
        self.dispatch = _dispatch(chosen)
        self.folding = _dispatch(folded)
        self.reader = LogReader(projector.db, projector.recorder.events_table_name)
        self.writer = RowWriter(projector.db)

    def run(self, progress: Progress | None = None) -> int:
        """Build the copies, swap them in; returns the log position they are at."""
        self._create_shadows()
        head = self.recorder.max_notification_id() or 0
        store = MemoryStore()
        with collector.paused():
            self._fold(store, head, progress)
            self._write(store, keyed=True)
        self._index_copies()
        latest = self._swap(head)
        self._drop_replaced()
        self._analyze()
        return latest

    def _free_suffix(self) -> str:
        """The copies' suffix: NEXT, or on SQLite the first of ALT, ALT2 … whose index
        names no index in the database has (tables swapped in by earlier rebuilds,
        all or some of them, keep the names they were built with)."""
        if self.db.dialect != "sqlite":
            return NEXT
        with self.db.engine.connect() as conn:
            taken = set(
                conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index'"
                ).scalars()
            )
        for n in count(1):
            suffix = NEXT if n == 1 else ALT if n == 2 else f"{ALT}{n}"
            tables = [t for p in self.chosen for t in p.define(MetaData(), suffix)]
            if not any(index.name in taken for table in tables for index in table.indexes):
                return suffix
        raise AssertionError("unreachable")

    # --- building the copies ---------------------------------------------------------

    def _create_shadows(self) -> None:
        self._drop_replaced()  # left over if a process stopped right after a swap
        with self.db.engine.begin() as conn:
            for table in self._all_shadows():
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.db.qualified(table.name)}")
                conn.execute(CreateTable(table))
                self.db.tune(conn, table.name, like=table.name.removesuffix(self.suffix))

    def _fold(self, store: MemoryStore, head: int, progress: Progress | None) -> None:
        filled = 0  # log position the filled copies are at
        with self.db.engine.connect() as conn:
            cursor = self.reader.cursor(conn.connection)
            for records, reached in self._pages(cursor, 1, head, self.folding):
                self._apply(records, store, self.folding)
                if store.appended_count >= FLUSH:
                    self._write(store, keyed=False)
                if reached - filled >= FLUSH:
                    filled = self._fill(filled, reached)
                if progress:
                    progress(reached, head)
        self._write(store, keyed=False)
        self._fill(filled, head)

    def _fill(self, filled: int, reached: int) -> int:
        """The filled copies' rows from ``filled + 1`` to ``reached``, in one transaction."""
        if self.fills and reached > filled:
            with self.db.engine.begin() as conn:
                for sql in self.fills:
                    conn.exec_driver_sql(sql, (filled + 1, reached))
        return reached

    def _pages(
        self, cursor: Any, first: int, head: int, dispatch: dict[str, list[Handler]]
    ) -> Iterator[tuple[list[Record], int]]:
        """(records of the topics rebuilt, last position read), a page at a time."""
        topics = sorted(dispatch)
        while first <= head:
            last = min(first + PAGE - 1, head)
            records = self.reader.read(cursor, first, last, topics) if topics else []
            yield records, last
            first = last + 1

    def _apply(self, records: list[Record], store: Any, dispatch: dict[str, list[Handler]]) -> None:
        for r in records:
            for handler in dispatch[r.topic]:
                handler(r, store)

    def _write(self, store: MemoryStore, *, keyed: bool) -> None:
        """Write the keyed rows (at the end) or the append-only rows held so far."""
        with self.db.engine.begin() as conn:
            cursor = conn.connection.cursor()
            for p in self.chosen:
                for live, shadow in zip(p.tables, self.shadows[p.name], strict=True):
                    if appended(live) != keyed:
                        rows = store.rows(live) if keyed else store.drain(live)
                        self.writer.write(cursor, shadow, rows)

    def _index_copies(self) -> None:
        """Build the copies' indexes now, while writers go on, one index per
        transaction (on SQLite each holds the write lock while it is built).
        PostgreSQL renames them in the swap; SQLite keeps their names."""
        for table in self._all_shadows():
            for index in table.indexes:
                with self.db.engine.begin() as conn:
                    conn.exec_driver_sql(self._create_index(index.name, table.name, index))

    def _create_index(self, name: str | None, table: str, index: Index) -> str:
        columns = ", ".join(f'"{c.name}"' for c in index.columns)
        return f'CREATE INDEX "{name}" ON {self.db.qualified(table)} ({columns})'

    def _all_shadows(self) -> list[Table]:
        return [table for tables in self.shadows.values() for table in tables]

    # --- swapping them in ------------------------------------------------------------

    def _swap(self, head: int) -> int:
        raw = self.db.engine.raw_connection()
        driver: Any = raw.driver_connection
        # _hold_writers puts an SQLite connection in autocommit mode to BEGIN
        # IMMEDIATE itself; it goes back to the pool as it came.
        level = driver.isolation_level
        try:
            cursor = raw.cursor()
            self._hold_writers(raw, cursor)
            latest = self._catch_up(cursor, head)
            mark = "%s" if self.db.dialect == "postgres" else "?"
            for projection in self.chosen:
                shadows = self.shadows[projection.name]
                for live, shadow in zip(projection.tables, shadows, strict=True):
                    self._replace(cursor, live, shadow)
                cursor.execute(
                    f"UPDATE {self.db.qualified(self.tracking.name)} SET position = {mark} "
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
        return latest

    def _analyze(self) -> None:
        """Statistics for PostgreSQL's planner: the swapped-in tables have none, and
        without them it misjudges every lookup (and may JIT-compile a 2 ms query).
        The change history is also vacuumed, so that as-of questions read its
        covering index alone (index-only scans need the visibility map)."""
        if self.db.dialect != "postgres":
            return
        autocommit = self.db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with autocommit.connect() as conn:
            for projection in self.chosen:
                for table in projection.tables:
                    how = "ANALYZE" if list(table.primary_key.columns) else "VACUUM (ANALYZE)"
                    conn.exec_driver_sql(f"{how} {self.db.qualified(table.name)}")

    def _hold_writers(self, raw: Any, cursor: Any) -> None:
        if self.db.dialect == "sqlite":
            raw.driver_connection.isolation_level = None
            cursor.execute("BEGIN IMMEDIATE")
        else:
            table = self.db.qualified(self.recorder.events_table_name)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            if any(p.behind for p in self.chosen):
                # Catch-ups of the live tables wait, or are waited for (on SQLite
                # the write lock does this): none writes to a table being replaced.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CATCH_UP_LOCK])

    def _catch_up(self, cursor: Any, head: int) -> int:
        """Apply the events written since the copies were read; returns the new head."""
        store = SqlStore(cursor, self.db.dialect, self.db.schema, suffix=self.suffix)
        latest = self.recorder.max_notification_id() or 0
        for records, _ in self._pages(cursor, head + 1, latest, self.dispatch):
            self._apply(records, store, self.dispatch)
            store.flush()
        return latest

    def _replace(self, cursor: Any, live: Table, shadow: Table) -> None:
        if self.db.dialect == "sqlite":
            # Renamed aside, not dropped: dropping a big table frees every page of
            # it and its indexes, seconds at 1M events with writers held back.
            cursor.execute(f'ALTER TABLE "{live.name}" RENAME TO "{live.name}{OLD}"')
            cursor.execute(f'ALTER TABLE "{shadow.name}" RENAME TO "{live.name}"')
            return
        cursor.execute(f"DROP TABLE IF EXISTS {self.db.qualified(live.name)}")
        cursor.execute(f'ALTER TABLE {self.db.qualified(shadow.name)} RENAME TO "{live.name}"')
        keyed = bool(list(live.primary_key.columns))
        renamed = [(f"{shadow.name}_pkey", f"{live.name}_pkey")] if keyed else []
        renamed += [(str(i.name), str(i.name).replace(self.suffix, "", 1)) for i in shadow.indexes]
        for old, new in renamed:
            cursor.execute(f'ALTER INDEX "{self.db.schema}"."{old}" RENAME TO "{new}"')

    def _drop_replaced(self) -> None:
        """SQLite: drop the tables the swap renamed aside, each in its own transaction."""
        if self.db.dialect != "sqlite":
            return
        for projection in self.chosen:
            for table in projection.tables:
                with self.db.engine.begin() as conn:
                    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table.name}{OLD}"')


def as_defined(table: str, name: str) -> str:
    """An index's name as the table's definition gives it: on SQLite a rebuilt
    table's indexes keep the names of its copy (``ix_<table>__next_…``)."""
    return re.sub(f"^ix_{re.escape(table)}(?:{NEXT}|{ALT}[0-9]*)_", f"ix_{table}_", name)


def _dispatch(projections: list[Projection]) -> dict[str, list[Handler]]:
    """Topic → the handlers of these read models, in their order."""
    dispatch: dict[str, list[Handler]] = {}
    for projection in projections:
        for topic, handler in projection.handlers.items():
            dispatch.setdefault(topic, []).append(handler)
    return dispatch
