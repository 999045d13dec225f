"""The whole matrix of role × endpoint over HTTP, each answer asserted.

Every command is tried by every role on a record prepared so that the
command would succeed: an allowed role gets 2xx, a refused one 403 with
nothing recorded. Every query is tried by every role: responsible units see
only what is assigned to them and no cross-unit registers or rollups.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from ledger.api.routes import accountability, clues, findings, funds, inspections, units
from ledger.domain.policy import ALLOWED
from ledger.domain.values import Actor, Role

ROLES = ["office", "unit", "other_unit", "discipline", "finance", "auditor", "admin"]
OFFICE = Actor(id="office-1", name="张伟", role="inspection_office")
ADMIN = Actor(id="admin-1", name="李静", role="admin")
Prepared = tuple[str, dict[str, Any]]


def _inspection(w: SimpleNamespace, *steps: str) -> str:
    app = w.ledger
    i = app.open_inspection(
        OFFICE, kind="tour", title="巡察", inspecting_body="县委巡察组", inspected_body="某乡党委"
    ).id
    moves = {
        "on_site": lambda: app.begin_on_site(OFFICE, i, started_on="2019-01-02"),
        "feedback": lambda: app.deliver_feedback(OFFICE, i, feedback_date="2019-02-01"),
        "plan": lambda: app.file_plan(OFFICE, i, filed_on="2019-03-01"),
    }
    for step in steps:
        moves[step]()
    return str(i)


def _finding(w: SimpleNamespace, *steps: str, deadline: str | None = "2019-06-10") -> str:
    app = w.ledger
    f = app.record_finding(
        OFFICE,
        w.inspection,
        category=["一、类别"],
        number="1",
        text="问题",
        deadline=deadline,
        long_term=deadline is None,
    ).id
    app.assign(OFFICE, f, lead_department=w.unit_a, units=[w.unit_a])
    moves = {
        "report": lambda: app.report_progress(OFFICE, f, narrative="进展"),
        "claim": lambda: app.claim_completion(OFFICE, f, summary="完成"),
        "verify": lambda: app.verify(OFFICE, f),
        "letter": lambda: app.issue_letter(
            OFFICE, f, letter_no="督-1", level="staff", addressed_to=w.unit_a
        ),
    }
    for step in steps:
        moves[step]()
    return str(f)


def _person(w: SimpleNamespace, *, seated: bool) -> str:
    p = w.ledger.register_person(ADMIN, name="刘强").id
    if seated:
        w.ledger.take_position(ADMIN, p, unit_id=w.unit_a, title="主任", start="2019-01-01")
    return str(p)


def _unit(w: SimpleNamespace) -> str:
    return str(w.ledger.register_unit(ADMIN, name="某单位", level="county").id)


PREPARE: dict[str, Callable[[SimpleNamespace], Prepared]] = {
    "open_inspection": lambda w: (
        "/inspections",
        {"kind": "audit", "title": "审计", "inspecting_body": "审计厅", "inspected_body": "某局"},
    ),
    "begin_on_site": lambda w: (
        f"/inspections/{_inspection(w)}/on-site",
        {"started_on": "2019-01-02"},
    ),
    "deliver_feedback": lambda w: (
        f"/inspections/{_inspection(w, 'on_site')}/feedback",
        {"feedback_date": "2019-02-01"},
    ),
    "file_plan": lambda w: (
        f"/inspections/{_inspection(w, 'on_site', 'feedback')}/plan",
        {"filed_on": "2019-03-01"},
    ),
    "publish_progress": lambda w: (
        f"/inspections/{_inspection(w, 'on_site', 'feedback', 'plan')}/progress-reports",
        {"published_on": "2019-06-01"},
    ),
    "close_inspection": lambda w: (
        f"/inspections/{_inspection(w, 'on_site', 'feedback', 'plan')}/close",
        {},
    ),
    "record_finding": lambda w: (
        f"/inspections/{w.inspection}/findings",
        {"category": ["一、类别"], "number": "9", "text": "问题", "deadline": "2019-06-10"},
    ),
    "assign": lambda w: (
        f"/findings/{_finding(w)}/assignment",
        {"lead_department": str(w.unit_a), "units": [str(w.unit_a)]},
    ),
    "set_deadline": lambda w: (
        f"/findings/{_finding(w, deadline=None)}/deadline",
        {"deadline": "2019-06-10"},
    ),
    "extend_deadline": lambda w: (
        f"/findings/{_finding(w)}/deadline-extensions",
        {"new_deadline": "2019-09-30", "approver": "党委", "reason": "跨年度"},
    ),
    "mark_long_term": lambda w: (f"/findings/{_finding(w)}/long-term", {}),
    "add_measure": lambda w: (
        f"/findings/{_finding(w)}/measures",
        {"kind": "rules", "text": "建章立制", "owner_unit": str(w.unit_a), "long_term": True},
    ),
    "report_progress": lambda w: (f"/findings/{_finding(w)}/progress", {"narrative": "进展"}),
    "claim_completion": lambda w: (f"/findings/{_finding(w, 'report')}/claim", {"summary": "完成"}),
    "verify": lambda w: (f"/findings/{_finding(w, 'report', 'claim')}/verification", {}),
    "send_back": lambda w: (
        f"/findings/{_finding(w, 'report', 'claim')}/send-back",
        {"reason": "佐证不足"},
    ),
    "strike_off": lambda w: (
        f"/findings/{_finding(w, 'report', 'claim', 'verify')}/strike-off",
        {},
    ),
    "issue_letter": lambda w: (
        f"/findings/{_finding(w)}/letters",
        {"letter_no": "督-2", "level": "deputy"},
    ),
    "answer_letter": lambda w: (
        f"/findings/{_finding(w, 'letter')}/letter-answers",
        {"letter_no": "督-1", "answer": "已整改"},
    ),
    "correct": lambda w: (
        f"/findings/{_finding(w)}/corrections",
        {"corrects_version": 1, "changes": {"text": "更正后的问题"}, "reason": "笔误"},
    ),
    "register_unit": lambda w: ("/units", {"name": "新单位", "level": "county"}),
    "rename_unit": lambda w: (f"/units/{_unit(w)}/name", {"name": "赤峰市乡村振兴局"}),
    "record_headcount": lambda w: (f"/units/{_unit(w)}/headcount", {"year": 2019, "headcount": 40}),
    "register_person": lambda w: ("/people", {"name": "刘强"}),
    "take_position": lambda w: (
        f"/people/{_person(w, seated=False)}/positions",
        {"unit_id": str(w.unit_a), "title": "主任", "start": "2019-01-01"},
    ),
    "leave_position": lambda w: (
        f"/people/{_person(w, seated=True)}/departures",
        {"unit_id": str(w.unit_a), "title": "主任", "end": "2019-12-31"},
    ),
}
DISC = Actor(id="disc-9", name="纪检", role="discipline")
ORGANS = {"proposing_organ": "纪委", "deciding_organ": "纪委常委会", "implementing_organ": "党组"}


def _case(w: SimpleNamespace) -> str:
    app = w.ledger
    return str(
        app.open_case(DISC, case_no="立1", title="案", unit_id=w.unit_a, opened_on="2019-01-01").id
    )


def _action(w: SimpleNamespace, decided: bool = False) -> str:
    app = w.ledger
    a = app.propose_action(
        DISC, kind="admonition", unit_id=w.unit_a, proposed_on="2019-01-05", **ORGANS
    ).id
    if decided:
        app.decide_action(DISC, a, decided_on="2019-01-10")
    return str(a)


def _clue(w: SimpleNamespace, assigned: bool = False) -> str:
    app = w.ledger
    c = app.receive_clue(DISC, kind="clue", number="线1", summary="反映问题", organ="纪委").id
    if assigned:
        app.assign_clue(DISC, c, unit_id=w.unit_a, due_date="2099-01-01")
    return str(c)


def _fund(w: SimpleNamespace) -> tuple[str, dict[str, Any]]:
    app = w.ledger
    f = app.open_fund(DISC, name="专项资金", year=2019, unit_id=w.unit_a).id
    holder = app.open_account(DISC, f, kind="holder", name="专户", unit_id=w.unit_a).item_id
    source = next(a for a, k in app.get_fund(f).accounts.items() if k.value == "source")
    legs = {"outflows": [{"account_id": str(source), "amount": "100.00"}]}
    return str(f), {**legs, "inflows": [{"account_id": str(holder), "amount": "100.00"}]}


def _movement(w: SimpleNamespace) -> Prepared:
    fund, legs = _fund(w)
    return f"/funds/{fund}/movements", {"kind": "allocation", **legs}


PREPARE.update(
    {
        "open_case": lambda w: (
            "/cases",
            {"case_no": "立2", "title": "案", "unit_id": str(w.unit_a), "opened_on": "2019-01-01"},
        ),
        "close_case": lambda w: (
            f"/cases/{_case(w)}/closure",
            {"closed_on": "2019-03-01", "conclusion": "结案"},
        ),
        "propose_action": lambda w: (
            "/actions",
            {"kind": "removal", "unit_id": str(w.unit_a), "proposed_on": "2019-01-05", **ORGANS},
        ),
        "decide_action": lambda w: (
            f"/actions/{_action(w)}/decision",
            {"decided_on": "2019-01-10"},
        ),
        "carry_out_action": lambda w: (
            f"/actions/{_action(w, decided=True)}/execution",
            {"carried_out_on": "2019-01-20"},
        ),
        "appeal_action": lambda w: (
            f"/actions/{_action(w, decided=True)}/appeals",
            {"outcome": "upheld", "decided_on": "2019-02-01"},
        ),
        "receive_clue": lambda w: (
            "/clues",
            {"kind": "petition", "number": "信1", "summary": "反映", "organ": "信访局"},
        ),
        "assign_clue": lambda w: (
            f"/clues/{_clue(w)}/assignment",
            {"unit_id": str(w.unit_a), "due_date": "2099-01-01"},
        ),
        "urge_clue": lambda w: (f"/clues/{_clue(w, assigned=True)}/urgings", {"note": "请加快"}),
        "supervise_clue": lambda w: (
            f"/clues/{_clue(w, assigned=True)}/supervision",
            {"level": "staff"},
        ),
        "transfer_clue": lambda w: (f"/clues/{_clue(w)}/transfers", {"to_organ": "信访局"}),
        "conclude_clue": lambda w: (f"/clues/{_clue(w)}/conclusion", {"disposition": "clarify"}),
        "open_fund": lambda w: (
            "/funds",
            {"name": "资金", "year": 2019, "unit_id": str(w.unit_a)},
        ),
        "open_account": lambda w: (
            f"/funds/{_fund(w)[0]}/accounts",
            {"kind": "project", "name": "项目"},
        ),
        "record_movement": _movement,
    }
)
MODULES = (inspections, findings, units, accountability, clues, funds)
ROUTED = [c.method for m in MODULES for c in m.COMMANDS]


def may(role: str, command: str) -> bool:
    """What DOMAIN.md's roles allow: the policy table, and a unit only on its own findings."""
    actor_role = {"unit": Role.RESPONSIBLE_UNIT, "other_unit": Role.RESPONSIBLE_UNIT}.get(role)
    allowed = ALLOWED[command]
    if actor_role is not None:
        return role == "unit" and Role.RESPONSIBLE_UNIT in allowed
    return Role(_role_value(role)) in allowed


def _role_value(role: str) -> str:
    return {"office": "inspection_office"}.get(role, role)


def test_the_matrix_covers_every_command_route() -> None:
    assert sorted(PREPARE) == sorted(ROUTED)
    assert sorted(ROUTED) == sorted(ALLOWED)


@pytest.mark.parametrize("command", sorted(PREPARE))
def test_every_role_on_every_command(
    sqlite_world: SimpleNamespace, snapshot_of, command: str
) -> None:
    w = sqlite_world
    for role in ROLES:
        path, body = PREPARE[command](w)
        before = snapshot_of(w.ledger)
        answer = w.http[role].post(path, json=body)
        if may(role, command):
            assert answer.status_code in (200, 201), (role, command, answer.text)
        else:
            assert answer.status_code == 403, (role, command, answer.text)
            assert answer.json()["error"] == "permission_denied"
            assert snapshot_of(w.ledger) == before, (role, command)


def test_no_route_deletes_or_edits_an_event(sqlite_world: SimpleNamespace) -> None:
    paths = sqlite_world.server.app.openapi()["paths"]
    methods = {m for operations in paths.values() for m in operations}
    assert methods == {"get", "post"}
    for role in ROLES:
        client = sqlite_world.http[role]
        f = f"/findings/{sqlite_world.finding}"
        assert client.delete(f).status_code == 405
        assert client.put(f, json={}).status_code == 405
        assert client.patch(f, json={}).status_code == 405


READERS = ["office", "discipline", "finance", "auditor", "admin"]


def test_every_role_reads_the_counts(sqlite_world: SimpleNamespace) -> None:
    w = sqlite_world
    for role in ROLES:
        assert w.http[role].get("/inspections").status_code == 200, role
        assert w.http[role].get(f"/inspections/{w.inspection}").status_code == 200, role


@pytest.mark.parametrize("path", ["/extensions", "/letters", "/letters/by-level", "rollups"])
def test_registers_and_rollups_are_not_for_units(sqlite_world: SimpleNamespace, path: str) -> None:
    w = sqlite_world
    if path == "rollups":
        path = f"/inspections/{w.inspection}/rollups?by=unit"
    for role in ROLES:
        expected = 403 if role in ("unit", "other_unit") else 200
        assert w.http[role].get(path).status_code == expected, (role, path)


def test_a_unit_sees_only_findings_assigned_to_it(sqlite_world: SimpleNamespace) -> None:
    w = sqlite_world
    office = w.http["office"]
    other = office.post(
        f"/inspections/{w.inspection}/findings",
        json={"category": ["一、类别"], "number": "2", "text": "另一单位的问题", "long_term": True},
    ).json()["id"]
    office.post(f"/findings/{other}/assignment", json={"units": [str(w.unit_b)]})
    mine = [f["finding_id"] for f in w.http["unit"].get("/findings").json()["items"]]
    theirs = [f["finding_id"] for f in w.http["other_unit"].get("/findings").json()["items"]]
    everything = [f["finding_id"] for f in office.get("/findings").json()["items"]]
    assert mine == [str(w.finding)]
    assert theirs == [other]
    assert sorted(everything) == sorted([str(w.finding), other])
    assert w.http["unit"].get(f"/findings/{w.finding}").status_code == 200
    assert w.http["unit"].get(f"/findings/{other}").status_code == 403
    assert w.http["unit"].get(f"/findings?unit_id={w.unit_b}").status_code == 403
    assert w.http["unit"].get(f"/overdue?unit_id={w.unit_b}").status_code == 403
    for role in READERS:
        assert w.http[role].get(f"/findings/{other}").status_code == 200, role


def test_names_of_people_under_investigation_are_for_discipline_and_auditors_only(
    sqlite_world: SimpleNamespace,
) -> None:
    w = sqlite_world
    admin = Actor(id="admin-1", name="李静", role="admin")
    person = w.ledger.register_person(admin, name="覃某").id
    action = w.ledger.propose_action(
        DISC,
        kind="demotion",
        person_id=person,
        unit_id=w.unit_a,
        proposed_on="2019-01-05",
        **ORGANS,
    ).id
    w.ledger.decide_action(DISC, action, decided_on="2019-01-10")
    for role in ROLES:
        listed = w.http[role].get("/accountability/actions")
        rule = w.http[role].get("/accountability/consequences?year=2019")
        totals = w.http[role].get("/accountability/totals?year=2019")
        assert totals.status_code == 200 and totals.json()["persons"] == 1, role
        if role in ("unit", "other_unit"):
            assert (listed.status_code, rule.status_code) == (403, 403), role
            continue
        names = {x["subject_name"] for x in listed.json()["items"]}
        held = {x["subject_name"] for x in rule.json()["persons"]}
        expected = {"覃某"} if role in ("discipline", "auditor") else {None}
        assert (names, held) == (expected, expected), role
