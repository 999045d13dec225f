"""The kept accountability counts (rm_action_known_tallies now, _steps as of a date) give
exactly what counting (replaying) the actions gives, for every grouping and filter they
answer, through decisions and appeals in any order of effective dates; a rebuild reproduces
them row for row."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.sanctions import ActionFamily, ActionKind
from ledger.domain.values import BEIJING, Actor
from ledger.projections.queries import ReadModels, When
from ledger.projections.reading import FOREVER
from ledger.projections.tally_queries import (
    stepped_counts,
    stepped_totals,
    tallied_counts,
    tallied_totals,
)

DISCIPLINE = Actor(id="disc-1", name="赵纪", role="discipline")
ORGANS = {
    "proposing_organ": "区纪委监委",
    "deciding_organ": "区纪委常委会",
    "implementing_organ": "党组",
}
KINDS = ["admonition", "party_warning", "party_expulsion", "demotion", "criticism"]
FAMILIES = [f.value for f in ActionFamily]


def on(day: date) -> CommandContext:
    return CommandContext(effective_at=day)


def history(ledger: Ledger, admin: Actor) -> list[str]:
    """Forty actions over 2018-2019 on three units, six people (several actions each), some
    on organisations, some in two cases; appeals upheld, changed, revoked, changed then revoked.
    Returns the unit ids."""
    rng = random.Random(5)
    units = [str(ledger.register_unit(admin, name=f"单位{i}", level="county").id) for i in range(3)]
    people = [ledger.register_person(admin, name=f"某{i}").id for i in range(6)]
    first = date(2018, 1, 2)
    cases = [
        ledger.open_case(
            DISCIPLINE,
            case_no=f"立〔2018〕{i}号",
            title="案",
            unit_id=units[i],
            opened_on=first,
            ctx=on(first),
        ).id
        for i in range(2)
    ]
    for i in range(40):
        day = first + timedelta(days=rng.randint(0, 650))
        args: dict[str, Any] = {"unit_id": rng.choice(units), "rank": rng.choice(["科级", ""])}
        if i % 5:
            args["person_id"] = rng.choice(people)
        if i % 3 == 0:
            args["case_id"] = rng.choice(cases)
        action = ledger.propose_action(
            DISCIPLINE, kind=rng.choice(KINDS), proposed_on=day, ctx=on(day), **ORGANS, **args
        ).id
        if i % 11 == 10:
            continue  # proposed only: never counted
        kind = "party_serious_warning" if i % 7 == 0 else None
        ledger.decide_action(DISCIPLINE, action, decided_on=day, kind=kind, ctx=on(day))
        appeal(ledger, action, i, day + timedelta(days=3))
    return units


def appeal(ledger: Ledger, action: Any, i: int, day: date) -> None:
    def outcome(result: str, kind: str | None = None) -> None:
        ledger.appeal_action(
            DISCIPLINE, action, outcome=result, decided_on=day, kind=kind, ctx=on(day)
        )

    if i % 6 == 1:
        outcome("revoked")
    elif i % 6 == 2:
        outcome("changed", "circulated_criticism")
    elif i % 6 == 3:
        outcome("upheld")
    elif i % 8 == 4:
        outcome("changed", "gov_warning")
        outcome("revoked")


def counted_now(when_now: When, rm: ReadModels, method: str, *args: Any, **kw: Any) -> Any:
    """The same question, kept (present) and counted from the actions (as of now)."""
    kept = getattr(rm, method)(*args, **kw)
    counted = getattr(rm, method)(*args, **kw, when=when_now)
    assert kept == counted, (method, args, kw)
    return kept


def test_kept_counts_equal_counting_the_actions(ledger: Ledger, admin: Actor) -> None:
    units = history(ledger, admin)
    rm = ReadModels(ledger.projector, memo=False)
    now = When.of(known_at=datetime.now(BEIJING))
    assert rm.action_totals(2018)["actions"] > 5
    for year in (None, 2018, 2019, 2020):
        for by in ("kind", "family", "unit", "rank", "year"):
            counted_now(now, rm, "action_counts", by, year)
            counted_now(now, rm, "action_counts", by, year, unit_id=units[0])
            for family in ("party", "accountability", "judicial"):
                counted_now(now, rm, "action_counts", by, year, family=family)
        for families in ([], ["party"], ["party", "government"], ["government", "party"]):
            counted_now(now, rm, "action_totals", year, families=families)
        for families in (["party", "accountability"], FAMILIES):
            counted_now(now, rm, "action_totals", year, families=families)
        for kinds in (["admonition"], ["party_warning", "circulated_criticism"]):
            counted_now(now, rm, "action_totals", year, kinds=kinds)
        counted_now(now, rm, "action_totals", year, units[1])
        counted_now(now, rm, "action_totals", year, units[1], families=["party"])


@pytest.mark.parametrize(
    ("by", "unit", "family"),
    [("kind", None, None), ("year", 0, None), ("unit", 0, None), ("kind", None, "party")],
)
def test_the_usual_questions_are_read_from_the_kept_counts(
    ledger: Ledger, admin: Actor, by: str, unit: int | None, family: str | None
) -> None:
    units = history(ledger, admin)
    rm = ReadModels(ledger.projector, memo=False)
    unit_id = None if unit is None else units[unit]
    assert tallied_counts(rm, by, 2018, unit_id, family)
    assert tallied_totals(rm, 2019, None, ["government", "party"], None) is not None
    assert tallied_counts(rm, "rank", 2018, units[0], None) is None  # counted instead
    assert tallied_totals(rm, 2019, None, None, [k.value for k in ActionKind][:2]) is None


def test_a_rebuild_reproduces_the_kept_counts_row_for_row(ledger: Ledger, admin: Actor) -> None:
    units = history(ledger, admin)
    disordered(ledger, admin, units)
    before = ledger.projector.rows()
    ledger.projector.rebuild("action_known")
    ledger.projector.rebuild("action_known_steps")
    after = ledger.projector.rows()
    for name in ("subjects", "members", "tallies", "step_subjects", "step_members", "steps"):
        table = f"rm_action_known_{name}"
        assert before[table], table
        assert after[table] == before[table], table


def disordered(ledger: Ledger, admin: Actor, units: list[str]) -> None:
    """Actions whose events are effective out of order: decided with an effective date before
    the proposal's, appealed (revoked or changed) with one before the decision's, a decision
    back-dated before an earlier one of the same person."""
    rng = random.Random(11)
    person = ledger.register_person(admin, name="某乱").id
    for i in range(12):
        day = date(2018, 3, 1) + timedelta(days=rng.randint(0, 500))
        kind = rng.choice(KINDS)
        args: dict[str, Any] = {"unit_id": rng.choice(units), "rank": "科级", "person_id": person}
        action = ledger.propose_action(
            DISCIPLINE, kind=kind, proposed_on=day, ctx=on(day), **ORGANS, **args
        ).id
        decided = day + timedelta(days=rng.randint(-40, 40))
        ledger.decide_action(DISCIPLINE, action, decided_on=day, ctx=on(decided))
        appealed = decided + timedelta(days=rng.randint(-30, 30))
        if i % 3 == 0:
            ledger.appeal_action(
                DISCIPLINE, action, outcome="revoked", decided_on=day, ctx=on(appealed)
            )
        elif i % 3 == 1:
            new = "gov_warning" if kind != "gov_warning" else "admonition"
            ledger.appeal_action(
                DISCIPLINE, action, outcome="changed", decided_on=day, kind=new, ctx=on(appealed)
            )


def replayed(day: date) -> When:
    """As of ``day`` with everything recorded, but asked so that the actions are replayed
    (no event is recorded at the end of time: the same answer by the other road)."""
    return When(day, FOREVER - 1, False)


def test_as_of_counts_from_the_steps_equal_the_replayed_counts(
    ledger: Ledger, admin: Actor
) -> None:
    units = history(ledger, admin)
    disordered(ledger, admin, units)
    rm = ReadModels(ledger.projector, memo=False)
    assert stepped_totals(rm, 2018, None, None, None, When.of(date(2018, 6, 1))) is not None
    assert stepped_totals(rm, 2018, None, None, None, replayed(date(2018, 6, 1))) is None
    seen = set()
    for day in [date(2017, 12, 1) + timedelta(days=9 * n) for n in range(100)]:
        stepped, replay = When.of(day), replayed(day)
        for year in (None, 2018, 2019):
            for by in ("kind", "family", "unit", "rank", "year"):
                args: list[Any] = [by, year]
                assert rm.action_counts(*args, when=stepped) == rm.action_counts(
                    *args, when=replay
                ), (day, by, year)
                unit = rm.action_counts(by, year, units[0], when=stepped)
                assert unit == rm.action_counts(by, year, units[0], when=replay)
                fam = rm.action_counts(by, year, family="party", when=stepped)
                assert fam == rm.action_counts(by, year, family="party", when=replay)
            for families in ([], ["party"], ["party", "government"], ["judicial"]):
                totals = rm.action_totals(year, families=families, when=stepped)
                assert totals == rm.action_totals(year, families=families, when=replay)
                seen.add(tuple(totals.values()))
            for kinds in (["admonition"], ["gov_warning"]):
                totals = rm.action_totals(year, kinds=kinds, when=stepped)
                assert totals == rm.action_totals(year, kinds=kinds, when=replay)
            assert rm.action_totals(year, units[1], when=stepped) == rm.action_totals(
                year, units[1], when=replay
            )
    assert len(seen) > 20  # the figures do move over the dates asked
    now = When.of(date(2030, 1, 1))
    assert rm.action_totals(2019, when=now) == rm.action_totals(2019)
    assert stepped_counts(rm, "unit", 2019, None, None, now) is not None
