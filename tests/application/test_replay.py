"""Replay from the event store: timelines, state at a point on both axes, differences.

The recording clock is set by the test, so "what the ledger showed then" is exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from ledger.application import replay
from ledger.application.context import CommandContext
from ledger.application.replay import Point
from ledger.domain.base import set_clock
from ledger.domain.errors import InvalidInput, NotFound
from ledger.domain.values import BEIJING, Actor

OFFICE = Actor(id="o-1", name="张伟", role="inspection_office")


@pytest.fixture
def clock() -> Iterator[list[datetime]]:
    moment = [datetime(2019, 1, 20, 9, tzinfo=BEIJING)]
    set_clock(lambda: moment[0])
    yield moment
    set_clock(None)


def on(day: date, **kw: object) -> CommandContext:
    return CommandContext(effective_at=day, **kw)  # type: ignore[arg-type]


@pytest.fixture
def finding(ledger, clock) -> str:
    """Recorded 2019-01-20 (deadline 2019-06-10); a report back-filled on 5 April for 28 March."""
    inspection = ledger.open_inspection(
        OFFICE,
        kind="tour",
        title="巡察",
        inspecting_body="县委巡察组",
        inspected_body="某乡",
        ctx=on(date(2019, 1, 2)),
    ).id
    ledger.deliver_feedback(
        OFFICE, inspection, feedback_date="2019-01-18", ctx=on(date(2019, 1, 18))
    )
    fid = ledger.record_finding(
        OFFICE,
        inspection,
        category=["一、类别"],
        number="1",
        text="底数不清",
        deadline="2019-06-10",
        ctx=on(date(2019, 1, 20)),
    ).id
    clock[0] = datetime(2019, 4, 1, 10, tzinfo=BEIJING)
    ledger.mark_long_term(OFFICE, fid, ctx=on(date(2019, 4, 1)))
    clock[0] = datetime(2019, 4, 5, 10, tzinfo=BEIJING)
    ledger.report_progress(
        OFFICE, fid, narrative="补录", ctx=on(date(2019, 3, 28), basis="纸质台账")
    )
    ledger.claim_completion(OFFICE, fid, summary="完成", ctx=on(date(2019, 3, 29)))
    return str(fid)


def test_a_timeline_lists_each_event_with_its_envelope_and_changes(ledger, finding) -> None:
    entries = replay.timeline(ledger, finding)
    assert [e.kind for e in entries] == [
        "Finding.Recorded",
        "Finding.LongTermMarked",
        "Finding.ProgressReported",
        "Finding.CompletionClaimed",
    ]
    claimed = entries[-1]
    assert (claimed.actor_name, claimed.actor_role) == ("张伟", "inspection_office")
    assert claimed.effective_at.date() == date(2019, 3, 29)
    assert claimed.recorded_at.astimezone(BEIJING).date() == date(2019, 4, 5)
    assert [(c.field, c.before, c.after) for c in claimed.changes] == [
        ("status", "ongoing", "claimed")
    ]
    assert entries[2].basis == "纸质台账"
    assert ("long_term", False, True) in [(c.field, c.before, c.after) for c in entries[1].changes]


def test_state_as_of_a_day_applies_back_filled_events_but_known_at_does_not(
    ledger, finding
) -> None:
    as_of = replay.state_at(ledger, finding, Point(as_of=date(2019, 3, 31)))
    known = replay.state_at(
        ledger, finding, Point(known_at=datetime(2019, 3, 31, 18, tzinfo=BEIJING))
    )
    both = replay.state_at(
        ledger,
        finding,
        Point(as_of=date(2019, 3, 31), known_at=datetime(2019, 3, 31, 18, tzinfo=BEIJING)),
    )
    assert (as_of["status"], as_of["long_term"]) == ("claimed", False)
    assert (known["status"], known["long_term"]) == ("ongoing", False)
    assert both == known
    assert replay.state_at(ledger, finding, Point(as_of=date(2019, 1, 19))) is None
    assert replay.state_at(ledger, finding, Point())["version"] == 4


def test_a_timeline_at_a_point_holds_its_events_and_its_changes_fold_to_the_state_there(
    ledger, finding
) -> None:
    march = Point(as_of=date(2019, 3, 31))
    entries = replay.timeline(ledger, finding, march)
    assert [e.version for e in entries] == [1, 3, 4]  # marked long-term on 1 April: not yet
    assert [(c.field, c.before, c.after) for c in entries[-1].changes] == [
        ("status", "ongoing", "claimed")
    ]
    folded: dict[str, object] = {}
    for e in entries:
        folded.update({c.field: c.after for c in e.changes})
    state = replay.flatten(replay.state_at(ledger, finding, march))
    assert {k: v for k, v in folded.items() if v is not None} == {
        k: v for k, v in state.items() if k != "version" and v is not None
    }
    known = Point(known_at=datetime(2019, 4, 2, tzinfo=BEIJING))
    assert [e.version for e in replay.timeline(ledger, finding, known)] == [1, 2]
    assert replay.timeline(ledger, finding, Point(as_of=date(2019, 1, 19))) == []
    assert replay.timeline(ledger, finding, Point()) == replay.timeline(ledger, finding)


def test_the_difference_between_two_points_names_the_events_behind_it(ledger, finding) -> None:
    old = Point(known_at=datetime(2019, 4, 2, tzinfo=BEIJING))
    found = replay.difference(ledger, finding, old, Point())
    assert ("status", "ongoing", "claimed") in [(c.field, c.before, c.after) for c in found.changes]
    assert [e.kind for e in found.added] == [
        "Finding.ProgressReported",
        "Finding.CompletionClaimed",
    ]
    assert found.removed == []
    back = replay.difference(ledger, finding, Point(), old)
    assert [e.kind for e in back.removed] == [e.kind for e in found.added]


def test_a_correction_shows_as_a_change_of_the_corrected_field(ledger, finding, clock) -> None:
    clock[0] = datetime(2019, 4, 6, 10, tzinfo=BEIJING)
    ledger.correct(
        OFFICE,
        finding,
        corrects_version=1,
        changes={"text": "底数不清、退出不准"},
        ctx=CommandContext(reason="笔误"),
    )
    last = replay.timeline(ledger, finding)[-1]
    assert last.kind == "Finding.Corrected" and last.reason == "笔误"
    assert ("text", "底数不清", "底数不清、退出不准") in [
        (c.field, c.before, c.after) for c in last.changes
    ]


def test_unknown_and_malformed_records_are_refused(ledger) -> None:
    with pytest.raises(NotFound):
        replay.timeline(ledger, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(InvalidInput):
        replay.state_at(ledger, "nope", Point())
