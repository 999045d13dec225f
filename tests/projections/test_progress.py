"""Progress over time: each month-end point equals the counts asked as of that day."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime
from uuid import uuid4

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo
from ledger.domain.base import set_clock
from ledger.domain.values import BEIJING, Actor
from ledger.projections.progress import MAX_POINTS, month_ends
from ledger.projections.queries import Counts, Point, ReadModels, When

OFFICE = Actor(id="o", name="办公室", role="inspection_office")
FIGURES = ("total", "completed", "ongoing", "long_term", "overdue", "claimed", "struck_off")


@pytest.fixture
def clock() -> Iterator[list[datetime]]:
    """A recording clock the test sets: ``clock[0] = moment``."""
    moment = [datetime(2018, 3, 1, 9, tzinfo=BEIJING)]
    set_clock(lambda: moment[0])
    yield moment
    set_clock(None)


def at(day: date, reason: str = "") -> CommandContext:
    return CommandContext(effective_at=day, reason=reason)


def same(point: Point, counts: Counts) -> bool:
    figures = asdict(point)
    return all(figures[f] == getattr(counts, f) for f in (*FIGURES, "sent_back"))


def by_day(points: list[Point]) -> dict[date, tuple[int, ...]]:
    return {p.day: tuple(getattr(p, f) for f in FIGURES) for p in points}


def one_finding(ledger: Ledger) -> tuple[str, str]:
    """An inspection opened 1 March 2018 with one finding due 30 March."""
    day = at(date(2018, 3, 1))
    unit = ledger.register_unit(OFFICE, name="县教育局", level="county", ctx=day).id
    inspection = ledger.open_inspection(
        OFFICE,
        kind="provincial_inspection",
        title="省委第三巡视组",
        inspecting_body="省委",
        inspected_body="某县",
        ctx=day,
    ).id
    ledger.deliver_feedback(OFFICE, inspection, feedback_date="2018-03-01", ctx=day)
    finding = ledger.record_finding(
        OFFICE,
        inspection,
        category=["教育扶贫"],
        number="1",
        text="控辍保学不到位",
        deadline="2018-03-30",
        ctx=day,
    ).id
    ledger.assign(OFFICE, finding, units=[unit], ctx=day)
    return str(inspection), str(finding)


def test_every_point_equals_the_counts_asked_as_of_its_day(ledger: Ledger) -> None:
    ids = load_demo(ledger)
    rm = ReadModels(ledger.projector)
    for inspection in ids.values():
        points = rm.progress(str(inspection))
        assert points[-1].day == datetime.now(BEIJING).date()
        for point in points:
            (counts,) = rm.counts(str(inspection), When.of(point.day))
            assert same(point, counts), point
    guizhou = by_day(rm.progress(str(ids["guizhou"]), When.of(date(2018, 6, 30))))
    assert guizhou[date(2018, 6, 30)] == (68, 50, 18, 24, 3, 3, 36)


def test_a_back_filled_verification_shows_only_once_it_was_recorded(
    ledger: Ledger, clock: list[datetime]
) -> None:
    inspection, finding = one_finding(ledger)
    clock[0] = datetime(2018, 4, 5, 10, tzinfo=BEIJING)  # recorded on 5 April …
    evidence = [{"title": "劝返复学台账"}]
    ledger.report_progress(
        OFFICE, finding, narrative="已劝返复学", evidence=evidence, ctx=at(date(2018, 3, 28))
    )
    ledger.claim_completion(OFFICE, finding, summary="已完成", ctx=at(date(2018, 3, 28)))
    ledger.verify(OFFICE, finding, ctx=at(date(2018, 3, 28)))  # … effective 28 March
    rm = ReadModels(ledger.projector)
    then = datetime(2018, 3, 31, 18, tzinfo=BEIJING)
    known = rm.progress(inspection, When.of(date(2018, 4, 30), then))
    now = rm.progress(inspection, When.of(date(2018, 4, 30)))
    assert by_day(known)[date(2018, 3, 31)] == (1, 0, 1, 0, 1, 0, 0)
    assert by_day(now)[date(2018, 3, 31)] == (1, 1, 0, 0, 0, 0, 0)
    for points, moment in ((known, then), (now, None)):
        for point in points:
            (counts,) = rm.counts(inspection, When.of(point.day, moment))
            assert same(point, counts), point


def test_an_extension_moves_overdue_only_from_its_effective_date(
    ledger: Ledger, clock: list[datetime]
) -> None:
    inspection, finding = one_finding(ledger)
    clock[0] = datetime(2018, 4, 10, tzinfo=BEIJING)
    ledger.extend_deadline(
        OFFICE,
        finding,
        new_deadline="2018-06-30",
        approver="县长",
        ctx=at(date(2018, 4, 8), "汛期"),
    )
    points = by_day(ReadModels(ledger.projector).progress(inspection, When.of(date(2018, 7, 31))))
    overdue = {day: figures[4] for day, figures in points.items()}
    assert overdue == {
        date(2018, 3, 31): 1,
        date(2018, 4, 30): 0,
        date(2018, 5, 31): 0,
        date(2018, 6, 30): 0,  # a deadline of 30 June is met on 30 June
        date(2018, 7, 31): 1,
    }


def test_an_inspection_not_yet_opened_or_unknown_has_no_points(ledger: Ledger) -> None:
    inspection, _finding = one_finding(ledger)
    rm = ReadModels(ledger.projector)
    assert rm.progress(inspection, When.of(date(2018, 2, 28))) == []
    assert rm.progress(str(uuid4())) == []
    assert [p.day for p in rm.progress(inspection, When.of(date(2018, 3, 1)))] == [date(2018, 3, 1)]


def test_month_ends_run_to_the_day_asked_and_are_thinned_for_long_spans() -> None:
    assert month_ends(date(2018, 1, 15), date(2018, 3, 10)) == [
        date(2018, 1, 31),
        date(2018, 2, 28),
        date(2018, 3, 10),
    ]
    assert month_ends(date(2020, 1, 1), date(2020, 2, 29)) == [date(2020, 1, 31), date(2020, 2, 29)]
    long = month_ends(date(1990, 1, 1), date(2026, 11, 22))
    assert len(long) <= MAX_POINTS and long[-1] == date(2026, 11, 22)
    assert long == sorted(set(long))
