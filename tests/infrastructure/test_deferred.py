"""PostgreSQL: read models computed before the events table is locked, sent with the
events in one pipeline; a refused insert leaves log and read models as they were."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError
from psycopg.pq import TransactionStatus

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from tests.conftest import PG_URL, log_snapshot

OFFICE = Actor(id="office-1", name="张伟", role="inspection_office")


@pytest.fixture
def pg_ledger(pg_schema: str) -> Iterator[Ledger]:
    app = Ledger(Settings(f"{PG_URL}?schema={pg_schema}"))
    yield app
    app.close()


def findings(ledger: Ledger, n: int) -> list[Any]:
    inspection = ledger.open_inspection(
        OFFICE, kind="tour", title="巡视", inspecting_body="巡视组", inspected_body="某局"
    ).id
    with ledger.batch():
        return [
            ledger.record_finding(
                OFFICE, inspection, category=["一、类别"], number=str(i), text="问题"
            ).id
            for i in range(n)
        ]


def test_deferred_read_models_equal_a_rebuild_and_track_the_head(pg_ledger: Ledger) -> None:
    ids = findings(pg_ledger, 3)
    with pg_ledger.batch():
        for i in range(7):
            pg_ledger.report_progress(OFFICE, ids[i % 3], narrative=f"进展 {i}")
    pg_ledger.report_progress(OFFICE, ids[0], narrative="又一次")
    recorder: Any = pg_ledger.recorder
    last = recorder.select_events(ids[0])[-1:]
    assert recorder.projector.defer(last) is not None  # these events took the one-pipeline path
    head = recorder.max_notification_id()
    positions = pg_ledger.projector.status()
    assert {p.position for p in positions if not p.behind} == {head}
    before = pg_ledger.projector.rows()
    pg_ledger.projector.rebuild()
    assert pg_ledger.projector.rows() == before


def test_a_version_already_taken_refuses_the_whole_pipeline_and_changes_nothing(
    pg_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = findings(pg_ledger, 2)
    pg_ledger.report_progress(OFFICE, ids[0], narrative="一")
    recorder: Any = pg_ledger.recorder
    taken = recorder.select_events(ids[0])[-1]
    log, rows = log_snapshot(pg_ledger), pg_ledger.projector.rows()
    handed_back = []
    checkout = recorder.datastore.get_connection

    @contextmanager
    def watched() -> Iterator[Any]:
        with checkout() as conn:
            try:
                yield conn
            finally:
                handed_back.append(conn.info.transaction_status)

    monkeypatch.setattr(recorder.datastore, "get_connection", watched)
    with pytest.raises(IntegrityError):
        recorder.insert_events([taken])
    monkeypatch.undo()
    assert log_snapshot(pg_ledger) == log
    assert pg_ledger.projector.rows() == rows
    # The failed transaction was ended before the connection went back to the pool.
    assert handed_back == [TransactionStatus.IDLE]
    pg_ledger.report_progress(OFFICE, ids[1], narrative="二")
    assert len(log_snapshot(pg_ledger)[1]) == len(log[1]) + 1


def test_events_of_read_models_that_read_their_rows_are_applied_under_the_lock(
    pg_ledger: Ledger,
) -> None:
    projector: Any = pg_ledger.recorder.projector  # type: ignore[attr-defined]
    tallies = projector.find("action_known")  # the kept counts (based on action_tallies)
    assert tallies.reads_rows and projector.find("action_known_steps").reads_rows
    topic = next(iter(tallies.handlers))
    event = SimpleNamespace(topic=topic, originator_id=None, originator_version=1, state=b"{}")
    assert projector.defer([event]) is None
    # Every other read model writes without reading: a deferred store would refuse a read.
    assert [p.name for p in projector.projections if p.reads_rows] == [
        "action_known",
        "action_known_steps",
    ]
