"""As-of on both time axes: what happened by a day, and what the ledger showed then."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo
from ledger.domain.base import set_clock
from ledger.domain.values import BEIJING, Actor
from ledger.projections.counts import counts as replay
from ledger.projections.queries import Counts, QueryError, ReadModels, When

OFFICE = Actor(id="o", name="办公室", role="inspection_office")


@pytest.fixture
def clock() -> Iterator[list[datetime]]:
    """A recording clock the test sets: ``clock[0] = moment``."""
    moment = [datetime(2018, 3, 1, 9, tzinfo=BEIJING)]
    set_clock(lambda: moment[0])
    yield moment
    set_clock(None)


def at(day: date) -> CommandContext:
    return CommandContext(effective_at=day)


def figures(c: Counts) -> tuple[int, ...]:
    return (c.total, c.completed, c.ongoing, c.long_term, c.overdue, c.claimed, c.struck_off)


def one_finding(ledger: Ledger, clock: list[datetime]) -> str:
    unit = ledger.register_unit(
        OFFICE, name="县教育局", level="county", ctx=at(date(2018, 3, 1))
    ).id
    inspection = ledger.open_inspection(
        OFFICE,
        kind="provincial_inspection",
        title="省委第三巡视组",
        inspecting_body="省委",
        inspected_body="某县",
        ctx=at(date(2018, 3, 1)),
    ).id
    ledger.deliver_feedback(
        OFFICE, inspection, feedback_date="2018-03-01", ctx=at(date(2018, 3, 1))
    )
    finding = ledger.record_finding(
        OFFICE,
        inspection,
        category=["教育扶贫"],
        number="1",
        text="控辍保学不到位",
        deadline="2018-03-30",
        ctx=at(date(2018, 3, 1)),
    ).id
    ledger.assign(OFFICE, finding, units=[unit], ctx=at(date(2018, 3, 1)))
    return str(inspection)


def test_a_back_filled_report_is_completed_as_of_31_march_but_was_not_known_then(
    ledger: Ledger, clock: list[datetime]
) -> None:
    inspection = one_finding(ledger, clock)
    clock[0] = datetime(2018, 4, 5, 10, tzinfo=BEIJING)  # recorded on 5 April …
    found = ReadModels(ledger.projector)
    fid = next(iter(_finding_ids(ledger)))
    ledger.report_progress(OFFICE, fid, narrative="已劝返复学", ctx=at(date(2018, 3, 28)))
    ledger.claim_completion(OFFICE, fid, summary="已完成", ctx=at(date(2018, 3, 28)))
    ledger.verify(OFFICE, fid, ctx=at(date(2018, 3, 28)))  # … effective 28 March
    as_we_know_it = found.counts(inspection, When.of(date(2018, 3, 31)))[0]
    then = datetime(2018, 3, 31, 18, tzinfo=BEIJING)
    as_it_was_known = found.counts(inspection, When.of(date(2018, 3, 31), then))[0]
    assert (as_we_know_it.completed, as_we_know_it.ongoing, as_we_know_it.overdue) == (1, 0, 0)
    assert (as_it_was_known.completed, as_it_was_known.ongoing, as_it_was_known.overdue) == (
        0,
        1,
        1,
    )


def test_an_extension_counts_for_overdue_only_from_its_effective_date(
    ledger: Ledger, clock: list[datetime]
) -> None:
    inspection = one_finding(ledger, clock)
    fid = next(iter(_finding_ids(ledger)))
    clock[0] = datetime(2018, 4, 10, tzinfo=BEIJING)
    ledger.extend_deadline(
        OFFICE,
        fid,
        new_deadline="2018-06-30",
        approver="县长",
        ctx=CommandContext(effective_at=date(2018, 4, 8), reason="汛期施工受阻"),
    )
    rm = ReadModels(ledger.projector)
    assert rm.counts(inspection, When.of(date(2018, 4, 7)))[0].overdue == 1
    assert rm.counts(inspection, When.of(date(2018, 4, 9)))[0].overdue == 0
    assert rm.counts(inspection, When.of(date(2018, 7, 1)))[0].overdue == 1


def test_read_models_agree_with_a_replay_of_the_log_on_every_day(ledger: Ledger) -> None:
    load_demo(ledger)
    rm = ReadModels(ledger.projector)
    for day in (
        date(2018, 1, 31),
        date(2018, 4, 30),
        date(2018, 5, 20),
        date(2018, 6, 12),
        date(2018, 6, 30),
        date(2018, 9, 1),
        date(2026, 1, 1),
    ):
        ours = [figures(c) for c in rm.counts(when=When.of(day))]
        reference = [
            (c.total, c.completed, c.ongoing, c.long_term, c.overdue, c.claimed, c.struck_off)
            for c in replay(ledger, day)
        ]
        assert ours == reference, day


def test_current_counts_match_the_published_guizhou_figures(ledger: Ledger) -> None:
    ids = load_demo(ledger)
    rm = ReadModels(ledger.projector)
    (now,) = rm.counts(str(ids["guizhou"]))
    (june,) = rm.counts(str(ids["guizhou"]), When.of(date(2018, 6, 30)))
    assert (now.total, now.completed, now.ongoing, now.long_term) == (68, 50, 18, 24)
    assert (june.total, june.completed, june.ongoing, june.long_term, june.overdue) == (
        68,
        50,
        18,
        24,
        3,
    )
    assert june.claimed == 3 and june.sent_back == now.sent_back == 3


def test_as_of_before_the_inspection_existed_is_an_empty_answer(ledger: Ledger) -> None:
    load_demo(ledger)
    assert ReadModels(ledger.projector).counts(when=When.of(date(2017, 1, 1))) == []


def test_known_at_before_anything_was_recorded_is_an_empty_answer(ledger: Ledger) -> None:
    load_demo(ledger)
    then = datetime(2001, 1, 1, tzinfo=UTC)
    assert ReadModels(ledger.projector).counts(when=When.of(None, then)) == []


def test_known_at_in_the_future_or_without_zone_is_refused() -> None:
    with pytest.raises(QueryError) as future:
        When.of(None, datetime(2999, 1, 1, tzinfo=UTC))
    assert future.value.field == "known_at"
    with pytest.raises(QueryError):
        When.of(None, datetime(2018, 1, 1))


def _finding_ids(ledger: Ledger) -> list[str]:
    rm = ReadModels(ledger.projector)
    with rm.engine.connect() as conn:
        return [row[0] for row in conn.execute(rm.t.findings.select())]
