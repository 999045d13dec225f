"""Where projections write: straight to SQL (inline) or to memory (rebuild).

A projection's handlers call ``insert``, ``update`` and ``delete`` with a
table and plain values; the same handler code then serves the write path
(one command's events, in the command's transaction) and a rebuild (a
million events folded in memory, written in bulk).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Table


class Store(Protocol):
    """The writes a projection may make."""

    def insert(self, table: Table, row: dict[str, Any]) -> None: ...

    def update(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], add: str | None = None
    ) -> None:
        """Set ``values`` on the row with this primary key; ``add`` names a column to add 1 to."""

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        """Add ``amount`` to one column of the row with this primary key."""

    def delete(self, table: Table, first: Any) -> None:
        """Remove every row whose first primary-key column equals ``first``."""


class SqlStore:
    """Buffers writes for a DB-API cursor inside the caller's transaction.

    Writes to one row coalesce: an update of a row inserted or updated
    earlier in the same flush is folded into that write (later values win,
    additions add up), exactly as the statements one after another would
    leave it. A command that records a finding and sets its deadline, or a
    hundred reports on fifty findings, then costs one statement per row.
    ``flush`` executes the writes table by table, in order within each
    table, each run of one statement as one ``executemany``.
    """

    def __init__(self, cursor: Any, dialect: str, schema: str = "", suffix: str = "") -> None:
        self.cursor = cursor
        self.postgres = dialect == "postgres"
        self.mark = "%s" if self.postgres else "?"
        self.prefix = f'"{schema}".' if schema and self.postgres else ""
        self.suffix = suffix
        self.pending: list[_Write] = []
        # The writes of this flush that later updates may fold into, by table and
        # first key column (a delete drops them all), then by full key.
        self._open: dict[tuple[str, Any], dict[tuple[Any, ...], _Write]] = {}
        self._sql: dict[tuple[Any, ...], str] = {}

    def name(self, table: Table) -> str:
        return f'{self.prefix}"{table.name}{self.suffix}"'

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        write = _Write(table, "i", dict(row))
        self.pending.append(write)
        pk = _pk(table)
        if pk:
            full = tuple(row[c] for c in pk)
            self._open.setdefault((table.name, full[0]), {})[full] = write

    def update(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], add: str | None = None
    ) -> None:
        self._change(table, key, values, {add: 1} if add else {})

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        self._change(table, key, {}, {column: amount})

    def delete(self, table: Table, first: Any) -> None:
        self._open.pop((table.name, first), None)
        self.pending.append(_Write(table, "d", {}, {_pk(table)[0]: first}))

    def _change(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], adds: dict[str, int]
    ) -> None:
        full = tuple(key[c] for c in _pk(table))
        group = self._open.setdefault((table.name, full[0]), {})
        write = group.get(full)
        if write is None:
            write = group[full] = _Write(table, "u", {}, dict(key))
            self.pending.append(write)
        write.change(values, adds)

    def flush(self) -> None:
        """Execute the buffered writes in order."""
        pending, self.pending, self._open = self.pending, [], {}
        # Table by table, each in its own order: no statement reads another
        # table (no foreign keys, no triggers), so the result is the same and
        # the runs of one statement are longer (an import interleaves tables).
        first: dict[str, int] = {}
        for w in pending:
            first.setdefault(w.table.name, len(first))
        pending.sort(key=lambda w: first[w.table.name])
        statements = [self._statement(w) for w in pending if w.row or w.adds or w.kind == "d"]
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
        return sql, self.values([*w.row.values(), *w.adds.values(), *w.key.values()])

    def _build(self, w: _Write) -> str:
        table, m = self.name(w.table), self.mark
        if w.kind == "i":
            return f"INSERT INTO {table} ({_cols(w.row)}) VALUES ({', '.join([m] * len(w.row))})"
        where = " AND ".join(f'"{c}" = {m}' for c in w.key)
        if w.kind == "d":
            return f"DELETE FROM {table} WHERE {where}"
        sets = [f'"{c}" = {m}' for c in w.row] + [f'"{c}" = "{c}" + {m}' for c in w.adds]
        return f"UPDATE {table} SET {', '.join(sets)} WHERE {where}"

    def values(self, values: Any) -> list[Any]:
        if self.postgres:
            return list(values)
        return [v.isoformat() if isinstance(v, date) else v for v in values]


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
        for column, value in values.items():
            self.row[column] = value
            self.adds.pop(column, None)  # set after an addition: the set wins
        for column, amount in adds.items():
            if column in self.row or self.kind == "i":  # after a set, or to an inserted row
                if self.row.get(column) is not None:  # NULL + n stays NULL, as in SQL
                    self.row[column] += amount
            else:
                self.adds[column] = self.adds.get(column, 0) + amount


class MemoryStore:
    """Folds writes into dicts; ``rows(table)`` gives the final rows for a bulk insert.

    Tables without a primary key are append-only; ``drain`` empties them so
    a rebuild can write them a part at a time.
    """

    def __init__(self) -> None:
        # table -> first primary-key value -> full primary key -> row
        self.keyed: dict[str, dict[Any, dict[tuple[Any, ...], dict[str, Any]]]] = defaultdict(dict)
        self.appended: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.appended_count = 0
        self._pks: dict[str, list[str]] = {}

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        pk = self._pk(table)
        if not pk:
            self.appended[table.name].append(row)
            self.appended_count += 1
            return
        full = tuple([row[c] for c in pk])
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

    def rows(self, table: Table) -> list[dict[str, Any]]:
        if not self._pk(table):
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
def _pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _cols(row: dict[str, Any]) -> str:
    return ", ".join(f'"{c}"' for c in row)
