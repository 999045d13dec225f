"""Where projections write: straight to SQL (inline) or to memory (rebuild).

A projection's handlers call ``insert``, ``update`` and ``delete`` with a
table and plain values; the same handler code then serves the write path
(one command's events, in the command's transaction) and a rebuild (a
million events folded in memory, written in bulk). ``get`` reads one of the
projection's own rows as the writes so far leave it: a read model keeping
counts of distinct members must know whether a member is new.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Table

from .later import bind


class Store(Protocol):
    """The writes a projection may make, and the one read (``get``, of its own rows)."""

    def insert(self, table: Table, row: dict[str, Any]) -> None: ...

    def update(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], add: str | None = None
    ) -> None:
        """Set ``values`` on the row with this primary key; ``add`` names a column to add 1 to."""

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        """Add ``amount`` to one column of the row with this primary key."""

    def delete(self, table: Table, first: Any) -> None:
        """Remove every row whose first primary-key column equals ``first``."""

    def get(self, table: Table, key: dict[str, Any]) -> dict[str, Any] | None:
        """The row with this primary key as the writes so far leave it, or None.
        A projection reads only its own tables (for counts it keeps up to date)."""


class SqlStore:
    """Buffers writes for a DB-API cursor inside the caller's transaction.

    Writes to one row coalesce: an update of a row inserted or updated
    earlier in the same flush is folded into that write (later values win,
    additions add up), exactly as the statements one after another would
    leave it. A command that records a finding and sets its deadline, or a
    hundred reports on fifty findings, then costs one statement per row.
    ``flush`` executes each table's writes in order, each run of one
    statement as one ``executemany``.
    """

    def __init__(
        self,
        cursor: Any,
        dialect: str,
        schema: str = "",
        suffix: str = "",
        statements: dict[tuple[Any, ...], str] | None = None,
        later: str | None = None,
    ) -> None:
        self.cursor = cursor
        # SQL looking up a position not known yet (``Later``; PostgreSQL only): set
        # when the writes are computed before the events are inserted.
        self.later = later
        self.postgres = dialect == "postgres"
        self.mark = "%s" if self.postgres else "?"
        self.prefix = f'"{schema}".' if schema and self.postgres else ""
        self.suffix = suffix
        if not self.postgres:
            sqlite_dates()
        # Each table's buffered writes, in order: a ``_Write`` while later writes may
        # still fold into it, else the statement and its parameters, ready.
        self._writes: dict[str, list[Any]] = {}
        # The writes of this flush that later updates may fold into, by table and
        # first key column (a delete drops them all), then by full key.
        self._open: dict[tuple[str, Any], dict[tuple[Any, ...], _Write]] = {}
        # SQL by the shape of a write; ``statements`` lets one cache serve every
        # transaction's store (same dialect, schema and suffix).
        self._sql: dict[tuple[Any, ...], str] = {} if statements is None else statements
        # Rows read (or inserted) through this store, kept as its writes change them:
        # one transaction's store is the only writer of its rows, so a row is read at
        # most once and reading it needs no flush of the writes to other rows.
        self._seen: dict[tuple[str, Any], dict[tuple[Any, ...], dict[str, Any] | None]] = {}
        self._deleted: set[tuple[str, Any]] = set()

    def name(self, table: Table) -> str:
        return f'{self.prefix}"{table.name}{self.suffix}"'

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        if appended(table):  # no later write or read of this row: its statement now
            shape = ("i", table.name, *row)
            sql = self._sql.get(shape)
            if sql is None:
                sql = self._sql[shape] = self._build(_Write(table, "i", row))
            values = list(row.values())
            if self.later is not None:
                self._table_writes(table.name).append(bind(sql, values, self.later, self._sql))
                return
            self._table_writes(table.name).append((sql, values))
            return
        write = _Write(table, "i", dict(row))
        self._table_writes(table.name).append(write)
        full = _full(table, row)
        first = (table.name, full[0])
        self._open.setdefault(first, {})[full] = write
        self._seen.setdefault(first, {})[full] = dict(row)

    def update(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], add: str | None = None
    ) -> None:
        self._change(table, key, values, {add: 1} if add else {})

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        self._change(table, key, {}, {column: amount})

    def delete(self, table: Table, first: Any) -> None:
        self._open.pop((table.name, first), None)
        self._seen.pop((table.name, first), None)
        self._deleted.add((table.name, first))
        self._table_writes(table.name).append(_Write(table, "d", {}, {_pk(table)[0]: first}))

    def get(self, table: Table, key: dict[str, Any]) -> dict[str, Any] | None:
        if self.later is not None:
            # Rows read before the events table is locked may be changed by another
            # writer before this transaction commits: such a read model must say so.
            raise RuntimeError(f"{table.name}: a read model that reads its rows sets reads_rows")
        full = _full(table, key)
        seen = self._seen.setdefault((table.name, full[0]), {})
        if full not in seen:
            seen[full] = self._select(table, _pk(table), full)
        row = seen[full]
        return None if row is None else dict(row)

    def _select(self, table: Table, pk: list[str], full: tuple[Any, ...]) -> dict[str, Any] | None:
        first = (table.name, full[0])
        if full in self._open.get(first, {}) or first in self._deleted:
            self.flush()  # a write to this row is waiting: let it land first
        names = [c.name for c in table.columns]
        where = " AND ".join(f'"{c}" = {self.mark}' for c in pk)
        sql = f"SELECT {_cols(dict.fromkeys(names))} FROM {self.name(table)} WHERE {where}"
        self.cursor.execute(sql, list(full))
        found = self.cursor.fetchone()
        if found is None or isinstance(found, dict):  # PostgreSQL's cursor gives dicts
            return found
        return dict(zip(names, found, strict=True))

    def _change(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], adds: dict[str, int]
    ) -> None:
        pk = _pk(table)
        full = (key[pk[0]],) if len(pk) == 1 else tuple([key[c] for c in pk])
        first = (table.name, full[0])
        seen = self._seen.get(first) if self._seen else None
        if seen is not None:
            row = seen.get(full)
            if row is not None:
                _change_row(row, values, adds)
        group = self._open.get(first)
        if group is None:
            group = self._open[first] = {}
        write = group.get(full)
        if write is None:
            write = group[full] = _Write(table, "u", {}, dict(key))
            self._table_writes(table.name).append(write)
        write.change(values, adds)

    def _table_writes(self, name: str) -> list[Any]:
        writes = self._writes.get(name)
        if writes is None:
            writes = self._writes[name] = []
        return writes

    def flush(self) -> None:
        """Execute the buffered writes: table by table, each table's in order.

        Writes to different tables do not depend on one another, so one
        command's audit row, history row and status update, repeated over a
        hundred commands, become three ``executemany`` calls, not three hundred
        statements.
        """
        for statements in self.pending():
            self.execute(statements)

    def pending(self) -> list[list[tuple[str, list[Any]]]]:
        """Take the buffered writes as statements, a list per table, without executing them."""
        writes, self._writes, self._open = self._writes, {}, {}
        self._deleted = set()
        out = []
        for table_writes in writes.values():
            statements = []
            for w in table_writes:
                if type(w) is tuple:
                    statements.append(w)
                elif w.row or w.adds or w.kind == "d":
                    statements.append(self._statement(w))
            out.append(statements)
        return out

    def execute(self, statements: list[tuple[str, list[Any]]]) -> None:
        """Each run of one statement as one ``executemany``."""
        start = 0
        while start < len(statements):
            sql = statements[start][0]
            end = start + 1
            while end < len(statements) and statements[end][0] == sql:
                end += 1
            if end - start == 1:
                self.cursor.execute(sql, statements[start][1])
            else:
                self.cursor.executemany(sql, [params for _, params in statements[start:end]])
            start = end

    def _statement(self, w: _Write) -> tuple[str, list[Any]]:
        shape = (w.kind, w.table.name, *w.row, "+", *w.adds, "|", *w.key)
        sql = self._sql.get(shape)
        if sql is None:
            sql = self._sql[shape] = self._build(w)
        params = [*w.row.values(), *w.adds.values(), *w.key.values()]
        if self.later is not None:
            return bind(sql, params, self.later, self._sql)
        return sql, params

    def _build(self, w: _Write) -> str:
        table, m = self.name(w.table), self.mark
        if w.kind == "i":
            return f"INSERT INTO {table} ({_cols(w.row)}) VALUES ({', '.join([m] * len(w.row))})"
        where = " AND ".join(f'"{c}" = {m}' for c in w.key)
        if w.kind == "d":
            return f"DELETE FROM {table} WHERE {where}"
        sets = [f'"{c}" = {m}' for c in w.row] + [f'"{c}" = "{c}" + {m}' for c in w.adds]
        return f"UPDATE {table} SET {', '.join(sets)} WHERE {where}"


class _Write:
    """One buffered write: an insert (``row``), an update of one row (``row`` holds
    the values set, ``adds`` the amounts added) or a delete, by ``key``."""

    __slots__ = ("adds", "key", "kind", "row", "table")

    def __init__(
        self, table: Table, kind: str, row: dict[str, Any], key: dict[str, Any] | None = None
    ) -> None:
        self.table, self.kind, self.row = table, kind, row
        self.key = key or {}
        self.adds: dict[str, int] = {}

    def change(self, values: dict[str, Any], adds: dict[str, int]) -> None:
        """Fold a later update of the same row into this write."""
        self.row.update(values)
        if self.adds:
            for column in values:
                self.adds.pop(column, None)  # set after an addition: the set wins
        for column, amount in adds.items():
            if column in self.row or self.kind == "i":  # after a set, or to an inserted row
                if self.row.get(column) is not None:  # NULL + n stays NULL, as in SQL
                    self.row[column] += amount
            else:
                self.adds[column] = self.adds.get(column, 0) + amount


class MemoryStore:
    """Folds writes into dicts; ``rows(table)`` gives the final rows for a bulk insert.

    Tables without a primary key, and those marked ``APPEND_ONLY``, are
    append-only; ``drain`` empties them so a rebuild can write them a part at
    a time.
    """

    def __init__(self) -> None:
        # table -> first primary-key value -> full primary key -> row
        self.keyed: dict[str, dict[Any, dict[tuple[Any, ...], dict[str, Any]]]] = defaultdict(dict)
        self.appended: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.appended_count = 0
        self._pks: dict[str, list[str]] = {}

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        if appended(table):
            self.appended[table.name].append(row)
            self.appended_count += 1
            return
        full = tuple([row[c] for c in self._pk(table)])
        self.keyed[table.name].setdefault(full[0], {})[full] = dict(row)

    def update(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], add: str | None = None
    ) -> None:
        row = self._row(table, key)
        if row is not None:
            row.update(values)
            if add:
                row[add] += 1

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        row = self._row(table, key)
        if row is not None:
            row[column] += amount

    def delete(self, table: Table, first: Any) -> None:
        self.keyed[table.name].pop(first, None)

    def get(self, table: Table, key: dict[str, Any]) -> dict[str, Any] | None:
        row = self._row(table, key)
        return None if row is None else dict(row)

    def rows(self, table: Table) -> list[dict[str, Any]]:
        if appended(table):
            return self.appended[table.name]
        return [row for group in self.keyed[table.name].values() for row in group.values()]

    def drain(self, table: Table) -> list[dict[str, Any]]:
        rows, self.appended[table.name] = self.appended[table.name], []
        self.appended_count -= len(rows)
        return rows

    def _row(self, table: Table, key: dict[str, Any]) -> dict[str, Any] | None:
        pk = self._pk(table)
        if len(pk) == 1:  # most updates: one finding, one unit, one inspection
            first = key[pk[0]]
            group = self.keyed[table.name].get(first)
            return None if group is None else group.get((first,))
        full = tuple([key[c] for c in pk])
        group = self.keyed[table.name].get(full[0])
        return None if group is None else group.get(full)

    def _pk(self, table: Table) -> list[str]:
        pk = self._pks.get(table.name)
        if pk is None:
            pk = self._pks[table.name] = _pk(table)
        return pk


@cache
def sqlite_dates() -> None:
    """Dates go to SQLite as ISO text, as SQLAlchemy writes them. Python 3.11's
    default adapter does the same in Python (and is deprecated from 3.12); this
    one is the C method itself. Adapters are per type and process-wide, so it is
    registered once (every inline transaction makes a store)."""
    sqlite3.register_adapter(date, date.isoformat)


# Table.info flag of a keyed table whose rows are only ever inserted, in log
# order (one per event): a rebuild writes them as it goes, like unkeyed rows.
APPEND_ONLY = "append_only"


@cache
def appended(table: Table) -> bool:
    """Whether a table's rows are only inserted (no key, or marked ``APPEND_ONLY``)."""
    return not _pk(table) or bool(table.info.get(APPEND_ONLY))


def _change_row(row: dict[str, Any], values: dict[str, Any], adds: dict[str, int]) -> None:
    """What an UPDATE setting ``values`` and adding ``adds`` does to a row (NULL + n stays NULL)."""
    row.update(values)
    for column, amount in adds.items():
        if row.get(column) is not None:
            row[column] += amount


@cache
def _pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _full(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    """The full primary key of a row (or of a key given as a dict)."""
    pk = _pk(table)
    if len(pk) == 1:  # most writes: one finding, one unit, one inspection
        return (row[pk[0]],)
    return tuple([row[c] for c in pk])


def _cols(row: dict[str, Any]) -> str:
    return ", ".join(f'"{c}"' for c in row)
