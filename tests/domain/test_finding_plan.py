"""A finding's plan: responsibility, deadlines and extensions, long-term flag, measures."""

from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

import pytest

from ledger.domain.errors import InvalidInput, InvalidTransition, NotFound
from ledger.domain.finding import Finding
from ledger.domain.values import MeasureKind

FEEDBACK = date(2019, 1, 18)
DEADLINE = date(2019, 6, 10)


def refused(finding, error, call, *, field, words=()):
    """Assert ``call`` is refused with ``error`` naming ``field``, recording nothing."""
    finding.collect_events()
    version = finding.version
    with pytest.raises(error) as caught:
        call()
    assert caught.value.field == field
    if field:
        assert str(caught.value).startswith(f"{field}: ")
    for word in words:
        assert word in caught.value.message
    assert finding.collect_events() == []
    assert finding.version == version
    return caught.value


def verified(finding, env):
    finding.report_progress(env(), report_id=uuid4(), narrative="已完成")
    finding.claim_completion(env(), "已完成")
    finding.verify(env())


# --- responsibility ---------------------------------------------------------------------


def test_office_assigns_leader_lead_department_and_units(finding, env):
    lead, other = uuid4(), uuid4()
    finding.assign(
        env(), responsible_leader="自治区副主席", lead_department=lead, units=[lead, other]
    )
    assert finding.responsible_leader == "自治区副主席"
    assert finding.lead_department == lead
    assert finding.responsible_units == [lead, other]
    assert finding.is_assigned_to(other)
    assert not finding.is_assigned_to(uuid4())
    assert not finding.is_assigned_to(None)


def test_assignment_needs_at_least_one_unit(finding, env):
    refused(
        finding,
        InvalidInput,
        lambda: finding.assign(env(), responsible_leader="", lead_department=None, units=[]),
        field="responsible_units",
    )


def test_assignment_refuses_the_same_unit_twice(finding, env):
    unit = uuid4()
    refused(
        finding,
        InvalidInput,
        lambda: finding.assign(
            env(), responsible_leader="", lead_department=None, units=[unit, str(unit)]
        ),
        field="responsible_units",
        words=("重复",),
    )


def test_assignment_refuses_a_malformed_unit_id(finding, env):
    refused(
        finding,
        InvalidInput,
        lambda: finding.assign(env(), responsible_leader="", lead_department=None, units=["x"]),
        field="responsible_units[0]",
    )


def test_a_verified_finding_cannot_be_reassigned(finding, env):
    verified(finding, env)
    refused(
        finding,
        InvalidTransition,
        lambda: finding.assign(env(), responsible_leader="", lead_department=None, units=[uuid4()]),
        field=None,
        words=("assign", "已验收"),
    )


# --- deadlines ------------------------------------------------------------------------


def test_office_sets_a_first_deadline_on_a_finding_without_one(make_finding, env):
    finding = make_finding(deadline=None)
    finding.set_deadline(env(), "2019-06-30")
    assert finding.deadline == finding.original_deadline == date(2019, 6, 30)


def test_office_cannot_set_a_deadline_twice(finding, env):
    refused(
        finding,
        InvalidTransition,
        lambda: finding.set_deadline(env(), date(2019, 7, 1)),
        field="deadline",
        words=("延期",),
    )


def test_a_deadline_cannot_precede_the_feedback_date_when_recorded(make_finding):
    with pytest.raises(InvalidInput) as caught:
        make_finding(deadline=date(2019, 1, 17))
    assert caught.value.field == "deadline"
    assert "2019-01-17" in caught.value.message and "2019-01-18" in caught.value.message


def test_a_deadline_cannot_precede_the_feedback_date_when_set(make_finding, env):
    finding = make_finding(deadline=None)
    finding.collect_events()
    refused(
        finding,
        InvalidInput,
        lambda: finding.set_deadline(env(), "2018-12-31"),
        field="deadline",
        words=("反馈日期",),
    )


def test_a_deadline_on_the_feedback_day_is_accepted(make_finding):
    assert make_finding(deadline=FEEDBACK).deadline == FEEDBACK


def test_a_deadline_given_as_a_datetime_is_refused_or_taken_as_its_date(make_finding):
    # A datetime is a date subclass; it must not leak a TypeError or a ValidationError.
    try:
        finding = make_finding(deadline=datetime(2019, 6, 10, 12, 0))
    except InvalidInput as refused_:
        assert refused_.field == "deadline"
    else:
        assert finding.deadline == DEADLINE


def test_office_extends_a_deadline_and_the_old_one_stays_in_history(finding, env):
    finding.extend_deadline(
        env("易地扶贫搬迁项目受汛期影响"), new_deadline="2019-09-30", approver="自治区扶贫办主任"
    )
    finding.extend_deadline(env("再次延期"), new_deadline=date(2019, 12, 31), approver="分管副主席")
    assert finding.deadline == date(2019, 12, 31)
    assert finding.original_deadline == DEADLINE
    assert [(x.previous, x.new, x.approver, x.reason) for x in finding.extensions] == [
        (DEADLINE, date(2019, 9, 30), "自治区扶贫办主任", "易地扶贫搬迁项目受汛期影响"),
        (date(2019, 9, 30), date(2019, 12, 31), "分管副主席", "再次延期"),
    ]
    first, _ = finding.collect_events()
    assert isinstance(first, Finding.DeadlineExtended)
    assert (first.previous_deadline, first.new_deadline) == (DEADLINE, date(2019, 9, 30))


@pytest.mark.parametrize("reason", ["", "  "])
def test_office_cannot_extend_a_deadline_without_a_reason(finding, env, reason):
    refused(
        finding,
        InvalidInput,
        lambda: finding.extend_deadline(env(reason), new_deadline="2019-09-30", approver="主任"),
        field="reason",
        words=("理由",),
    )


@pytest.mark.parametrize("approver", ["", "   ", None])
def test_office_cannot_extend_a_deadline_without_an_approver(finding, env, approver):
    refused(
        finding,
        InvalidInput,
        lambda: finding.extend_deadline(env("汛期"), new_deadline="2019-09-30", approver=approver),
        field="approver",
    )


@pytest.mark.parametrize("new_deadline", ["2019-06-01", "2019-06-10"])
def test_office_cannot_extend_to_an_earlier_or_equal_date(finding, env, new_deadline):
    refused(
        finding,
        InvalidInput,
        lambda: finding.extend_deadline(env("汛期"), new_deadline=new_deadline, approver="主任"),
        field="new_deadline",
        words=(new_deadline, "2019-06-10"),
    )


def test_office_cannot_extend_a_finding_that_has_no_deadline(make_finding, env):
    finding = make_finding(deadline=None, long_term=True)
    refused(
        finding,
        InvalidTransition,
        lambda: finding.extend_deadline(env("汛期"), new_deadline="2019-09-30", approver="主任"),
        field="new_deadline",
        words=("尚未设定",),
    )


def test_office_cannot_extend_the_deadline_of_a_verified_finding(finding, env):
    verified(finding, env)
    refused(
        finding,
        InvalidTransition,
        lambda: finding.extend_deadline(env("汛期"), new_deadline="2019-09-30", approver="主任"),
        field=None,
        words=("extend_deadline",),
    )


# --- long-term flag -----------------------------------------------------------------------


def test_office_marks_and_clears_the_long_term_flag(finding, env):
    finding.mark_long_term(env(), True)
    assert finding.long_term
    finding.mark_long_term(env(), False)
    assert not finding.long_term
    assert [type(e) for e in finding.collect_events()] == [Finding.LongTermMarked] * 2


def test_office_cannot_mark_long_term_twice(finding, env):
    finding.mark_long_term(env(), True)
    refused(
        finding,
        InvalidTransition,
        lambda: finding.mark_long_term(env(), True),
        field="long_term",
        words=("已是",),
    )


def test_office_cannot_clear_a_long_term_flag_that_was_never_set(finding, env):
    refused(
        finding, InvalidTransition, lambda: finding.mark_long_term(env(), False), field="long_term"
    )


def test_long_term_flag_must_be_a_boolean(finding, env):
    refused(finding, InvalidInput, lambda: finding.mark_long_term(env(), "yes"), field="long_term")


def test_long_term_flag_cannot_change_once_struck_off(finding, env):
    verified(finding, env)
    finding.strike_off(env())
    refused(finding, InvalidTransition, lambda: finding.mark_long_term(env(), True), field=None)


# --- measures ---------------------------------------------------------------------------


def test_office_adds_measures_of_each_kind(finding, env):
    owner = uuid4()
    ids = []
    for kind in MeasureKind:
        ids.append(uuid4())
        finding.add_measure(
            env(),
            measure_id=ids[-1],
            kind=kind.value,
            text=f"{kind.label}措施",
            owner_unit=owner,
            deadline="2019-05-31",
        )
    finding.add_measure(
        env(),
        measure_id=uuid4(),
        kind="rules",
        text="建立长效机制",
        owner_unit=str(owner),
        long_term=True,
    )
    assert [finding.measures[i].kind for i in ids] == list(MeasureKind)
    assert sum(m.long_term for m in finding.measures.values()) == 1
    assert finding.is_assigned_to(owner)


def test_a_measure_deadline_cannot_precede_the_feedback_date(finding, env):
    refused(
        finding,
        InvalidInput,
        lambda: finding.add_measure(
            env(),
            measure_id=uuid4(),
            kind="immediate",
            text="立即整改",
            owner_unit=uuid4(),
            deadline="2019-01-01",
        ),
        field="deadline",
        words=("反馈日期",),
    )


def test_a_measure_needs_a_deadline_or_the_long_term_flag(finding, env):
    refused(
        finding,
        InvalidInput,
        lambda: finding.add_measure(
            env(), measure_id=uuid4(), kind="immediate", text="立即整改", owner_unit=uuid4()
        ),
        field="deadline",
        words=("长期坚持",),
    )


def test_a_measure_of_unknown_kind_is_refused_with_the_choices(finding, env):
    error = refused(
        finding,
        InvalidInput,
        lambda: finding.add_measure(
            env(),
            measure_id=uuid4(),
            kind="someday",
            text="以后再说",
            owner_unit=uuid4(),
            deadline=DEADLINE,
        ),
        field="kind",
    )
    assert "someday" in error.message and "immediate" in error.message


def test_a_measure_long_term_flag_must_be_a_boolean(finding, env):
    # Finding.record and mark_long_term refuse non-booleans; "false" must not become True.
    refused(
        finding,
        InvalidInput,
        lambda: finding.add_measure(
            env(),
            measure_id=uuid4(),
            kind="rules",
            text="建章立制",
            owner_unit=uuid4(),
            long_term="false",
        ),
        field="long_term",
    )


def test_progress_on_an_unknown_measure_is_refused(finding, env):
    refused(
        finding,
        NotFound,
        lambda: finding.report_progress(
            env(), report_id=uuid4(), narrative="进展", measure_id=uuid4()
        ),
        field="measure_id",
    )


def test_progress_on_a_measure_is_linked_to_it(finding, env):
    measure, report = uuid4(), uuid4()
    finding.add_measure(
        env(),
        measure_id=measure,
        kind="immediate",
        text="劝返复学",
        owner_unit=uuid4(),
        deadline=DEADLINE,
    )
    finding.report_progress(env(), report_id=report, narrative="劝返138人", measure_id=str(measure))
    assert finding.reports[report].measure_id == measure
