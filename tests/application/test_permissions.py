"""Who may issue which command; a unit acts only on what is assigned to it."""

from __future__ import annotations

import pytest

from ledger.application.context import CommandContext
from ledger.domain import policy
from ledger.domain.errors import InvalidInput, PermissionDenied
from ledger.domain.values import Actor, FindingStatus, Role

WHY = CommandContext(reason="核实后处理")
NOBODY = "00000000-0000-4000-8000-000000000001"

# One call per command of the policy table, with plausible arguments: (ledger, actor, world).
COMMANDS = {
    "open_inspection": lambda app, a, w: app.open_inspection(
        a, kind="tour", title="巡察", inspecting_body="县委巡察组", inspected_body="乡党委"
    ),
    "begin_on_site": lambda app, a, w: app.begin_on_site(a, w.inspection, started_on="2018-10-18"),
    "deliver_feedback": lambda app, a, w: app.deliver_feedback(
        a, w.inspection, feedback_date="2019-02-01"
    ),
    "file_plan": lambda app, a, w: app.file_plan(a, w.inspection, filed_on="2019-03-15"),
    "publish_progress": lambda app, a, w: app.publish_progress(
        a, w.inspection, published_on="2019-05-16"
    ),
    "close_inspection": lambda app, a, w: app.close_inspection(a, w.inspection),
    "record_finding": lambda app, a, w: app.record_finding(
        a, w.inspection, category=["一"], number="1", text="问题"
    ),
    "assign": lambda app, a, w: app.assign(a, w.finding, units=[w.unit_a]),
    "set_deadline": lambda app, a, w: app.set_deadline(a, w.finding, deadline="2019-06-30"),
    "extend_deadline": lambda app, a, w: app.extend_deadline(
        a, w.finding, new_deadline="2019-09-30", approver="主任", ctx=WHY
    ),
    "mark_long_term": lambda app, a, w: app.mark_long_term(a, w.finding),
    "add_measure": lambda app, a, w: app.add_measure(
        a, w.finding, kind="rules", text="建章立制", owner_unit=w.unit_a, long_term=True
    ),
    "report_progress": lambda app, a, w: app.report_progress(a, w.finding, narrative="进展"),
    "claim_completion": lambda app, a, w: app.claim_completion(a, w.finding, summary="完成"),
    "verify": lambda app, a, w: app.verify(a, w.finding),
    "send_back": lambda app, a, w: app.send_back(a, w.finding, ctx=WHY),
    "strike_off": lambda app, a, w: app.strike_off(a, w.finding),
    "issue_letter": lambda app, a, w: app.issue_letter(
        a, w.finding, letter_no="督1号", level="staff"
    ),
    "answer_letter": lambda app, a, w: app.answer_letter(
        a, w.finding, letter_no="督1号", answer="已整改"
    ),
    "correct": lambda app, a, w: app.correct(
        a, w.finding, corrects_version=1, changes={"text": "更正"}, ctx=WHY
    ),
    "register_unit": lambda app, a, w: app.register_unit(a, name="某村", level="village"),
    "rename_unit": lambda app, a, w: app.rename_unit(a, w.unit_a, name="兴安盟乡村振兴局"),
    "record_headcount": lambda app, a, w: app.record_headcount(
        a, w.unit_a, year=2019, headcount=40
    ),
    "register_person": lambda app, a, w: app.register_person(a, name="王明"),
    "take_position": lambda app, a, w: app.take_position(
        a,
        "00000000-0000-4000-8000-000000000000",
        unit_id=w.unit_a,
        title="主任",
        start="2019-01-01",
    ),
    "leave_position": lambda app, a, w: app.leave_position(
        a, "00000000-0000-4000-8000-000000000000", unit_id=w.unit_a, title="主任", end="2019-12-31"
    ),
    **{
        command: lambda app, a, w, command=command, args=args: getattr(app, command)(a, **args)
        for command, args in {
            "open_case": {
                "case_no": "1",
                "title": "案",
                "unit_id": NOBODY,
                "opened_on": "2019-01-01",
            },
            "propose_action": {
                "kind": "criticism",
                "unit_id": NOBODY,
                "proposing_organ": "纪委",
                "deciding_organ": "纪委",
                "implementing_organ": "党组",
                "proposed_on": "2019-01-01",
            },
            "receive_clue": {"kind": "clue", "number": "1", "summary": "线索", "organ": "纪委"},
            "open_fund": {"name": "资金", "year": 2019, "unit_id": NOBODY},
        }.items()
    },
    **{
        command: lambda app, a, w, command=command, args=args: getattr(app, command)(
            a, NOBODY, **args
        )
        for command, args in {
            "close_case": {"closed_on": "2019-02-01", "conclusion": "结案"},
            "decide_action": {"decided_on": "2019-02-01"},
            "carry_out_action": {"carried_out_on": "2019-02-01"},
            "appeal_action": {"outcome": "upheld", "decided_on": "2019-03-01"},
            "assign_clue": {"unit_id": NOBODY, "due_date": "2019-03-01"},
            "urge_clue": {},
            "supervise_clue": {"level": "staff"},
            "transfer_clue": {"to_organ": "信访局"},
            "conclude_clue": {"disposition": "resolve"},
            "open_account": {"kind": "project", "name": "项目"},
            "record_movement": {"kind": "allocation", "outflows": [], "inflows": []},
        }.items()
    },
}
OFFICE_ONLY = [
    "record_finding",
    "assign",
    "set_deadline",
    "extend_deadline",
    "mark_long_term",
    "verify",
    "send_back",
    "strike_off",
    "issue_letter",
    "correct",
    "open_inspection",
    "close_inspection",
]


def refused(ledger, world, actor, snapshot, command, field="role"):
    before = snapshot()
    with pytest.raises(PermissionDenied) as caught:
        COMMANDS[command](ledger, actor, world)
    assert caught.value.field == field, command
    assert snapshot() == before, command
    return caught.value


def test_the_permission_table_covers_every_command_of_the_ledger():
    assert set(COMMANDS) == set(policy.ALLOWED)


def test_unit_reports_progress_and_claims_on_a_finding_assigned_to_it(ledger, world, unit_actor):
    unit = unit_actor(world.unit_a)
    ledger.report_progress(
        unit,
        world.finding,
        narrative="已完成",
        measure_id=world.measure,
        figures=[{"name": "劝返复学", "value": "138", "of_total": "202"}],
    )
    receipt = ledger.claim_completion(unit, world.finding, summary="整改完成")
    finding = ledger.get_finding(world.finding)
    assert finding.status is FindingStatus.CLAIMED
    assert receipt.version == finding.version
    assert ledger.history(world.finding)[-1].envelope.actor.unit == world.unit_a


def test_unit_that_only_owns_a_measure_may_report_on_it(ledger, office, world, unit_actor):
    measure = ledger.add_measure(
        office,
        world.finding,
        kind="elsewhere",
        text="举一反三",
        owner_unit=world.unit_b,
        deadline="2019-05-31",
    ).item_id
    ledger.report_progress(
        unit_actor(world.unit_b), world.finding, narrative="排查完毕", measure_id=measure
    )


def test_unit_cannot_report_progress_on_another_units_finding(
    ledger, world, unit_actor, snapshot, record_other_finding
):
    other = record_other_finding()
    before = snapshot()
    for call in (
        lambda: ledger.report_progress(unit_actor(world.unit_a), other, narrative="越权"),
        lambda: ledger.claim_completion(unit_actor(world.unit_a), other, summary="越权"),
        lambda: ledger.report_progress(unit_actor(world.unit_b), world.finding, narrative="越权"),
    ):
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert caught.value.field == "unit"
        assert "本单位" in caught.value.message
    assert snapshot() == before


def test_unit_is_refused_every_office_only_command(ledger, world, unit_actor, snapshot):
    unit = unit_actor(world.unit_a)
    for command in OFFICE_ONLY:
        error = refused(ledger, world, unit, snapshot, command)
        assert command in error.message


@pytest.mark.parametrize("role", ["auditor", "discipline", "finance"])
def test_read_only_roles_are_refused_every_command(ledger, world, snapshot, role):
    reader = Actor(id=f"{role}-1", name="王审", role=role)
    for command in COMMANDS:
        if reader.role not in policy.ALLOWED[command]:
            refused(ledger, world, reader, snapshot, command)


@pytest.mark.parametrize("role", ["inspection_office", "responsible_unit", "auditor", "admin"])
def test_only_discipline_and_finance_record_clues_cases_actions_and_funds(
    ledger, world, snapshot, role
):
    actor = Actor(id="x-1", name="某人", role=role, unit=world.unit_a)
    money = {"open_fund", "open_account", "record_movement"}
    for command in policy.ALLOWED:
        if policy.ALLOWED[command] <= {Role.DISCIPLINE, Role.FINANCE}:
            refused(ledger, world, actor, snapshot, command)
            expected = {Role.DISCIPLINE, Role.FINANCE} if command in money else {Role.DISCIPLINE}
            assert policy.ALLOWED[command] == expected, command


def test_admin_manages_reference_data_but_cannot_touch_findings(ledger, admin, world, snapshot):
    for command in ("register_unit", "rename_unit", "record_headcount", "register_person"):
        COMMANDS[command](ledger, admin, world)
    assert ledger.get_unit(world.unit_a).headcount == {2019: 40}
    for command in (
        "verify",
        "strike_off",
        "record_finding",
        "open_inspection",
        "correct",
        "report_progress",
    ):
        refused(ledger, world, admin, snapshot, command)


def test_unit_actor_without_a_unit_is_refused(ledger, world, snapshot):
    unbound = Actor(id="unit-x", name="无单位", role="responsible_unit")
    for command in ("report_progress", "claim_completion", "add_measure"):
        error = refused(ledger, world, unbound, snapshot, command, field="unit")
        assert "未绑定" in error.message


def test_a_command_without_an_actor_is_refused(ledger, world, snapshot):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        ledger.report_progress(None, world.finding, narrative="匿名")
    assert caught.value.field == "actor"
    assert snapshot() == before
