"""A database that refuses writes: commands fail cleanly (503, a JSON body in Chinese,
nothing written), queries go on answering.

SQLite: the server opens the file read-only (``file:…?mode=ro``; the tests
run as root here, for whom ``chmod 0444`` changes nothing). PostgreSQL: an
account of the test's own is made read-only under a running server
(``default_transaction_read_only``), and another has SELECT grants only;
each server still starts and serves reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from psycopg import sql

from ledger.application.ledger import Ledger
from ledger.config import Settings
from tests.api.conftest import Server, build_world, start
from tests.conftest import PG_URL, log_snapshot


def refused(answer: httpx.Response) -> None:
    """A clean refusal because the database is read-only."""
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "database_read_only"
    assert "只读" in answer.json()["detail"]
    assert int(answer.headers["Retry-After"]) > 0


def report(server: Server, token: str, finding: Any, text: str) -> httpx.Response:
    client = server.client(token)
    return client.post(f"/findings/{finding}/progress", json={"narrative": text})


def check_reads(server: Server, token: str, world: SimpleNamespace) -> None:
    client = server.client(token)
    finding = client.get(f"/findings/{world.finding}")
    assert finding.status_code == 200, finding.text
    assert finding.json()["text"] == "部分旗县贫困人口底数不清"
    counts = client.get(f"/inspections/{world.inspection}")
    assert counts.status_code == 200, counts.text
    assert client.get(f"/audit/records/{world.finding}").status_code == 200
    # The audit index is caught up before it is read; where it cannot be written the
    # events it has not applied yet are added in memory: every change is listed.
    changes = client.get("/audit/changes", params={"record_id": str(world.finding)})
    assert changes.status_code == 200, changes.text
    versions = [item["version"] for item in changes.json()["items"]]
    assert versions == list(range(1, len(server.ledger.history(world.finding)) + 1))


def written(url: str) -> tuple[SimpleNamespace, str]:
    """The usual world written through a server on ``url``, and an office token."""
    servers = start(url)
    server = next(servers)
    world = build_world(server)
    token = world.http["office"].headers["Authorization"].removeprefix("Bearer ")
    assert report(server, token, world.finding, "可写时的进展").status_code == 201
    servers.close()
    return world, token


def test_sqlite_opened_read_only_refuses_commands_and_answers_queries(tmp_path: Any) -> None:
    world, token = written(f"sqlite:///{tmp_path}/ledger.db")
    servers = start(f"sqlite:///file:{tmp_path}/ledger.db?mode=ro")
    server = next(servers)
    try:
        before = log_snapshot(server.ledger)
        refused(report(server, token, world.finding, "只读时的进展"))
        opened = server.client(token).post(
            "/inspections",
            json={
                "kind": "tour",
                "title": "巡察",
                "inspecting_body": "巡察组",
                "inspected_body": "某局",
            },
        )
        refused(opened)
        assert log_snapshot(server.ledger) == before
        check_reads(server, token, world)
    finally:
        servers.close()


@pytest.fixture
def accounts(pg_schema: str) -> Iterator[SimpleNamespace]:
    """Two PostgreSQL accounts of this test's own: a writer owning the schema's tables
    and a reader with SELECT grants only. Dropped afterwards, with what they own."""
    writer, reader = f"{pg_schema}_w", f"{pg_schema}_r"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for role in (writer, reader):
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(
            sql.SQL("GRANT ALL ON SCHEMA {} TO {}").format(
                sql.Identifier(pg_schema), sql.Identifier(writer)
            )
        )
    yield SimpleNamespace(
        schema=pg_schema, writer=writer, reader=reader, url=lambda role: as_role(role, pg_schema)
    )
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for role in (writer, reader):
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def as_role(role: str, schema: str) -> str:
    parts = urlsplit(PG_URL)
    netloc = f"{role}@{parts.hostname}:{parts.port or 5432}"
    return f"{urlunsplit(parts._replace(netloc=netloc))}?schema={schema}"


def on_the_shared_server(statement: sql.Composable) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(statement)


def set_read_only(role: str, on: bool) -> None:
    """Make the account read-only (or writable again), and end its sessions so that
    its new connections start with the setting. Only this account's sessions end."""
    name = sql.Identifier(role)
    if on:
        on_the_shared_server(
            sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(name)
        )
    else:
        on_the_shared_server(
            sql.SQL("ALTER ROLE {} RESET default_transaction_read_only").format(name)
        )
    on_the_shared_server(
        sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = {}").format(
            sql.Literal(role)
        )
    )


def test_postgres_turned_read_only_under_a_running_server(accounts: SimpleNamespace) -> None:
    servers = start(accounts.url(accounts.writer))
    server = next(servers)
    second: Iterator[Server] | None = None
    try:
        world = build_world(server)
        token = world.http["office"].headers["Authorization"].removeprefix("Bearer ")
        assert report(server, token, world.finding, "可写时的进展").status_code == 201
        direct = Ledger(Settings(f"{PG_URL}?schema={accounts.schema}"))
        before = log_snapshot(direct)

        set_read_only(accounts.writer, True)
        refused(report(server, token, world.finding, "只读时的进展"))
        check_reads(server, token, world)
        # a server started now, on the read-only account, starts and serves reads
        second = start(accounts.url(accounts.writer))
        fresh = next(second)
        refused(report(fresh, token, world.finding, "只读时的进展"))
        check_reads(fresh, token, world)
        assert log_snapshot(direct) == before

        set_read_only(accounts.writer, False)  # writable again: no restart needed
        answer = report(server, token, world.finding, "恢复后的进展")
        assert answer.status_code == 201, answer.text
        assert len(direct.history(world.finding)) == answer.json()["version"]
        direct.close()
    finally:
        if second is not None:
            second.close()
        servers.close()


def test_postgres_account_with_select_grants_only(accounts: SimpleNamespace) -> None:
    world, token = written(accounts.url(accounts.writer))
    on_the_shared_server(
        sql.SQL(
            "GRANT USAGE ON SCHEMA {s} TO {r}; GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r}"
        ).format(s=sql.Identifier(accounts.schema), r=sql.Identifier(accounts.reader))
    )
    servers = start(accounts.url(accounts.reader))
    server = next(servers)
    try:
        before = log_snapshot(server.ledger)
        refused(report(server, token, world.finding, "无写权限时的进展"))
        assert log_snapshot(server.ledger) == before
        check_reads(server, token, world)
    finally:
        servers.close()
