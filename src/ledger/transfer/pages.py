"""One page of an archive's event lines, read and formatted by whichever process runs it.

``export_archive`` hands pages of the integrity log to worker processes: each
opens its own connection, reads its range, writes its lines (format version
2, see ``ledger.transfer.archive``) and hashes its leaves into the root of
the page's subtree, so the exporting process only writes bytes in order. The
module imports little, so that a worker starts fast.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ledger.proof.stream import subtree_root

TABLE = "ledger_integrity"
QUERY = "SELECT seq, leaf_hash, entry FROM {table} WHERE seq BETWEEN {a} AND {b} ORDER BY seq"


@dataclass(frozen=True)
class Source:
    """Where the log is, in plain strings a worker can unpickle without the application."""

    dialect: str  # "sqlite" or "postgres"
    target: str  # the SQLite file name (or URI), or a PostgreSQL conninfo
    schema: str = ""


@dataclass(frozen=True)
class Page:
    """Lines of seq ``first`` … ``last``; ``root`` is set when they fill an aligned subtree,
    ``leaves`` (their hashes, in order) otherwise."""

    first: int
    last: int
    count: int
    lines: bytes
    root: bytes = b""
    leaves: tuple[bytes, ...] = ()


# One event's line: the entry's header and state, both JSON, as a two-element array.
LINE = b'{"seq":%d,"leaf_hash":"%b","header_length":%d,"entry":[%b]}\n'


def line(seq: int, leaf: bytes, entry: bytes) -> bytes:
    """One event's line (``LINE``): the entry's first newline becomes the array's comma."""
    return LINE % (seq, leaf.hex().encode(), entry.index(b"\n"), entry.replace(b"\n", b",", 1))


def page(source: Source, first: int, last: int) -> Page:
    """Read and format seq ``first`` … ``last`` in a worker process (its connection is kept)."""
    conn = _connections.get(source)
    if conn is None:
        conn = _connections[source] = connect(source)
    return formatted(rows(conn, source, first, last), first, last)


def formatted(rows: list[Any], first: int, last: int) -> Page:
    """The page of rows (seq, leaf hash, entry; both bytes) read for seq ``first`` … ``last``."""
    lines = b"".join(
        [
            LINE % (seq, leaf.hex().encode(), entry.index(b"\n"), entry.replace(b"\n", b",", 1))
            for seq, leaf, entry in rows
        ]
    )  # ``line`` of each row, without a call per row
    leaves = [leaf for _, leaf, _ in rows]
    size = len(leaves)
    aligned = size == last - first + 1 and size & (size - 1) == 0 and (first - 1) % size == 0
    if size and aligned:
        return Page(first, last, size, lines, root=subtree_root(leaves))
    return Page(first, last, size, lines, leaves=tuple(leaves))


_connections: dict[Source, Any] = {}  # a worker's, one per database


def rows(conn: Any, source: Source, first: int, last: int) -> list[Any]:
    """(seq, leaf hash, entry) of seq ``first`` … ``last``, in order."""
    if source.dialect == "postgres":
        table = f'"{source.schema or "public"}"."{TABLE}"'
        query = QUERY.format(table=table, a="%s", b="%s")
        return conn.execute(query, (first, last), binary=True).fetchall()  # type: ignore[no-any-return]
    return conn.execute(QUERY.format(table=TABLE, a="?", b="?"), (first, last)).fetchall()  # type: ignore[no-any-return]


def connect(source: Source) -> Any:
    """A new read connection to the log (the caller closes it)."""
    if source.dialect == "postgres":
        import psycopg  # only PostgreSQL workers pay for importing it

        return psycopg.connect(source.target, autocommit=True)
    name = source.target
    uri = name if name.startswith("file:") else f"file:{quote(name)}"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    conn.execute("PRAGMA mmap_size=1073741824")  # read pages without copying them in
    return conn
