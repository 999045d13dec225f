"""kill -9 a server in the middle of a stream of commands, several times.

A real ``ledger serve`` process takes commands from four client threads,
each command with its own idempotency key, and is killed with SIGKILL at a
random moment, then started again; clients resend whatever was not
acknowledged with the same key. Afterwards: every acknowledged command is
there exactly once, nothing is half-written, ``verify`` passes, and the read
models equal a rebuild from the log. (bench/faults/kill.py runs 20 cycles.)
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any
from uuid import UUID

import httpx
import pytest

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.infrastructure.credentials import Credentials
from ledger.proof.audit import verify_log
from ledger.proof.store import Location
from tests.conftest import PG_URL

OFFICE = Actor(id="office-1", name="张伟", role="inspection_office")
CYCLES = 3
CLIENTS = 4


class Served:
    """``ledger serve`` as a child process that can be killed and started again."""

    def __init__(self, url: str) -> None:
        self.url = url
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "LEDGER_DATABASE_URL": self.url}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ledger.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def send(
    base: str,
    token: str,
    finding: str,
    keys: list[str],
    acked: dict[str, int],
    stop: threading.Event,
) -> None:
    """Send each key until it is acknowledged or the server goes away."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for key in keys:
            if stop.is_set():
                return
            if key in acked:
                continue
            try:
                answer = client.post(
                    f"/findings/{finding}/progress",
                    json={"narrative": key},
                    headers={"Idempotency-Key": key},
                )
            except httpx.HTTPError:
                return  # the server died: this key is resent after the restart
            assert answer.status_code == 201, answer.text
            acked[key] = answer.json()["version"]


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/killed.db"
    return f"{PG_URL}?schema={request.getfixturevalue('pg_schema')}"


def test_kill_9_mid_stream_loses_nothing_acknowledged(url: str) -> None:
    ledger = Ledger(Settings(url))
    inspection = ledger.open_inspection(
        OFFICE, kind="tour", title="巡察", inspecting_body="巡察组", inspected_body="某局"
    ).id
    findings = [
        str(
            ledger.record_finding(
                OFFICE,
                inspection,
                category=["一、类别"],
                number=str(n),
                text="问题",
                long_term=True,
            ).id
        )
        for n in range(CLIENTS)
    ]
    token, _ = Credentials(ledger.projector.db.engine).issue(
        actor_id=OFFICE.id, name=OFFICE.name, role=OFFICE.role.value
    )
    ledger.close()
    keys = {f: [f"{f[:8]}-{i}" for i in range(400)] for f in findings}
    acked: dict[str, int] = {}
    server = Served(url)
    rng = random.Random(9)
    total = sum(map(len, keys.values()))
    for cycle in range(CYCLES + 1):
        server.start()
        stop = threading.Event()
        threads = [
            threading.Thread(target=send, args=(server.base, token, f, keys[f], acked, stop))
            for f in findings
        ]
        for t in threads:
            t.start()
        if cycle < CYCLES:
            # Kill once this life of the server has acknowledged something (a loaded
            # machine may take a while to answer the first command), at a random moment.
            before, waited = len(acked), time.monotonic() + 60
            while len(acked) == before and time.monotonic() < waited:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.05, 0.5))
            server.kill()  # mid-stream: the clients are still sending
            stop.set()
        for t in threads:
            t.join(timeout=300)
        if cycle < CYCLES:
            assert 0 < len(acked) < total, "the kill must land in the middle of the stream"
    server.kill()
    assert len(acked) == sum(map(len, keys.values()))  # the last round finished every key

    ledger = Ledger(Settings(url))
    try:
        for f in findings:
            events = ledger.history(UUID(f))
            assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
            reported = [e.narrative for e in events if type(e).__name__ == "ProgressReported"]
            assert sorted(reported) == sorted(keys[f])  # each exactly once
            assert all(events[acked[k] - 1].narrative == k for k in keys[f])
        verdict = verify_log(Location.of(ledger), workers=1)
        assert verdict.first is None, verdict.first
        before = ledger.projector.rows()
        ledger.projector.rebuild()
        assert ledger.projector.rows() == before
    finally:
        ledger.close()
