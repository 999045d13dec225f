"""The command routes' short road (``CommandRoute``) answers as the declared one does.

A well-formed command skips FastAPI's per-request solving; anything else is
answered by FastAPI itself. These tests hold the two roads to the same
answer, and check which road each request took.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from ledger.api.routes import commanding
from ledger.api.schemas import ReceiptPublic
from tests.api.loops import on_own_loop


@pytest.fixture
def roads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The road each command request takes, in order: "short" or "declared"."""
    taken: list[str] = []
    inputs = commanding._inputs

    async def spy(request: Any, command: Any) -> Any:
        found = await inputs(request, command)
        taken.append("short" if isinstance(found, tuple) else "declared")
        return found

    monkeypatch.setattr(commanding, "_inputs", spy)
    return taken


def _progress(world: SimpleNamespace, content_type: str, **headers: str) -> Any:
    body = json.dumps({"narrative": "已摸排", "reason": "月报"}, ensure_ascii=False)
    return world.http["office"].post(
        f"/findings/{world.finding}/progress",
        content=body.encode(),
        headers={"Content-Type": content_type, **headers},
    )


def test_both_roads_give_the_same_answer(sqlite_world: SimpleNamespace, roads: list[str]) -> None:
    short = _progress(sqlite_world, "application/json", **{"Idempotency-Key": "k1"})
    # Another spelling of the JSON media type: FastAPI's own road.
    declared = _progress(
        sqlite_world, "application/json; charset=utf-8", **{"Idempotency-Key": "k2"}
    )
    assert roads == ["short", "declared"]
    assert short.status_code == declared.status_code == 201
    for answer in (short, declared):
        receipt = ReceiptPublic.model_validate_json(answer.content)
        assert answer.content == receipt.model_dump_json().encode()  # same bytes, same order
        assert answer.headers["ETag"] == f'"{receipt.version}"'
    assert list(short.headers.keys()) == list(declared.headers.keys())
    assert list(short.json()) == list(declared.json())
    assert declared.json()["version"] == short.json()["version"] + 1
    # A retry with the same key, on the short road: the first answer, marked, nothing written.
    again = _progress(sqlite_world, "application/json", **{"Idempotency-Key": "k1"})
    assert roads[-1] == "short"
    assert again.content == short.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert list(again.headers.keys()) == list(
        _progress(
            sqlite_world, "application/json; charset=utf-8", **{"Idempotency-Key": "k2"}
        ).headers.keys()
    )
    assert roads[-1] == "declared"


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"Authorization": "Basic eDp5"}, 401, "unauthenticated"),
        ({"Authorization": "Bearer lg_0000000000000000_x"}, 401, "unauthenticated"),
        ({"Idempotency-Key": "k" * 201}, 422, "invalid_input"),
        ({"If-Match": '"abc"'}, 422, "invalid_input"),
        ({"If-Match": '"1"'}, 412, "precondition_failed"),
    ],
)
def test_refusals_are_the_declared_ones(
    sqlite_world: SimpleNamespace,
    roads: list[str],
    change: dict[str, str],
    status: int,
    error: str,
) -> None:
    before = sqlite_world.ledger.recorder.max_notification_id()
    answer = _progress(sqlite_world, "application/json", **change)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error
    assert sqlite_world.ledger.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("body", "status", "road"),
    [
        (b'{"narrative": "x", "unknown": 1}', 422, "declared"),
        (b'{"narrative": 5}', 422, "declared"),
        (b"[1]", 422, "declared"),
        (b"{", 400, "declared"),
        (b"", 422, "declared"),
        (b"[" * 100_000, 400, "declared"),  # nested too deep for the parser
    ],
)
def test_a_body_not_plainly_valid_goes_the_declared_way(
    sqlite_world: SimpleNamespace, roads: list[str], body: bytes, status: int, road: str
) -> None:
    answer = sqlite_world.http["office"].post(
        f"/findings/{sqlite_world.finding}/progress",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == status, answer.text
    assert set(answer.json()) == {"error", "detail", "field"}
    assert roads == [road]


def test_a_path_id_in_another_spelling_goes_the_declared_way(
    sqlite_world: SimpleNamespace, roads: list[str]
) -> None:
    answer = sqlite_world.http["office"].post(
        f"/findings/{sqlite_world.finding.hex}/progress", json={"narrative": "无连字符"}
    )
    assert answer.status_code == 201, answer.text
    assert roads == ["declared"]
    answer = sqlite_world.http["office"].post(
        "/findings/not-a-uuid/progress", json={"narrative": "x"}
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "finding_id"


def test_a_body_that_cannot_be_read_is_answered_as_declared(
    sqlite_world: SimpleNamespace, roads: list[str]
) -> None:
    """The short road gives the error back to FastAPI, which answers it (400), not a 500."""
    app = sqlite_world.server.app
    token = sqlite_world.server.token(sqlite_world.actors["office"])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/api/v1/findings/{sqlite_world.finding}/progress",
        "raw_path": b"",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"test"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise RuntimeError("the body broke off")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    before = sqlite_world.ledger.recorder.max_notification_id()
    on_own_loop(app(scope, receive, send))
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["error"] == "bad_request"
    assert roads == ["declared"]
    assert sqlite_world.ledger.recorder.max_notification_id() == before
