"""Reading the integrity log and the event store straight from the database.

Proof serving and verification read large ranges fast and, for ``ledger
verify``, from several processes at once; so they use the raw drivers
(``sqlite3``, ``psycopg``) on a :class:`Location` that can be pickled, not the
application's recorder. Positions are 1-based sequence numbers (``seq``); a
tree index is ``seq - 1``. Events are matched to entries by order: the k-th
event in notification order belongs to the k-th entry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg.conninfo import make_conninfo

from ledger.config import Settings
from ledger.infrastructure import integrity

TILES = "ledger_merkle_tiles"
# One event row, all as bytes but the version: originator id (32 hex digits on
# SQLite, dashed on PostgreSQL), version, topic (UTF-8), state.
EventRow = tuple[bytes, int, bytes, bytes]


@dataclass(frozen=True)
class Location:
    """Where a ledger's tables are: an SQLite file (or URI) or a PostgreSQL schema."""

    dialect: str
    sqlite_name: str = ""
    postgres: dict[str, str] = field(default_factory=dict)
    schema: str = ""

    @classmethod
    def of(cls, app: Any) -> Location:
        """The database an open ``Ledger`` uses (also a private in-memory one)."""
        datastore = app.recorder.datastore
        if app.settings.is_postgres:
            keys = ("dbname", "host", "port", "user", "password")
            connect = {k: str(datastore.pool.kwargs.get(k) or "") for k in keys}
            return cls("postgres", postgres=connect, schema=datastore.schema)
        return cls("sqlite", sqlite_name=datastore.pool.db_name)

    @classmethod
    def from_url(cls, url: str) -> Location:
        """The database a URL names (not ``:memory:``, which is private to its ledger)."""
        env = Settings(url).eventsourcing_env()
        if "SQLITE_DBNAME" in env:
            return cls("sqlite", sqlite_name=env["SQLITE_DBNAME"])
        connect = {k.lower(): env[f"POSTGRES_{k}"] for k in ("DBNAME", "HOST", "PORT", "USER")}
        connect["password"] = env["POSTGRES_PASSWORD"]
        return cls("postgres", postgres=connect, schema=env["POSTGRES_SCHEMA"])

    @property
    def parallel(self) -> bool:
        """Whether other processes can open it (a memory database cannot be shared)."""
        return self.dialect == "postgres" or "mode=memory" not in self.sqlite_name

    def open(self) -> LogStore:
        """A new connection."""
        return PostgresLog(self) if self.dialect == "postgres" else SQLiteLog(self)


class LogStore:
    """Queries on one connection; subclasses supply the dialect's details."""

    mark = "?"
    connection: Any

    def table(self, name: str) -> str:
        return f'"{name}"'

    def event_columns(self) -> str:
        """SQL for an :data:`EventRow` (bytes decode faster than text and need no encoding)."""
        return "CAST(originator_id AS BLOB), originator_version, CAST(topic AS BLOB), state"

    def order(self) -> str:
        """The column that orders events (notification order)."""
        return "notification_id"

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.connection.execute(sql.replace("?", self.mark), params)

    def size(self) -> int:
        """The highest sequence number (the log's size when it is dense)."""
        row = self.execute(f"SELECT max(seq) FROM {self.table(integrity.TABLE)}").fetchone()
        return int(row[0] or 0)

    def event_count(self) -> int:
        return int(
            self.execute(f"SELECT count(*) FROM {self.table('ledger_events')}").fetchone()[0]
        )

    def size_and_tile(self, index: int) -> tuple[int, bytes]:
        """The log's size and level-0 tile ``index`` (empty if not cached), in one query."""
        row = self.execute(
            f"SELECT (SELECT max(seq) FROM {self.table(integrity.TABLE)}), "
            f"(SELECT hashes FROM {self.table(TILES)} WHERE level = 0 AND idx = ?)",
            (index,),
        ).fetchone()
        return int(row[0] or 0), bytes(row[1] or b"")

    def leaves(self, first: int, last: int) -> list[bytes]:
        """Stored leaf hashes of ``seq`` first..last, in order."""
        rows = self.execute(
            f"SELECT leaf_hash FROM {self.table(integrity.TABLE)} "
            "WHERE seq BETWEEN ? AND ? ORDER BY seq",
            (first, last),
        )
        return [bytes(r[0]) for r in rows]

    def entries(self, first: int, last: int) -> Iterator[tuple[int, bytes, bytes]]:
        """(seq, leaf hash, entry) of seq first..last, in order (a cursor: no copies)."""
        rows: Iterator[tuple[int, bytes, bytes]] = self.execute(
            f"SELECT seq, leaf_hash, entry FROM {self.table(integrity.TABLE)} "
            "WHERE seq BETWEEN ? AND ? ORDER BY seq",
            (first, last),
        )
        return rows

    def events_from(self, order: int, limit: int) -> Iterator[EventRow]:
        """``limit`` events from notification position ``order`` on, in order."""
        rows: Iterator[EventRow] = self.execute(
            f"SELECT {self.event_columns()} FROM {self.table('ledger_events')} "
            f"WHERE {self.order()} >= ? ORDER BY {self.order()} LIMIT ?",
            (order, limit),
        )
        return rows

    def event_bounds(self) -> tuple[int, int, int]:
        """The number of events and the lowest and highest notification id, in one query."""
        count, low, high = self.execute(
            f"SELECT count(*), min({self.order()}), max({self.order()}) "
            f"FROM {self.table('ledger_events')}"
        ).fetchone()
        return int(count), int(low or 0), int(high or 0)

    def event_starts(
        self, every: int, bounds: tuple[int, int, int] | None = None
    ) -> dict[int, int]:
        """Notification ids of the events at positions 1, 1 + every, 1 + 2*every …

        ``bounds`` is :meth:`event_bounds` when the caller already has it.
        """
        count, low, high = bounds or self.event_bounds()
        if count == 0 or (low == 1 and high == count):  # ids are 1..count: no gaps
            return {position: position for position in range(1, count + 1, every)}
        rows = self.execute(
            f"SELECT n, rn FROM (SELECT {self.order()} AS n, "
            f"row_number() OVER (ORDER BY {self.order()}) AS rn "
            f"FROM {self.table('ledger_events')}) AS x WHERE (rn - 1) % ? = 0",
            (every,),
        )
        return {int(rn): int(n) for n, rn in rows}

    def versions(self, originator_id: str) -> list[tuple[int, int]]:
        """(version, notification id) of one originator's events."""
        rows = self.execute(
            f"SELECT originator_version, {self.order()} FROM {self.table('ledger_events')} "
            f"WHERE originator_id = ? ORDER BY originator_version",
            (self.stored_id(originator_id),),
        )
        return [(int(v), int(n)) for v, n in rows]

    def stored_id(self, originator_id: str) -> str:
        return originator_id

    def create_tiles(self) -> None:
        """Create the tile cache's table if it is missing."""
        raise NotImplementedError

    def tiles(self, level: int, first: int, last: int) -> dict[int, bytes]:
        """Cached tiles of one level, by index (see :mod:`ledger.proof.tiles`)."""
        rows = self.execute(
            f"SELECT idx, hashes FROM {self.table(TILES)} WHERE level = ? AND idx BETWEEN ? AND ?",
            (level, first, last),
        )
        return {int(i): bytes(h) for i, h in rows}

    def put_tiles(self, rows: list[tuple[int, int, bytes]]) -> None:
        """Store (level, index, hashes); a tile is only ever replaced by a longer one."""
        self.executemany(
            f"INSERT INTO {self.table(TILES)} (level, idx, hashes) VALUES (?, ?, ?) "
            "ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes "
            f"WHERE length(excluded.hashes) > length({self.table(TILES)}.hashes)",
            rows,
        )

    def executemany(self, sql: str, rows: list[Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.connection.close()


class SQLiteLog(LogStore):
    """The SQLite file; events are numbered by rowid."""

    def __init__(self, location: Location) -> None:
        name = location.sqlite_name
        uri = name if name.startswith("file:") else f"file:{quote(name)}"
        self.connection = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)

    def create_tiles(self) -> None:
        self.connection.execute(
            f"CREATE TABLE IF NOT EXISTS {TILES} (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
            "hashes BLOB NOT NULL, PRIMARY KEY (level, idx))"
        )

    def order(self) -> str:
        return "rowid"

    def stored_id(self, originator_id: str) -> str:
        return originator_id.replace("-", "")

    def executemany(self, sql: str, rows: list[Any]) -> None:
        with self.connection:
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.executemany(sql, rows)


class PostgresLog(LogStore):
    """The PostgreSQL schema; events are numbered by notification_id (with gaps)."""

    mark = "%s"

    def __init__(self, location: Location) -> None:
        self.schema = location.schema or "public"
        connect = {k: v for k, v in location.postgres.items() if v}
        self.connection = psycopg.connect(make_conninfo(**connect), autocommit=True)
        # Every query here reads in key order, which the primary keys give. Without fresh
        # statistics (a log just loaded, before autovacuum) the planner chose a bitmap scan
        # and sorted each 65,536-entry range on disk instead: 3x slower.
        self.connection.execute("SET enable_sort = off")

    def create_tiles(self) -> None:
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table(TILES)} (level integer NOT NULL, "
            "idx bigint NOT NULL, hashes bytea NOT NULL, PRIMARY KEY (level, idx))"
        )

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"'

    def event_columns(self) -> str:
        return (
            "convert_to(originator_id::text, 'UTF8'), originator_version, "
            "convert_to(topic, 'UTF8'), state"
        )

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        # Binary results: bytea arrives as raw bytes, not hex text to decode.
        return self.connection.execute(
            sql.replace("%", "%%").replace("?", "%s"), params, prepare=False, binary=True
        )

    def executemany(self, sql: str, rows: list[Any]) -> None:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            cursor.executemany(sql.replace("%", "%%").replace("?", "%s"), rows)
