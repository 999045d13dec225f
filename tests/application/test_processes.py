"""Several processes, one database: commands interleave correctly.

Each worker is a separate process with its own ledger object and cache. They
report progress on the same findings at once, and every command is sent
twice (by two different processes) with the same idempotency key. Afterwards:
every receipt's event is stored, each key recorded exactly one event, every
finding's versions are dense, and the integrity log is dense and matches the
events one to one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any
from uuid import UUID

import pytest

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor

OFFICE = Actor(id="office-1", name="张伟", role="inspection_office")
WORKERS = 4
COMMANDS = 40  # per worker


WORKER = """
import json, sys
from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor

url, findings = sys.argv[1], sys.argv[2].split(",")
number, workers, commands = map(int, sys.argv[3:])
office = Actor(id="office-1", name="张伟", role="inspection_office")
ledger = Ledger(Settings(url))
receipts = []
for i in range(commands):
    # Worker n sends keys of block n and block n-1: each key is sent by two workers.
    block = (number - i % 2) % workers
    key = f"k-{block}-{i // 2}"
    finding = findings[(block + i // 2) % len(findings)]
    r = ledger.report_progress(office, finding, narrative=key,
                               ctx=CommandContext(idempotency_key=key))
    receipts.append((key, str(r.id), r.version))
ledger.close()
print(json.dumps(receipts))
"""


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shared.db"
    from tests.conftest import PG_URL

    return f"{PG_URL}?schema={request.getfixturevalue('pg_schema')}"


def test_commands_from_several_processes_interleave_exactly_once(url: str) -> None:
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
        for n in range(3)
    ]
    ledger.close()
    args = [",".join(findings)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, *args, str(n), str(WORKERS), str(COMMANDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    receipts = [tuple(r) for batch in results for r in batch]
    by_key: dict[str, set[tuple[str, int]]] = {}
    for key, finding, version in receipts:
        by_key.setdefault(key, set()).add((finding, version))
    assert len(by_key) == WORKERS * COMMANDS // 2
    assert all(len(answers) == 1 for answers in by_key.values())  # both senders got one answer

    ledger = Ledger(Settings(url))
    try:
        histories = {f: ledger.history(UUID(f)) for f in findings}
        for events in histories.values():
            assert len(events) > 1
            assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        narratives = sorted(
            e.narrative
            for events in histories.values()
            for e in events
            if type(e).__name__ == "ProgressReported"
        )
        assert narratives == sorted(by_key)  # one event per key, none lost, none twice
        integrity = ledger.recorder.integrity_rows(1, 100_000)  # type: ignore[attr-defined]
        assert [row[0] for row in integrity] == list(range(1, len(integrity) + 1))
        total = ledger.recorder.max_notification_id()
        stored = ledger.recorder.select_notifications(start=1, limit=100_000)
        assert len(stored) == len(integrity)
        assert total is not None
    finally:
        ledger.close()


STARTER = """
import sys
from ledger.application.ledger import Ledger
from ledger.config import Settings
print("ready", flush=True)
sys.stdin.readline()  # every process waits here, then all start together
Ledger(Settings(sys.argv[1])).close()
"""


@pytest.mark.parametrize("fresh", [True, False], ids=["fresh", "existing"])
def test_processes_starting_together_set_up_the_schema_once(url: str, fresh: bool) -> None:
    """Schema set-up is safe to race: API workers or a CLI start on one database
    at the same moment, on an empty database or on one already set up."""
    if not fresh:
        Ledger(Settings(url)).close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for p in procs:  # imports done everywhere before any starts
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outcomes = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outcomes, strict=True):
        assert p.returncode == 0, err
    ledger = Ledger(Settings(url))
    try:
        assert ledger.recorder.max_notification_id() in (None, 0)
    finally:
        ledger.close()
