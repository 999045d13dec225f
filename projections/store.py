"""Where projections write: straight to SQL (inline) or to memory (rebuild).

A projection's handlers call ``insert``, ``update``, ``add`` and ``delete``
with a table and plain values; the same handler code then serves the write
path (one command's events, in the command's transaction) and a rebuild
(a million events folded in memory, written in bulk).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Table


class Store(Protocol):
    """The four writes a projection may make."""

    def insert(self, table: Table, row: dict[str, Any]) -> None: ...

    def update(self, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None: ...

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None: ...

    def delete(self, table: Table, first: Any) -> None: ...


class SqlStore:
    """Executes each write on a DB-API cursor inside the caller's transaction.

    ``delete`` removes every row whose first primary-key column equals ``first``.
    """

    def __init__(self, cursor: Any, dialect: str, schema: str = "", suffix: str = "") -> None:
        self.cursor = cursor
        self.postgres = dialect == "postgres"
        self.mark = "%s" if self.postgres else "?"
        self.prefix = f'"{schema}".' if schema and self.postgres else ""
        self.suffix = suffix
        self._sql: dict[tuple[Any, ...], str] = {}

    def name(self, table: Table) -> str:
        return f'{self.prefix}"{table.name}{self.suffix}"'

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        key = ("i", table.name, *row)
        sql = self._sql.get(key)
        if sql is None:
            marks = ", ".join([self.mark] * len(row))
            sql = self._sql[key] = f"INSERT INTO {self.name(table)} ({_cols(row)}) VALUES ({marks})"
        self.cursor.execute(sql, self.values(row.values()))

    def update(self, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
        cache = ("u", table.name, *values, "|", *key)
        sql = self._sql.get(cache)
        if sql is None:
            sets = ", ".join(f'"{c}" = {self.mark}' for c in values)
            sql = self._sql[cache] = (
                f"UPDATE {self.name(table)} SET {sets} WHERE {self._where(key)}"
            )
        self.cursor.execute(sql, self.values([*values.values(), *key.values()]))

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        cache = ("a", table.name, column, *key)
        sql = self._sql.get(cache)
        if sql is None:
            sets = f'"{column}" = "{column}" + {self.mark}'
            sql = self._sql[cache] = (
                f"UPDATE {self.name(table)} SET {sets} WHERE {self._where(key)}"
            )
        self.cursor.execute(sql, self.values([amount, *key.values()]))

    def delete(self, table: Table, first: Any) -> None:
        column = next(iter(table.primary_key.columns)).name
        sql = f'DELETE FROM {self.name(table)} WHERE "{column}" = {self.mark}'
        self.cursor.execute(sql, self.values([first]))

    def values(self, values: Any) -> list[Any]:
        if self.postgres:
            return list(values)
        return [v.isoformat() if isinstance(v, date) else v for v in values]

    def _where(self, key: dict[str, Any]) -> str:
        return " AND ".join(f'"{c}" = {self.mark}' for c in key)


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

    def update(self, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
        row = self._find(table, key)
        if row is not None:
            row.update(values)

    def add(self, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
        row = self._find(table, key)
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

    def _find(self, table: Table, key: dict[str, Any]) -> dict[str, Any] | None:
        full = tuple(key[c] for c in _pk(table))
        return self.keyed[table.name].get(full[0], {}).get(full)


def _pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _cols(row: dict[str, Any]) -> str:
    return ", ".join(f'"{c}"' for c in row)
