"""Clues and petitions on every back end: received → assigned → urged / supervised →
concluded with a disposition; transfers keep both organs' records; links to cases and actions."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from ledger.domain.values import Actor
from ledger.projections.queries import ReadModels, When

DISCIPLINE = Actor(id="disc-1", name="赵纪", role="discipline")
COMMISSION, BUREAU = "永定区纪委监委", "永定区信访局"


def on(day: str) -> CommandContext:
    return CommandContext(effective_at=date.fromisoformat(day))


@pytest.fixture
def cw(ledger: Ledger, admin: Actor) -> SimpleNamespace:
    town = ledger.register_unit(admin, name="四都坪乡", level="township").id
    other = ledger.register_unit(admin, name="王家坪镇", level="township").id

    def receive(n: int, kind: str = "clue", day: str = "2018-03-01") -> Any:
        return ledger.receive_clue(
            DISCIPLINE,
            kind=kind,
            number=f"永纪线〔2018〕{n}号",
            summary="反映危房改造资金被侵占",
            organ=COMMISSION,
            ctx=on(day),
        ).id

    return SimpleNamespace(town=town, other=other, receive=receive)


def test_a_clue_is_received_assigned_urged_supervised_and_concluded(
    ledger: Ledger, cw: SimpleNamespace
) -> None:
    clue = cw.receive(1)
    ledger.assign_clue(
        DISCIPLINE, clue, unit_id=cw.town, due_date="2018-04-30", ctx=on("2018-03-02")
    )
    ledger.urge_clue(DISCIPLINE, clue, note="请加快办理", ctx=on("2018-04-10"))
    ledger.supervise_clue(DISCIPLINE, clue, level="deputy", ctx=on("2018-05-05"))
    ledger.conclude_clue(
        DISCIPLINE, clue, disposition="resolve", summary="已退还", ctx=on("2018-05-20")
    )
    rm = ReadModels(ledger.projector)
    item = rm.clue(clue)
    assert item is not None
    assert (item["status"], item["disposition"], item["urged"], item["level"]) == (
        "concluded",
        "resolve",
        1,
        "deputy",
    )
    may = rm.clue_counts(when=When.of(date(2018, 5, 10)))
    assert (may["received"], may["assigned"], may["concluded"], may["overdue"]) == (1, 1, 0, 1)
    assert rm.clues(overdue=True, when=When.of(date(2018, 5, 10))).items[0]["clue_id"] == str(clue)
    now = rm.clue_counts()
    assert (now["concluded"], now["overdue"], now["by_disposition"]["resolve"]) == (1, 0, 1)
    assert rm.clue_counts(when=When.of(date(2018, 2, 1)))["received"] == 0


def test_counts_by_disposition_unit_and_kind(ledger: Ledger, cw: SimpleNamespace) -> None:
    ways = ["dig_deep", "rectify", "pin_responsibility", "resolve", "clarify", "resolve"]
    for n, way in enumerate(ways, 1):
        clue = cw.receive(n, kind="petition" if n % 2 else "clue")
        ledger.assign_clue(
            DISCIPLINE,
            clue,
            unit_id=cw.town if n < 4 else cw.other,
            due_date="2018-06-30",
            ctx=on("2018-03-02"),
        )
        ledger.conclude_clue(DISCIPLINE, clue, disposition=way)
    cw.receive(99)  # received, not yet assigned
    rm = ReadModels(ledger.projector)
    counts = rm.clue_counts()
    assert (counts["received"], counts["concluded"], counts["open"]) == (7, 6, 1)
    assert counts["by_disposition"] == {
        "dig_deep": 1,
        "rectify": 1,
        "pin_responsibility": 1,
        "resolve": 2,
        "clarify": 1,
    }
    by_unit = {g["key"]: g["concluded"] for g in rm.clue_rollup("unit")}
    assert by_unit == {str(cw.town): 3, str(cw.other): 3, None: 0}
    assert {g["key"]: g["received"] for g in rm.clue_rollup("kind")} == {"clue": 4, "petition": 3}
    assert rm.clue_counts(kind="petition")["concluded"] == 3


def test_a_transfer_keeps_both_organs_records(ledger: Ledger, cw: SimpleNamespace) -> None:
    clue = cw.receive(1, kind="petition")
    ledger.transfer_clue(DISCIPLINE, clue, to_organ=BUREAU, ctx=CommandContext(reason="属信访事项"))
    rm = ReadModels(ledger.projector)
    out = rm.transfers(COMMISSION)
    into = rm.transfers(BUREAU)
    assert [(t["direction"], t["to_organ"]) for t in out] == [("out", BUREAU)]
    assert [(t["direction"], t["from_organ"], t["reason"]) for t in into] == [
        ("in", COMMISSION, "属信访事项")
    ]
    item = rm.clue(clue)
    assert item is not None and (item["received_by"], item["organ"]) == (COMMISSION, BUREAU)
    assert rm.clue_counts(organ=BUREAU)["received"] == 1


def test_a_clue_links_to_the_cases_and_actions_it_led_to(
    ledger: Ledger, cw: SimpleNamespace, admin: Actor
) -> None:
    clue = cw.receive(1)
    case = ledger.open_case(
        DISCIPLINE,
        case_no="立1",
        title="侵占危改资金案",
        unit_id=cw.town,
        opened_on="2018-04-01",
        clue_ids=[clue],
    ).id
    person = ledger.register_person(admin, name="彭某").id
    organs = {
        "proposing_organ": COMMISSION,
        "deciding_organ": COMMISSION,
        "implementing_organ": "乡党委",
    }
    in_case = ledger.propose_action(
        DISCIPLINE,
        kind="party_warning",
        person_id=person,
        unit_id=cw.town,
        proposed_on="2018-04-05",
        case_id=case,
        **organs,
    ).id
    cited = ledger.propose_action(
        DISCIPLINE,
        kind="admonition",
        unit_id=cw.town,
        proposed_on="2018-04-05",
        clues=[clue],
        **organs,
    ).id
    item = ReadModels(ledger.projector).clue(clue)
    assert item is not None
    assert item["cases"] == [str(case)]
    assert item["actions"] == sorted([str(in_case), str(cited)])


BAD: list[tuple[str, Any, type[Exception], str]] = [
    (
        "concluded without a disposition",
        lambda a, w, c: a.conclude_clue(DISCIPLINE, c, disposition=None),
        InvalidInput,
        "disposition",
    ),
    (
        "unknown disposition",
        lambda a, w, c: a.conclude_clue(DISCIPLINE, c, disposition="ignore"),
        InvalidInput,
        "disposition",
    ),
    (
        "urged before assignment",
        lambda a, w, c: a.urge_clue(DISCIPLINE, c),
        InvalidTransition,
        "clue_id",
    ),
    (
        "assigned to an unknown unit",
        lambda a, w, c: a.assign_clue(DISCIPLINE, c, unit_id=c, due_date="2018-05-01"),
        NotFound,
        "unit_id",
    ),
    (
        "due before assignment",
        lambda a, w, c: a.assign_clue(
            DISCIPLINE, c, unit_id=w.town, due_date="2018-01-01", ctx=on("2018-03-02")
        ),
        InvalidInput,
        "due_date",
    ),
    (
        "transfer to itself",
        lambda a, w, c: a.transfer_clue(DISCIPLINE, c, to_organ=COMMISSION),
        InvalidInput,
        "to_organ",
    ),
    (
        "unknown kind",
        lambda a, w, c: a.receive_clue(
            DISCIPLINE, kind="rumour", number="1", summary="x", organ=COMMISSION
        ),
        InvalidInput,
        "kind",
    ),
    (
        "unknown clue",
        lambda a, w, c: a.conclude_clue(DISCIPLINE, w.town, disposition="resolve"),
        NotFound,
        "clue_id",
    ),
]


@pytest.mark.parametrize(("name", "command", "error", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_clue_input_is_refused_and_records_nothing(
    ledger: Ledger,
    cw: SimpleNamespace,
    snapshot_of: Any,
    name: str,
    command: Any,
    error: Any,
    field: str,
) -> None:
    clue = cw.receive(1)
    before = snapshot_of(ledger)
    with pytest.raises(error) as refused:
        command(ledger, cw, clue)
    assert refused.value.field == field, (name, str(refused.value))
    assert snapshot_of(ledger) == before


def test_a_concluded_clue_cannot_be_concluded_again_and_only_discipline_records_clues(
    ledger: Ledger, cw: SimpleNamespace, snapshot_of: Any
) -> None:
    clue = cw.receive(1)
    ledger.conclude_clue(DISCIPLINE, clue, disposition="clarify")
    before = snapshot_of(ledger)
    with pytest.raises(InvalidTransition):
        ledger.conclude_clue(DISCIPLINE, clue, disposition="resolve")
    for role in ("inspection_office", "finance", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            ledger.receive_clue(
                Actor(id="x", name="某", role=role),
                kind="clue",
                number="2",
                summary="s",
                organ=BUREAU,
            )
    assert snapshot_of(ledger) == before
