"""A real API server on a loopback port, real HTTP clients, and a small world to act on.

The server is uvicorn running ``create_app`` in a thread of the test process,
so tests can also look at the event log through the same ``Ledger``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from ledger.api.app import create_app
from ledger.api.serving import JoinedHttpToolsProtocol
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.infrastructure.credentials import Credentials

API = "/api/v1"
PG_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass
class Server:
    """A running API: its base URL, the app, and clients by token."""

    url: str
    app: FastAPI
    clients: list[httpx.Client] = field(default_factory=list)
    database: str = ""  # the URL the server was started on

    @property
    def ledger(self) -> Ledger:
        return self.app.state.ledger  # type: ignore[no-any-return]

    @property
    def credentials(self) -> Credentials:
        return self.app.state.credentials  # type: ignore[no-any-return]

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.Client(base_url=self.url + API, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    def token(self, actor: Actor, days: int | None = None) -> str:
        token, _info = self.credentials.issue(
            actor_id=actor.id,
            name=actor.name,
            role=actor.role.value,
            unit=str(actor.unit) if actor.unit else None,
            days=days,
        )
        return token

    def as_(self, actor: Actor) -> httpx.Client:
        """A client holding a fresh token for ``actor``."""
        return self.client(self.token(actor))


def serve(app: FastAPI) -> tuple[str, Callable[[], None]]:
    """Start uvicorn on a free loopback port; returns the URL and a stop function."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # The protocol ``ledger serve`` runs (serving.py).
    config = uvicorn.Config(app, log_level="warning", lifespan="on", http=JoinedHttpToolsProtocol)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("API server did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()

    return f"http://127.0.0.1:{port}", stop


def start(url: str) -> Iterator[Server]:
    app = create_app(Settings(url))
    base, stop = serve(app)
    server = Server(base, app, database=url)
    try:
        yield server
    finally:
        for client in server.clients:
            client.close()
        stop()


@pytest.fixture(params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Server]:
    """The API on a fresh database, on each back end in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/api.db"
    else:
        url = f"{PG_URL}?schema={request.getfixturevalue('pg_schema')}"
    yield from start(url)


@pytest.fixture
def sqlite_server(tmp_path: Any) -> Iterator[Server]:
    """The API on a fresh SQLite file (for tests whose subject is not the back end)."""
    yield from start(f"sqlite:///{tmp_path}/api.db")


def actors(unit_a: UUID, unit_b: UUID) -> dict[str, Actor]:
    """One actor per role; two responsible units."""
    return {
        "office": Actor(id="office-1", name="张伟", role="inspection_office"),
        "unit": Actor(id="unit-a", name="兴安盟联络员", role="responsible_unit", unit=unit_a),
        "other_unit": Actor(id="unit-b", name="赤峰市联络员", role="responsible_unit", unit=unit_b),
        "discipline": Actor(id="disc-1", name="赵纪", role="discipline"),
        "finance": Actor(id="fin-1", name="钱财", role="finance"),
        "auditor": Actor(id="audit-1", name="王审", role="auditor"),
        "admin": Actor(id="admin-1", name="李静", role="admin"),
    }


@pytest.fixture
def world(server: Server) -> SimpleNamespace:
    """Two units, an inspection with feedback on 2019-01-18, one finding assigned to unit A."""
    return build_world(server)


@pytest.fixture
def sqlite_world(sqlite_server: Server) -> SimpleNamespace:
    return build_world(sqlite_server)


def build_world(server: Server) -> SimpleNamespace:
    ledger = server.ledger
    admin = Actor(id="admin-1", name="李静", role="admin")
    office = Actor(id="office-1", name="张伟", role="inspection_office")
    unit_a = ledger.register_unit(admin, name="兴安盟扶贫办", level="prefecture").id
    unit_b = ledger.register_unit(admin, name="赤峰市扶贫办", level="prefecture").id
    inspection = ledger.open_inspection(
        office,
        kind="central_inspection",
        title="中央第八巡视组脱贫攻坚专项巡视",
        inspecting_body="中央第八巡视组",
        inspected_body="内蒙古自治区党委",
        on_site_start="2018-10-18",
        on_site_end="2018-11-30",
    ).id
    ledger.deliver_feedback(office, inspection, feedback_date="2019-01-18")
    finding = ledger.record_finding(
        office,
        inspection,
        category=["一、落实脱贫攻坚政治责任不够到位", "（一）责任落实"],
        number="(一)1",
        text="部分旗县贫困人口底数不清",
        deadline="2019-06-10",
    ).id
    ledger.assign(office, finding, lead_department=unit_a, units=[unit_a])
    people = actors(unit_a, unit_b)
    return SimpleNamespace(
        server=server,
        ledger=ledger,
        unit_a=unit_a,
        unit_b=unit_b,
        inspection=inspection,
        finding=finding,
        actors=people,
        http={role: server.as_(actor) for role, actor in people.items()},
    )


@dataclass
class DemoApi:
    """The API on a demo database, with an office token."""

    url: str
    ledger: Ledger
    auth: dict[str, str]

    def size(self) -> int:
        """Events in the log (the integrity sequence is dense)."""
        return self.ledger.recorder.max_notification_id() or 0  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def demo_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApi]:
    """One server on the demo data for a whole module (loading the demo takes seconds)."""
    from ledger.demo.load import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo')}/demo.db"
    app = create_app(Settings(url))
    load_demo(app.state.ledger)
    base, stop = serve(app)
    server = Server(base, app)
    token = server.token(Actor(id="office-1", name="张伟", role="inspection_office"))
    try:
        yield DemoApi(base, app.state.ledger, {"Authorization": f"Bearer {token}"})
    finally:
        stop()


def revoke_elsewhere(database: str, token: str) -> None:
    """Revoke ``token`` as an operator would: ``ledger token revoke`` in another process."""
    env = {**os.environ, "LEDGER_DATABASE_URL": database}
    done = subprocess.run(
        [sys.executable, "-m", "ledger.cli", "token", "revoke", token.split("_")[1]],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
