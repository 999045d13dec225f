"""Commands queued together commit together, and each still gets the answer it would alone.

The writer thread is kept busy while requests queue up behind it; freed, it
finds them waiting and runs them as one group.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from ledger.api.deps import _Job
from ledger.application.ledger import Ledger


@contextmanager
def batches_counted(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the groups the writer runs in one transaction (the real ``batch``, observed)."""
    calls: list[int] = []
    real = ledger.batch

    @contextmanager
    def observed(*args: Any, **kwargs: Any) -> Iterator[None]:
        calls.append(1)
        with real(*args, **kwargs):
            yield

    monkeypatch.setattr(ledger, "batch", observed)
    yield calls


def queued(
    world: SimpleNamespace, requests: list[Callable[[], httpx.Response]]
) -> list[httpx.Response]:
    """Send ``requests`` while the writer thread is busy, so they queue; then free it."""
    writer = world.server.app.state.writer
    answers: list[httpx.Response | None] = [None] * len(requests)
    gate, loop = threading.Event(), asyncio.new_event_loop()
    writer.jobs.put(_Job(lambda: gate.wait(30), loop.create_future(), loop, time.monotonic()))

    def send(i: int) -> None:
        answers[i] = requests[i]()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    try:
        deadline = time.monotonic() + 10
        while writer.jobs.qsize() and time.monotonic() < deadline:
            time.sleep(0.005)  # the writer has taken the blocking job
        for t in threads:
            t.start()
        while writer.jobs.qsize() < len(requests) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert writer.jobs.qsize() == len(requests)
    finally:
        gate.set()
    for t in threads:
        t.join(timeout=30)
    loop.close()
    assert all(a is not None for a in answers)
    return answers  # type: ignore[return-value]


def test_queued_reports_commit_as_one_group(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit, ledger = world.http["unit"], world.ledger
    before = ledger.recorder.max_notification_id()

    def report(i: int) -> Callable[[], httpx.Response]:
        return lambda: unit.post(
            f"/findings/{world.finding}/progress", json={"narrative": f"进展 {i}"}
        )

    with batches_counted(ledger, monkeypatch) as groups:
        answers = queued(world, [report(i) for i in range(6)])
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert groups == [1]  # the six that waited ran in one transaction
    versions = sorted(int(a.json()["version"]) for a in answers)
    assert versions == list(range(versions[0], versions[0] + 6))
    assert ledger.recorder.max_notification_id() == before + 6
    shown = world.http["auditor"].get(f"/audit/records/{world.finding}").text
    assert all(f"进展 {i}" in shown for i in range(6))


def test_a_refused_command_in_a_group_is_refused_alone(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit, office, ledger = world.http["unit"], world.http["office"], world.ledger
    other = world.http["other_unit"]
    before = ledger.recorder.max_notification_id()
    requests = [
        lambda: unit.post(f"/findings/{world.finding}/progress", json={"narrative": "先到"}),
        lambda: unit.post(f"/findings/{world.finding}/progress", json={"narrative": "甲"}),
        # Not its finding: refused (403), and nothing of it is written.
        lambda: other.post(f"/findings/{world.finding}/progress", json={"narrative": "越权"}),
        lambda: office.post(f"/findings/{world.finding}/progress", json={"narrative": "乙"}),
        # Not a finding at all: 404.
        lambda: unit.post(
            "/findings/00000000-0000-4000-8000-000000000000/progress", json={"narrative": "丙"}
        ),
    ]
    with batches_counted(ledger, monkeypatch) as groups:
        answers = queued(world, requests)
    assert [a.status_code for a in answers] == [201, 201, 403, 201, 404]
    assert groups == [1]  # tried together, then each alone
    assert ledger.recorder.max_notification_id() == before + 3
    shown = world.http["auditor"].get(f"/audit/records/{world.finding}").text
    assert all(text in shown for text in ("先到", "甲", "乙")) and "越权" not in shown


def test_one_key_twice_in_a_group_is_recorded_once(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit, ledger = world.http["unit"], world.ledger
    before = ledger.recorder.max_notification_id()

    def keyed(key: str) -> Callable[[], httpx.Response]:
        return lambda: unit.post(
            f"/findings/{world.finding}/progress",
            json={"narrative": "同一份报告"},
            headers={"Idempotency-Key": key},
        )

    with batches_counted(ledger, monkeypatch) as groups:
        answers = queued(world, [keyed("first"), keyed("twice"), keyed("twice")])
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert groups == [1]
    assert answers[1].json() == answers[2].json()
    assert [a.headers.get("Idempotent-Replayed") for a in answers[1:]].count("true") == 1
    assert ledger.recorder.max_notification_id() == before + 2
