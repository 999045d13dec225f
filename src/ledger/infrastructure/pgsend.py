"""A transaction's statements sent to PostgreSQL in one write.

psycopg's pipeline sends each statement as soon as it is executed. For the
insert transaction that means the server takes the events table's lock when
the LOCK statement arrives and holds it while this process is still
converting and queueing the statements after it: client CPU (and, on a busy
machine, a client waiting for a core) inside the one section every writer of
every process takes turns on. Here every statement is converted before
anything is sent, libpq queues them all, and one flush sends the lot: the
server then runs BEGIN to COMMIT without waiting for the client.

Statements with parameters are prepared once per connection (the server
plans them once, not under the lock at every transaction).
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from psycopg.errors import error_from_result
from psycopg.generators import execute, fetch_many, send

# psycopg's placeholders: %s (text or binary, as psycopg chooses) and %b (binary).
_MARK = re.compile(rb"%[sb]")
_FORMATS = {b"%s": PyFormat.AUTO, b"%b": PyFormat.BINARY}
# Names of our prepared statements; never reused, so a name parsed in a batch that
# then failed (and so was not recorded as prepared) cannot clash with a later one.
_names = itertools.count(1)
_names_lock = threading.Lock()


@dataclass(frozen=True)
class _Query:
    """A statement with psycopg's placeholders, as libpq takes it: $1, $2, …"""

    text: bytes
    formats: tuple[PyFormat, ...]


class Sender:
    """Sends statements in one pipeline write and returns each one's result."""

    def __init__(self) -> None:
        self._queries: dict[bytes, _Query] = {}
        # Per connection: (query, parameter types) -> name of the prepared statement.
        self._prepared: weakref.WeakKeyDictionary[Any, dict[Any, bytes]] = (
            weakref.WeakKeyDictionary()
        )

    def run(
        self,
        conn: psycopg.Connection[Any],
        statements: Sequence[tuple[bytes, Sequence[Any] | None]],
    ) -> list[pq.abc.PGresult]:
        """Run ``statements`` (SQL, parameters or None) in order in one write; the result
        of each. The first refused statement makes the server skip the rest (until the
        sync at the end) and its error is raised here, after every result is read.

        psycopg deallocates every prepared statement of a connection some time after
        it sees a ROLLBACK there (its own cache could be stale); a batch that finds
        ours gone was refused whole, so it is rolled back and sent again, each
        statement prepared anew.
        """
        try:
            return self._run(conn, statements)
        except psycopg.errors.InvalidSqlStatementName:
            self._prepared.pop(conn, None)
            rollback(conn)
            return self._run(conn, statements)

    def _run(
        self,
        conn: psycopg.Connection[Any],
        statements: Sequence[tuple[bytes, Sequence[Any] | None]],
    ) -> list[pq.abc.PGresult]:
        tx = Transformer(conn)
        prepared = self._prepared.setdefault(conn, {})
        # Everything is converted before the first byte is sent.
        sends: list[tuple[Any, ...]] = []
        new: dict[Any, bytes] = {}
        for sql, params in statements:
            if params is None:
                sends.append((None, sql, None, None, None))
                continue
            query = self._query(sql)
            values = tx.dump_sequence(params, query.formats)
            types = tuple(tx.types or ())
            key = (query.text, types)
            name = prepared.get(key) or new.get(key)
            parse = name is None
            if parse:
                with _names_lock:
                    name = new[key] = b"ledger_%d" % next(_names)
            sends.append((name, query.text if parse else None, values, types, tx.formats))
        pgconn = conn.pgconn
        pgconn.enter_pipeline_mode()
        try:
            results, error = self._exchange(conn, sends)
        except BaseException:
            # Results may be left unread: closed, the pool replaces the connection.
            conn.close()
            raise
        pgconn.exit_pipeline_mode()
        if error is not None:
            raise error_from_result(error, encoding=conn.info.encoding)
        prepared.update(new)  # only once every statement of the batch was parsed
        return results

    @staticmethod
    def _exchange(
        conn: psycopg.Connection[Any], sends: list[tuple[Any, ...]]
    ) -> tuple[list[Any], Any]:
        """Queue every command, flush once, read every result up to the sync."""
        pgconn = conn.pgconn
        mine = []  # for each command sent: whether its result is a statement's
        for name, text, values, types, formats in sends:
            if name is None:
                pgconn.send_query_params(text, None)
                mine.append(True)
                continue
            if text is not None:
                pgconn.send_prepare(name, text, param_types=types)
                mine.append(False)
            pgconn.send_query_prepared(name, values, param_formats=formats)
            mine.append(True)
        pgconn.pipeline_sync()
        conn.wait(send(pgconn))
        results, error = [], None
        for is_statement in mine:
            got = conn.wait(fetch_many(pgconn))
            for result in got:
                if result.status == pq.ExecStatus.FATAL_ERROR and error is None:
                    error = result
            if is_statement:
                results.append(got[-1] if got else None)
        while True:  # up to the sync's own result
            got = conn.wait(fetch_many(pgconn))
            if not got or got[-1].status == pq.ExecStatus.PIPELINE_SYNC:
                break
        return results, error

    def _query(self, sql: bytes) -> _Query:
        query = self._queries.get(sql)
        if query is None:
            marks = _MARK.findall(sql)
            parts = _MARK.split(sql)
            text = parts[0] + b"".join(b"$%d%s" % (i + 1, p) for i, p in enumerate(parts[1:]))
            query = self._queries[sql] = _Query(text, tuple(_FORMATS[m] for m in marks))
        return query


def rollback(conn: psycopg.Connection[Any]) -> None:
    """End an open or failed transaction with a ROLLBACK psycopg does not see:
    ``conn.rollback()`` would make it deallocate our prepared statements too."""
    if conn.info.transaction_status not in (
        pq.TransactionStatus.INTRANS,
        pq.TransactionStatus.INERROR,
    ):
        return
    pgconn = conn.pgconn
    pgconn.send_query(b"ROLLBACK")
    results = conn.wait(execute(pgconn))
    if results and results[-1].status != pq.ExecStatus.COMMAND_OK:
        raise error_from_result(results[-1], encoding=conn.info.encoding)


def rows(result: pq.abc.PGresult) -> list[int]:
    """The integers of a result's first column (text format)."""
    return [int(result.get_value(i, 0) or 0) for i in range(result.ntuples)]
