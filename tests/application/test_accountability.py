"""Accountability on every back end: cases and actions, appeals, counts, the consequence rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.base import set_clock
from ledger.domain.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from ledger.domain.values import BEIJING, Actor
from ledger.projections.queries import ReadModels, When

DISCIPLINE = Actor(id="disc-1", name="赵纪", role="discipline")
ORGANS = {
    "proposing_organ": "永定区纪委监委",
    "deciding_organ": "永定区纪委常委会",
    "implementing_organ": "永定区扶贫办党组",
}


def on(day: str) -> CommandContext:
    return CommandContext(effective_at=date.fromisoformat(day))


@pytest.fixture
def yd(ledger: Ledger, admin: Actor) -> SimpleNamespace:
    """A bureau of 20 staff and a township of 40 in 2018; three people; one case."""
    bureau = ledger.register_unit(admin, name="永定区扶贫办", level="county").id
    town = ledger.register_unit(admin, name="四都坪乡", level="township").id
    ledger.record_headcount(admin, bureau, year=2018, headcount=20)
    ledger.record_headcount(admin, town, year=2018, headcount=40)
    people = [ledger.register_person(admin, name=n).id for n in ("覃某", "彭某", "李某")]
    case = ledger.open_case(
        DISCIPLINE,
        case_no="永纪立〔2018〕1号",
        title="套取扶贫专项资金案",
        unit_id=bureau,
        opened_on="2018-03-01",
        ctx=on("2018-03-01"),
    ).id
    return SimpleNamespace(bureau=bureau, town=town, people=people, case=case)


def act(ledger: Ledger, w: SimpleNamespace, who: int | None, kind: str, **extra: Any) -> Any:
    """Propose and decide an action in March 2018; returns its id."""
    args: dict[str, Any] = {"unit_id": w.bureau, "proposed_on": "2018-03-05", **ORGANS, **extra}
    if who is not None:
        args["person_id"] = w.people[who]
    action = ledger.propose_action(DISCIPLINE, kind=kind, ctx=on("2018-03-05"), **args).id
    ledger.decide_action(DISCIPLINE, action, decided_on="2018-03-20", ctx=on("2018-03-20"))
    return action


def test_an_action_goes_from_proposal_to_decision_to_being_carried_out(
    ledger: Ledger, yd: SimpleNamespace
) -> None:
    action = ledger.propose_action(
        DISCIPLINE,
        kind="admonition",
        person_id=yd.people[0],
        unit_id=yd.bureau,
        rank="科级",
        proposed_on="2018-03-05",
        case_id=yd.case,
        cases=[yd.case],
        **ORGANS,
    ).id
    rm = ReadModels(ledger.projector)
    assert rm.action_totals() == {"actions": 0, "persons": 0, "organisations": 0, "cases": 0}
    ledger.decide_action(DISCIPLINE, action, decided_on="2018-03-20")
    ledger.carry_out_action(DISCIPLINE, action, carried_out_on="2018-03-25")
    item = rm.actions().items[0]
    assert (item["status"], item["subject_name"], item["rank"]) == ("carried_out", "覃某", "科级")
    assert (item["proposing_organ"], item["implementing_organ"]) == (
        "永定区纪委监委",
        "永定区扶贫办党组",
    )
    assert item["decided_on"] == date(2018, 3, 20) and item["year"] == 2018
    assert rm.action_totals(2018) == {"actions": 1, "persons": 1, "organisations": 0, "cases": 1}


def test_cases_and_persons_are_counted_separately(ledger: Ledger, yd: SimpleNamespace) -> None:
    other = ledger.open_case(
        DISCIPLINE,
        case_no="永纪立〔2018〕2号",
        title="贪污案",
        unit_id=yd.town,
        opened_on="2018-04-01",
    ).id
    act(ledger, yd, 0, "party_warning", case_id=yd.case)
    act(ledger, yd, 0, "gov_demerit", case_id=yd.case)  # the same person, twice
    act(ledger, yd, 1, "party_probation", case_id=yd.case)
    act(ledger, yd, 2, "gov_removal", case_id=other)
    act(ledger, yd, None, "circulated_criticism")  # the bureau itself
    rm = ReadModels(ledger.projector)
    sanctions = rm.action_totals(2018, families=["party", "government"])
    assert sanctions == {"actions": 4, "persons": 3, "organisations": 0, "cases": 2}
    assert rm.action_totals(2018) == {"actions": 5, "persons": 3, "organisations": 1, "cases": 2}
    by_family = {g["key"]: g for g in rm.action_counts("family", year=2018)}
    assert by_family["party"]["persons"] == 2 and by_family["government"]["persons"] == 2
    assert by_family["accountability"]["label"] == "问责"
    by_unit = rm.action_counts("unit", year=2018)
    assert [(g["label"], g["actions"]) for g in by_unit] == [("永定区扶贫办", 5)]
    assert rm.case_counts(2018) == {"opened": 2, "closed": 0}
    assert [g["key"] for g in rm.action_counts("year")] == ["2018"]


def test_appeals_uphold_change_or_revoke_as_new_events(ledger: Ledger, yd: SimpleNamespace) -> None:
    upheld, changed, revoked = (act(ledger, yd, i, "gov_demerit") for i in range(3))
    ledger.appeal_action(DISCIPLINE, upheld, outcome="upheld", decided_on="2018-05-01")
    ledger.appeal_action(
        DISCIPLINE, changed, outcome="changed", kind="gov_warning", decided_on="2018-05-01"
    )
    ledger.appeal_action(
        DISCIPLINE, revoked, outcome="revoked", decided_on="2018-05-02", ctx=on("2018-05-02")
    )
    rm = ReadModels(ledger.projector)
    kinds = {g["key"]: g["actions"] for g in rm.action_counts("kind", year=2018)}
    assert kinds == {"gov_demerit": 1, "gov_warning": 1}
    kinds_then = {
        g["key"]: g["actions"] for g in rm.action_counts("kind", when=When.of(date(2018, 4, 1)))
    }
    assert kinds_then == {"gov_demerit": 3}  # before the appeals took effect
    events = [type(e).__name__ for e in ledger.history(revoked)]
    assert events == ["Proposed", "Decided", "Appealed"]  # nothing edited
    assert ledger.get_action(revoked).status.value == "revoked"


def test_counts_as_of_a_day_and_as_known_at_a_moment(ledger: Ledger, yd: SimpleNamespace) -> None:
    start = datetime(2018, 4, 10, 9, tzinfo=BEIJING)
    set_clock(lambda: start)
    try:
        act(ledger, yd, 0, "demotion")
        set_clock(lambda: start + timedelta(days=5))  # back-filled five days later
        act(ledger, yd, 1, "removal")
    finally:
        set_clock(None)
    rm = ReadModels(ledger.projector)
    assert rm.action_totals(when=When.of(date(2018, 3, 19)))["actions"] == 0  # not yet decided
    assert rm.action_totals(when=When.of(date(2018, 3, 31)))["actions"] == 2
    known = When.of(date(2018, 3, 31), start + timedelta(days=1))
    assert rm.action_totals(when=known) == {
        "actions": 1,
        "persons": 1,
        "organisations": 0,
        "cases": 0,
    }
    assert len(rm.actions(when=known).items) == 1


def test_the_consequence_rule_takes_the_rating_and_flags_a_unit_at_ten_percent(
    ledger: Ledger, yd: SimpleNamespace, admin: Actor
) -> None:
    act(ledger, yd, 0, "admonition")
    act(ledger, yd, 1, "party_warning")  # 2 of 20 in the bureau: 10%, flagged
    act(ledger, yd, 2, "transfer", unit_id=yd.town)  # 1 of 40 in the township: 2.5%
    rm = ReadModels(ledger.projector)
    rule = rm.consequences(2018)
    assert sorted(p["subject_name"] for p in rule["persons"]) == ["彭某", "李某", "覃某"]
    flags = {u["name"]: (u["persons"], u["headcount"], u["flagged"]) for u in rule["units"]}
    assert flags == {"永定区扶贫办": (2, 20, True), "四都坪乡": (1, 40, False)}
    ledger.record_headcount(admin, yd.bureau, year=2018, headcount=21)  # a later, larger figure
    flags = {u["name"]: u["flagged"] for u in rm.consequences(2018)["units"]}
    assert flags == {"永定区扶贫办": False, "四都坪乡": False}
    assert rm.consequences(2019) == {"year": 2019, "persons": [], "units": []}


def proposed(app: Ledger, w: SimpleNamespace) -> Any:
    return app.propose_action(
        DISCIPLINE, kind="criticism", unit_id=w.bureau, proposed_on="2018-03-05", **ORGANS
    ).id


def nothing(app: Ledger, w: SimpleNamespace) -> None:
    return None


NOBODY = "6f1c2a5e-0000-4000-8000-000000000000"
# (name, prepare, command on what was prepared, error, field)
BAD: list[tuple[str, Any, Any, type[Exception], str]] = [
    (
        "kind not in the list",
        nothing,
        lambda app, w, _: act(app, w, 0, "beheading"),
        InvalidInput,
        "kind",
    ),
    (
        "appeal against an action that does not exist",
        nothing,
        lambda app, w, _: app.appeal_action(
            DISCIPLINE, NOBODY, outcome="upheld", decided_on="2018-05-01"
        ),
        NotFound,
        "action_id",
    ),
    (
        "decision before the proposal",
        proposed,
        lambda app, w, a: app.decide_action(DISCIPLINE, a, decided_on="2018-03-01"),
        InvalidInput,
        "decided_on",
    ),
    (
        "appeal on an undecided action",
        proposed,
        lambda app, w, a: app.appeal_action(
            DISCIPLINE, a, outcome="revoked", decided_on="2018-05-01"
        ),
        InvalidTransition,
        "action_id",
    ),
    (
        "change without a new kind",
        lambda app, w: act(app, w, 0, "demotion"),
        lambda app, w, a: app.appeal_action(
            DISCIPLINE, a, outcome="changed", decided_on="2018-05-01"
        ),
        InvalidInput,
        "kind",
    ),
    (
        "unknown person",
        nothing,
        lambda app, w, _: act(app, w, None, "demotion", person_id=w.case),
        NotFound,
        "person_id",
    ),
    (
        "no deciding organ",
        nothing,
        lambda app, w, _: act(app, w, 0, "demotion", deciding_organ=" "),
        InvalidInput,
        "deciding_organ",
    ),
    (
        "case number missing",
        nothing,
        lambda app, w, _: app.open_case(
            DISCIPLINE, case_no="", title="案", unit_id=w.bureau, opened_on="2018-01-01"
        ),
        InvalidInput,
        "case_no",
    ),
]


@pytest.mark.parametrize(
    ("name", "prepare", "command", "error", "field"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_accountability_input_is_refused_and_records_nothing(
    ledger: Ledger,
    yd: SimpleNamespace,
    snapshot_of: Any,
    name: str,
    prepare: Any,
    command: Any,
    error: Any,
    field: str,
) -> None:
    target = prepare(ledger, yd)
    before = snapshot_of(ledger)
    with pytest.raises(error) as refused:
        command(ledger, yd, target)
    assert refused.value.field == field, name
    assert snapshot_of(ledger) == before


@pytest.mark.parametrize("role", ["inspection_office", "finance", "auditor", "admin"])
def test_only_discipline_records_cases_and_accountability(
    ledger: Ledger, yd: SimpleNamespace, snapshot_of: Any, role: str
) -> None:
    actor = Actor(id="x", name="某人", role=role)
    before = snapshot_of(ledger)
    with pytest.raises(PermissionDenied):
        ledger.propose_action(
            actor, kind="criticism", unit_id=yd.bureau, proposed_on="2018-03-05", **ORGANS
        )
    with pytest.raises(PermissionDenied):
        ledger.open_case(actor, case_no="1", title="案", unit_id=yd.bureau, opened_on="2018-01-01")
    assert snapshot_of(ledger) == before
