"""Kept answers: reused while the log stands still, never stale once it moves."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.errors import DomainError
from ledger.domain.values import Actor
from ledger.projections.queries import ReadModels, When

OFFICE = Actor(id="o", name="办", role="inspection_office")


def open_one(app: Ledger) -> tuple[str, Any]:
    early = CommandContext(effective_at=date(2018, 2, 1))
    inspection = app.open_inspection(
        OFFICE,
        kind="audit",
        title="审计",
        inspecting_body="审计厅",
        inspected_body="某县",
        ctx=early,
    ).id
    finding = app.record_finding(
        OFFICE, inspection, category=["教育"], number="1", text="控辍保学不到位", ctx=early
    ).id
    return str(inspection), finding


def figures(reads: ReadModels, inspection: str, when: When | None = None) -> tuple[int, ...]:
    (c,) = reads.counts(inspection, when)
    return (c.total, c.completed, c.ongoing)


def test_an_answer_is_kept_until_an_event_moves_the_log(ledger: Ledger) -> None:
    inspection, finding = open_one(ledger)
    reads = ReadModels(ledger.projector)
    first = reads.counts(inspection)
    assert reads.counts(inspection)[0] is first[0]  # kept, not asked again
    assert figures(reads, inspection) == (1, 0, 1)
    ledger.report_progress(OFFICE, finding, narrative="已劝返")
    ledger.claim_completion(OFFICE, finding, summary="完成")
    ledger.verify(OFFICE, finding)
    assert figures(reads, inspection) == (1, 1, 0)
    assert reads.counts(inspection)[0] is not first[0]


def test_a_refused_command_leaves_the_kept_answer_standing(ledger: Ledger) -> None:
    inspection, finding = open_one(ledger)
    reads = ReadModels(ledger.projector)
    kept = reads.counts(inspection)[0]
    with pytest.raises(DomainError):
        ledger.verify(OFFICE, finding)  # nothing claimed: refused, nothing written
    assert reads.counts(inspection)[0] is kept


def test_questions_at_different_moments_are_kept_apart(ledger: Ledger) -> None:
    inspection, finding = open_one(ledger)
    day = CommandContext(effective_at=date(2018, 3, 10))
    ledger.report_progress(OFFICE, finding, narrative="已劝返", ctx=day)
    ledger.claim_completion(OFFICE, finding, summary="完成", ctx=day)
    ledger.verify(OFFICE, finding, ctx=day)
    reads = ReadModels(ledger.projector)
    assert figures(reads, inspection, When.of(as_of=date(2018, 3, 1))) == (1, 0, 1)
    assert figures(reads, inspection, When.of(as_of=date(2018, 3, 31))) == (1, 1, 0)
    assert figures(reads, inspection, When.of(as_of=date(2018, 3, 1))) == (1, 0, 1)
    assert figures(reads, inspection) == (1, 1, 0)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_write_by_another_process_is_seen_at_once(
    backend: str, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    """Two ledger objects on one database stand for two server processes."""
    from tests.conftest import database_url

    url = database_url(backend, tmp_path, request)
    writer, reader = Ledger(Settings(url)), None
    try:
        inspection, finding = open_one(writer)
        reader = Ledger(Settings(url))
        reads = ReadModels(reader.projector)
        assert figures(reads, inspection) == (1, 0, 1)
        writer.report_progress(OFFICE, finding, narrative="已劝返")
        writer.claim_completion(OFFICE, finding, summary="完成")
        writer.verify(OFFICE, finding)
        assert figures(reads, inspection) == (1, 1, 0)
    finally:
        writer.close()
        if reader is not None:
            reader.close()


def test_kept_answers_are_bounded(ledger: Ledger) -> None:
    inspection, _ = open_one(ledger)
    reads = ReadModels(ledger.projector)
    assert reads.memo is not None
    reads.memo.size = 3
    for day in range(1, 10):
        reads.counts(inspection, When.of(as_of=date(2018, 3, day)))
    assert len(reads.memo.kept) == 3
