"""PostgreSQL: a transaction's statements sent in one write (``pgsend.Sender``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from ledger.infrastructure import pgsend
from tests.conftest import PG_URL

INSERT = b"INSERT INTO t (k, v) VALUES (%s, %s)"


@pytest.fixture
def conn(pg_schema: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(PG_URL, autocommit=True, options=f"-c search_path={pg_schema}") as c:
        c.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
        yield c


def rows(conn: psycopg.Connection[Any]) -> list[tuple[int, str]]:
    return conn.execute("SELECT k, v FROM t ORDER BY k").fetchall()


def ours(conn: psycopg.Connection[Any]) -> int:
    query = "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'ledger%'"
    return conn.execute(query).fetchone()[0]  # type: ignore[index]


def test_statements_run_in_order_and_each_gives_its_result(conn: Any) -> None:
    sender = pgsend.Sender()
    results = sender.run(
        conn,
        [
            (b"BEGIN", None),
            (INSERT, (1, "一")),
            (INSERT + b" RETURNING k", (2, "二")),
            (b"COMMIT", None),
        ],
    )
    assert len(results) == 4
    assert pgsend.rows(results[2]) == [2]
    assert rows(conn) == [(1, "一"), (2, "二")]


def test_nothing_is_sent_before_every_statement_is_converted(conn: Any) -> None:
    # Sent one by one (as psycopg's pipeline does), the first insert would have
    # run and, outside a transaction, stayed.
    sender = pgsend.Sender()
    with pytest.raises(psycopg.Error):
        sender.run(conn, [(INSERT, (1, "一")), (INSERT, (2, object()))])
    assert rows(conn) == []


def test_statements_are_prepared_once_per_connection(conn: Any) -> None:
    sender = pgsend.Sender()
    sender.run(conn, [(b"BEGIN", None), (INSERT, (1, "一")), (b"COMMIT", None)])
    assert ours(conn) == 1
    sender.run(
        conn, [(b"BEGIN", None), (INSERT, (2, "二")), (INSERT, (3, "三")), (b"COMMIT", None)]
    )
    assert ours(conn) == 1
    assert [k for k, _ in rows(conn)] == [1, 2, 3]


def test_a_refused_statement_skips_the_rest_and_raises_its_error(conn: Any) -> None:
    sender = pgsend.Sender()
    sender.run(conn, [(INSERT, (1, "一"))])
    statements = [
        (b"BEGIN", None),
        (INSERT, (2, "二")),
        (INSERT, (1, "again")),  # the key is taken
        (b"UPDATE t SET v = %s", ("changed",)),  # never parsed: skipped after the refusal
        (b"COMMIT", None),
    ]
    with pytest.raises(psycopg.errors.UniqueViolation):
        sender.run(conn, statements)
    pgsend.rollback(conn)
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert rows(conn) == [(1, "一")]
    # The UPDATE of the failed batch was not taken for prepared: it runs now.
    sender.run(conn, [(b"UPDATE t SET v = %s", ("changed",))])
    assert rows(conn) == [(1, "changed")]


def test_statements_deallocated_behind_its_back_are_prepared_again(conn: Any) -> None:
    sender = pgsend.Sender()
    sender.run(conn, [(INSERT, (1, "一"))])
    # psycopg does this after it has seen a ROLLBACK on the connection.
    conn.execute("DEALLOCATE ALL")
    sender.run(
        conn, [(b"BEGIN", None), (INSERT, (2, "二")), (INSERT, (3, "三")), (b"COMMIT", None)]
    )
    # The refused first attempt changed nothing; the second wrote each row once.
    assert rows(conn) == [(1, "一"), (2, "二"), (3, "三")]
    assert ours(conn) == 1


def test_the_connection_is_usable_by_psycopg_afterwards(conn: Any) -> None:
    sender = pgsend.Sender()
    sender.run(conn, [(b"BEGIN", None), (INSERT, (1, "一")), (b"COMMIT", None)])
    with conn.transaction():
        conn.execute("INSERT INTO t VALUES (2, '二')")
    with conn.pipeline():
        conn.execute("INSERT INTO t VALUES (3, '三')")
    assert [k for k, _ in rows(conn)] == [1, 2, 3]
