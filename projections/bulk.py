"""Reading the log and writing read-model rows in bulk, on the driver's own cursor.

A rebuild reads a million events and writes hundreds of thousands of rows;
SQLAlchemy's per-row work (parameter processing, result rows) and the
library's notification objects (a UUID each) would cost more than the
folding itself. Here the log is read a range of positions at a time, only
the columns and topics the rebuild needs, and rows go out with one
``executemany`` (SQLite) or ``COPY`` (PostgreSQL) per table.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table

from .database import Database
from .records import Record, decode
from .store import sqlite_dates


class LogReader:
    """Pages of decoded records, straight from the events table."""

    def __init__(self, database: Database, events_table: str) -> None:
        self.db = database
        postgres = database.dialect == "postgres"
        # The log position is SQLite's rowid and PostgreSQL's notification_id.
        position = "notification_id" if postgres else "rowid"
        # PostgreSQL spells the id as text itself; SQLite stores it as hex.
        originator = "originator_id::text" if postgres else "originator_id"
        self.sql = (
            f"SELECT {position}, {originator}, originator_version, topic, state "
            f"FROM {database.qualified(events_table)} "
            f"WHERE {position} >= {{m}} AND {position} <= {{m}} AND topic IN ({{topics}}) "
            f"ORDER BY {position}"
        )

    def cursor(self, connection: Any) -> Any:
        """A cursor for ``read`` on a pooled DB-API connection."""
        if self.db.dialect == "postgres":
            # Binary results: the states arrive as bytes, not hex text to decode.
            return connection.driver_connection.cursor(binary=True)
        return connection.cursor()

    def read(self, cursor: Any, first: int, last: int, topics: Collection[str]) -> list[Record]:
        """The events of ``topics`` at positions ``first`` to ``last``, in log order."""
        mark = "%s" if self.db.dialect == "postgres" else "?"
        sql = self.sql.format(m=mark, topics=", ".join([mark] * len(topics)))
        cursor.execute(sql, [first, last, *topics])
        return [decode(*row) for row in cursor.fetchall()]


class RowWriter:
    """Writes whole rows of a table (or its rebuild copy) through a DB-API cursor."""

    def __init__(self, database: Database) -> None:
        self.db = database
        if database.dialect == "sqlite":
            sqlite_dates()

    def write(self, cursor: Any, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (dicts keyed by column name) into ``table``."""
        if not rows:
            return
        names = [c.name for c in table.columns]
        columns = ", ".join(f'"{n}"' for n in names)
        if self.db.dialect == "postgres":
            self._copy(cursor, f"{self.db.qualified(table.name)} ({columns})", names, rows)
            return
        marks = ", ".join("?" * len(names))
        sql = f"INSERT INTO {self.db.qualified(table.name)} ({columns}) VALUES ({marks})"
        cursor.executemany(sql, map(itemgetter(*names), rows))

    @staticmethod
    def _copy(cursor: Any, target: str, names: list[str], rows: Sequence[dict[str, Any]]) -> None:
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            pick = itemgetter(*names)
            for row in rows:
                copy.write_row(pick(row))
