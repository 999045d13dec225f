"""Where projections write: straight to SQL (inline) or to memory (rebuild).

A projection's handlers call ``insert``, ``update`` and ``delete`` with a
table and plain values; the same handler code then serves the write path
(one command's events, in the command's transaction) and a rebuild (a
million events folded in memory, written in bulk).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
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

    ``flush`` executes them in order, each run of one statement as one
    ``executemany``: a hundred progress reports become one round of updates.
    """

    def __init__(self, cursor: Any, dialect: str, schema: str = "", suffix: str = "") -> None:
        self.cursor = cursor
        self.postgres = dialect == "postgres"
        self.mark = "%s" if self.postgres else "?"
        self.prefix = f'"{schema}".' if schema and self.postgres else ""
        self.suffix = suffix
        self.pending: list[tuple[str, list[Any]]] = []
        self._sql: dict[tuple[Any, ...], str] = {}

    def name(self, table: Table) -> str:
        return f'{self.prefix}"{table.name}{self.suffix}"'

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        key = ("i", table.name, *row)
        sql = self._sql.get(key)
        if sql is None:
            marks = ", ".join([self.mark] * len(row))
            sql = self._sql[key] = f"INSERT INTO {self.name(table)} ({_cols(row)}) VALUES ({marks})"
        self.pending.append((sql, self.values(row.values())))

    def update(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], add: str | None = None
    ) -> None:
        cache = ("u", table.name, *values, "|", *key, "+", add)
        sql = self._sql.get(cache)
        if sql is None:
            sets = [f'"{c}" = {self.mark}' for c in values]
            if add:
                sets.append(f'"{add}" = "{add}" + 1')
            where = " AND ".join(f'"{c}" = {self.mark}' for c in key)
            sql = self._sql[cache] = (
                f"UPDATE {self.name(table)} SET {', '.join(sets)} WHERE {where}"
            )
        self.pending.append((sql, self.values([*values.values(), *key.values()])))

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        cache = ("a", table.name, column, *key)
        sql = self._sql.get(cache)
        if sql is None:
            where = " AND ".join(f'"{c}" = {self.mark}' for c in key)
            sets = f'"{column}" = "{column}" + {self.mark}'
            sql = self._sql[cache] = f"UPDATE {self.name(table)} SET {sets} WHERE {where}"
        self.pending.append((sql, self.values([amount, *key.values()])))

    def delete(self, table: Table, first: Any) -> None:
        column = next(iter(table.primary_key.columns)).name
        sql = f'DELETE FROM {self.name(table)} WHERE "{column}" = {self.mark}'
        self.pending.append((sql, self.values([first])))

    def flush(self) -> None:
        """Execute the buffered writes in order."""
        pending, self.pending = self.pending, []
        start = 0
        while start < len(pending):
            sql = pending[start][0]
            end = start + 1
            while end < len(pending) and pending[end][0] == sql:
                end += 1
            if end - start == 1:
                self.cursor.execute(sql, pending[start][1])
            else:
                self.cursor.executemany(sql, [params for _, params in pending[start:end]])
            start = end

    def values(self, values: Any) -> list[Any]:
        if self.postgres:
            return list(values)
        return [v.isoformat() if isinstance(v, date) else v for v in values]


class MemoryStore:
    """Folds writes into dicts; ``rows(table)`` gives the final rows for a bulk insert.

    Tables without a primary key are append-only; ``drain`` empties them so
    a rebuild can write them page by page.
    """

    def __init__(self) -> None:
        # table -> first primary-key value -> full primary key -> row
        self.keyed: dict[str, dict[Any, dict[tuple[Any, ...], dict[str, Any]]]] = defaultdict(dict)
        self.appended: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        pk = _pk(table)
        if not pk:
            self.appended[table.name].append(row)
            return
        full = tuple(row[c] for c in pk)
        self.keyed[table.name].setdefault(full[0], {})[full] = dict(row)

    def update(
        self, table: Table, key: dict[str, Any], values: dict[str, Any], add: str | None = None
    ) -> None:
        full = tuple(key[c] for c in _pk(table))
        row = self.keyed[table.name].get(full[0], {}).get(full)
        if row is not None:
            row.update(values)
            if add:
                row[add] += 1

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        full = tuple(key[c] for c in _pk(table))
        row = self.keyed[table.name].get(full[0], {}).get(full)
        if row is not None:
            row[column] += amount

    def delete(self, table: Table, first: Any) -> None:
        self.keyed[table.name].pop(first, None)

    def rows(self, table: Table) -> list[dict[str, Any]]:
        if not _pk(table):
            return self.appended[table.name]
        return [row for group in self.keyed[table.name].values() for row in group.values()]

    def drain(self, table: Table) -> list[dict[str, Any]]:
        rows, self.appended[table.name] = self.appended[table.name], []
        return rows


def _pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _cols(row: dict[str, Any]) -> str:
    return ", ".join(f'"{c}"' for c in row)
