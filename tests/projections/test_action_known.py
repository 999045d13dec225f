"""Accountability counts as known at a past recording time, read from the figures kept after
each event (``action_known``) or, as of an earlier date, from each event's changes to the
steps (``action_known_steps``), equal the replay of the actions (the previous code) at every
moment asked, on both time axes; moments the kept rows cannot answer exactly (events stored
out of recording order) are replayed; a rebuild reproduces the rows row for row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.base import set_clock
from ledger.domain.values import BEIJING, Actor
from ledger.projections import accountability_queries
from ledger.projections.queries import ReadModels, When
from ledger.projections.tally_queries import known_bound
from tests.projections.test_action_tallies import DISCIPLINE, disordered, history

START = datetime(2020, 1, 1, 9, tzinfo=BEIJING)


@pytest.fixture
def clock() -> Iterator[list[datetime]]:
    """A recording clock that moves a minute each time it is read (``clock[0]``: the last
    time it gave); a test may set it back."""
    moment = [START]

    def tick() -> datetime:
        moment[0] += timedelta(minutes=1)
        return moment[0]

    set_clock(tick)
    yield moment
    set_clock(None)


def recorded(ledger: Ledger, admin: Actor, clock: list[datetime]) -> tuple[list[str], datetime]:
    """The accountability history of test_action_tallies, then a few commands stored with
    the clock set back an hour (as a command that read the clock earlier but stored later),
    then more. Returns the unit ids and the time the clock was set back to."""
    units = history(ledger, admin)
    back = clock[0] - timedelta(hours=1)
    clock[0] = back
    for action in [a["action_id"] for a in first_actions(ledger, 3)]:
        day = date(2019, 12, 1)
        ledger.appeal_action(
            DISCIPLINE,
            action,
            outcome="revoked",
            decided_on=day,
            ctx=CommandContext(effective_at=day),
        )
    clock[0] += timedelta(hours=2)
    disordered(ledger, admin, units)
    return units, back


def first_actions(ledger: Ledger, n: int) -> list[dict[str, Any]]:
    rm = ReadModels(ledger.projector, memo=False)
    return [a for a in rm.actions(counted_only=True, limit=50).items if a["status"] == "decided"][
        :n
    ]


def moments(clock: list[datetime], step: int) -> list[datetime]:
    """Every ``step`` minutes from before the first event to after the last."""
    minutes = int((clock[0] - START).total_seconds() // 60) + 2 * step
    first = START - timedelta(minutes=step)
    return [first + timedelta(minutes=step * n) for n in range(minutes // step)]


def questions(
    units: list[str], years: tuple[int | None, ...] = (None, 2018, 2019)
) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """Every grouping, year and filter the kept figures answer, and some they do not."""
    asked: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    for year in years:
        for by in ("kind", "family", "unit", "rank", "year"):
            asked.append(("action_counts", (by, year), {}))
            asked.append(("action_counts", (by, year, units[0]), {}))
            asked.append(("action_counts", (by, year), {"family": "party"}))
        for families in ([], ["party"], ["party", "government"], ["judicial"]):
            asked.append(("action_totals", (year,), {"families": families}))
        for kinds in (["admonition"], ["gov_warning"], ["admonition", "gov_warning"]):
            asked.append(("action_totals", (year,), {"kinds": kinds}))
        asked.append(("action_totals", (year, units[1]), {}))
    return asked


def both(
    rm: ReadModels, monkeypatch: pytest.MonkeyPatch, method: str, args: Any, kw: Any, when: When
) -> tuple[Any, Any]:
    kept = getattr(rm, method)(*args, **kw, when=when)
    with monkeypatch.context() as m:
        m.setattr(accountability_queries, "known_query", lambda *_: None)
        m.setattr(accountability_queries, "known_totals", lambda *_: None)
        replayed = getattr(rm, method)(*args, **kw, when=when)
    return kept, replayed


def test_counts_known_at_a_time_equal_the_replay(
    ledger: Ledger, admin: Actor, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    units, back = recorded(ledger, admin, clock)
    rm = ReadModels(ledger.projector, memo=False)
    asked = questions(units)
    seen, kept_moments = set(), 0
    asked_at = moments(clock, 8)
    for moment in asked_at:
        when = When.of(known_at=moment)
        kept_moments += known_bound(rm, when) is not None
        for method, args, kw in asked:
            kept, replayed = both(rm, monkeypatch, method, args, kw, when)
            assert kept == replayed, (moment, method, args, kw)
            seen.add(repr(kept))
    assert len(seen) > 40  # the figures do move over the moments asked
    assert kept_moments > len(asked_at) * 2 // 3  # most moments are read from the rows
    # Inside the hour the clock went back, some events recorded earlier are stored later.
    assert known_bound(rm, When.of(known_at=back + timedelta(minutes=2))) is None


def test_counts_as_of_a_day_and_known_at_a_time_equal_the_replay(
    ledger: Ledger, admin: Actor, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    units, _ = recorded(ledger, admin, clock)
    rm = ReadModels(ledger.projector, memo=False)
    asked = questions(units, (None, 2019))
    late_day = date(2019, 12, 31)  # after every effective day: one row per group
    ways = []
    for moment in moments(clock, 30):
        for day in (date(2018, 6, 30), date(2019, 3, 1), date(2019, 12, 1), late_day):
            when = When.of(day, moment)
            bound = known_bound(rm, when)
            ways.append(None if bound is None else bound[1])
            for method, args, kw in asked:
                kept, replayed = both(rm, monkeypatch, method, args, kw, when)
                assert kept == replayed, (moment, day, method, args, kw)
    # Asked every way: from the figures per group (all known events effective by the day),
    # from the sums of the changes (some effective later), replayed (not a prefix).
    assert {True, False, None} <= set(ways)
    assert ways.count(False) > len(ways) // 3
    everything = known_bound(rm, When.of(late_day, clock[0]))
    assert everything is not None and everything[1]
    assert known_bound(rm, When.of(date(2018, 6, 30), clock[0])) == (everything[0], False)


def test_before_anything_was_recorded_every_count_is_zero(
    ledger: Ledger, admin: Actor, clock: list[datetime]
) -> None:
    history(ledger, admin)
    rm = ReadModels(ledger.projector, memo=False)
    when = When.of(known_at=START - timedelta(days=1))
    assert known_bound(rm, when) == (0, True)
    assert rm.action_totals(2018, when=when) == dict.fromkeys(
        ("actions", "persons", "organisations", "cases"), 0
    )
    assert rm.action_counts("kind", 2018, when=when) == []


def test_a_rebuild_reproduces_the_rows_known_at_each_time(
    ledger: Ledger, admin: Actor, clock: list[datetime]
) -> None:
    recorded(ledger, admin, clock)
    before = ledger.projector.rows()
    ledger.projector.rebuild("action_known")
    ledger.projector.rebuild("action_known_steps")
    after = ledger.projector.rows()
    for name in ("action_known", "action_known_steps"):
        for table in ledger.projector.find(name).tables:
            assert before[table.name], table.name
            assert after[table.name] == before[table.name], table.name
    assert len(after["rm_action_known_late"]) == 3  # the appeals stored with the clock set back
