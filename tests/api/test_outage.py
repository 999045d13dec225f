"""PostgreSQL goes away under a running server, and comes back.

The server reaches the database through a ``Gate`` (a TCP relay of the
test's own), so the outage touches only this server's connections. While the
database is away, commands and queries get 503 with a JSON body in Chinese
and a ``Retry-After``, quickly (not a 500, not a hang) and nothing is
written; when it is back, the same server answers again without a restart,
and a command resent with its idempotency key is recorded exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import httpx
import pytest

from ledger.application.ledger import Ledger
from ledger.config import Settings
from tests.api.conftest import Server, build_world, start
from tests.api.gate import Gate
from tests.conftest import PG_URL, log_snapshot

# A command waits for the database at most ~5 s, then for a connection ~3 s;
# anything near this bound would be a hang.
ANSWER_WITHIN = 20.0


@pytest.fixture
def gated(pg_schema: str) -> Iterator[SimpleNamespace]:
    """A server on PostgreSQL through a gate, its world, and a ledger that bypasses the gate."""
    gate = Gate.before(PG_URL)
    through = gate.through(PG_URL)
    direct = Ledger(Settings(f"{PG_URL}?schema={pg_schema}"))
    servers: Iterator[Server] = start(f"{through}?schema={pg_schema}")
    server = next(servers)
    try:
        yield SimpleNamespace(gate=gate, direct=direct, **vars(build_world(server)))
    finally:
        servers.close()
        gate.close()
        direct.close()


def post_progress(world: SimpleNamespace, key: str) -> httpx.Response:
    return world.http["office"].post(
        f"/findings/{world.finding}/progress",
        json={"narrative": key},
        headers={"Idempotency-Key": key},
    )


def test_while_the_database_is_away_requests_get_503_and_a_keyed_retry_lands_once(
    gated: SimpleNamespace,
) -> None:
    before = log_snapshot(gated.direct)
    gated.gate.close()
    began = time.monotonic()
    answer = post_progress(gated, "k-1")
    assert time.monotonic() - began < ANSWER_WITHIN
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "database_unavailable"
    assert "数据库暂时不可用" in answer.json()["detail"]
    assert int(answer.headers["Retry-After"]) > 0
    query = gated.http["auditor"].get(f"/findings/{gated.finding}")
    assert query.status_code == 503, query.text
    assert query.json()["error"] == "database_unavailable"
    assert log_snapshot(gated.direct) == before  # nothing written

    gated.gate.open()
    answer = retry_while_503(lambda: post_progress(gated, "k-1"))
    assert answer.status_code == 201, answer.text
    again = post_progress(gated, "k-1")
    assert again.status_code == 201
    assert again.json() == answer.json()  # the first answer, not a second event
    history = gated.direct.history(gated.finding)
    assert [e.narrative for e in history if type(e).__name__ == "ProgressReported"] == ["k-1"]
    shown = gated.http["auditor"].get(f"/findings/{gated.finding}")
    assert shown.status_code == 200
    assert shown.json()["version"] == answer.json()["version"]


def test_after_a_restart_the_dead_connections_are_replaced_without_an_error(
    gated: SimpleNamespace,
) -> None:
    # Fill both pools, then drop every connection as a restart would.
    assert post_progress(gated, "k-1").status_code == 201
    assert gated.http["auditor"].get(f"/findings/{gated.finding}").status_code == 200
    gated.gate.cut()
    answer = post_progress(gated, "k-2")
    assert answer.status_code == 201, answer.text
    gated.gate.cut()
    assert gated.http["auditor"].get(f"/findings/{gated.finding}").status_code == 200
    assert len(gated.direct.history(gated.finding)) == answer.json()["version"]


def retry_while_503(
    send: Callable[[], httpx.Response], seconds: float = ANSWER_WITHIN
) -> httpx.Response:
    """What a client does with a 503: wait and send the same request again."""
    deadline = time.monotonic() + seconds
    while True:
        answer = send()
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def hold_the_turn(ledger: Ledger) -> threading.Event:
    """Stand for a command of the server's process that does not finish: hold the
    application's lock on a thread until the returned event is set."""
    held, release = threading.Event(), threading.Event()

    def stuck() -> None:
        with ledger._lock:
            held.set()
            release.wait(30)

    threading.Thread(target=stuck, daemon=True).start()
    assert held.wait(5)
    return release


def test_a_command_stuck_behind_another_gets_503_not_a_hang(
    sqlite_world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.application import core

    monkeypatch.setattr(core, "TURN_TIMEOUT", 0.5)
    release = hold_the_turn(sqlite_world.ledger)
    before = log_snapshot(sqlite_world.ledger)
    try:
        answer = post_progress(sqlite_world, "k-1")
    finally:
        release.set()
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "database_unavailable"
    assert "服务器正忙" in answer.json()["detail"]
    assert log_snapshot(sqlite_world.ledger) == before
    assert post_progress(sqlite_world, "k-1").status_code == 201  # its turn comes


def test_commands_queued_behind_a_stuck_one_are_all_refused_in_one_wait(
    sqlite_world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commands take turns on one writer thread: those queued behind a stuck command
    are refused unrun once their wait is up, not after one wait each."""
    from concurrent.futures import ThreadPoolExecutor

    from ledger.application import core

    monkeypatch.setattr(core, "TURN_TIMEOUT", 1.0)
    release = hold_the_turn(sqlite_world.ledger)
    before = log_snapshot(sqlite_world.ledger)
    began = time.monotonic()
    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda k: post_progress(sqlite_world, f"q-{k}"), range(4)))
    finally:
        release.set()
    assert time.monotonic() - began < 3.0  # one wait of 1 s, not four in a row
    assert [a.status_code for a in answers] == [503] * 4
    assert all("服务器正忙" in a.json()["detail"] for a in answers)
    assert log_snapshot(sqlite_world.ledger) == before
    assert all(post_progress(sqlite_world, f"q-{k}").status_code == 201 for k in range(4))
