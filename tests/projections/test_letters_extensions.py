"""Supervision letters and the deadline-extension register, now and as of any moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.values import Actor
from ledger.projections.queries import QueryError, ReadModels, When

FEEDBACK = date(2018, 3, 1)


def at(day: date, reason: str = "") -> CommandContext:
    return CommandContext(effective_at=day, reason=reason)


def on(day: date, known_at: datetime | None = None) -> When:
    return When.of(day, known_at)


@pytest.fixture
def case(ledger: Ledger, office: Actor, admin: Actor) -> SimpleNamespace:
    """An inspection with two findings: ``slow`` due 30 April, ``other`` due 31 May."""
    unit = ledger.register_unit(admin, name="县扶贫办", level="county").id
    inspection = ledger.open_inspection(
        office,
        kind="provincial_inspection",
        title="省委第二巡视组专项巡视",
        inspecting_body="省委第二巡视组",
        inspected_body="某县县委",
        ctx=at(FEEDBACK),
    ).id
    ledger.deliver_feedback(office, inspection, feedback_date=FEEDBACK, ctx=at(FEEDBACK))

    def record(number: str, deadline: date) -> str:
        fid = ledger.record_finding(
            office,
            inspection,
            category=["产业扶贫", "项目管理"],
            number=number,
            text=f"问题{number}",
            deadline=deadline,
            ctx=at(FEEDBACK),
        ).id
        ledger.assign(office, fid, units=[unit], ctx=at(FEEDBACK))
        return str(fid)

    slow = record("(一)1", date(2018, 4, 30))
    other = record("(一)2", date(2018, 5, 31))
    return SimpleNamespace(
        ledger=ledger, office=office, unit=unit, inspection=str(inspection), slow=slow, other=other
    )


def issue(case: SimpleNamespace, finding: str, no: str, level: str, day: date, **kw: Any) -> None:
    case.ledger.issue_letter(
        case.office, finding, letter_no=no, level=level, ctx=at(day, "进度滞后"), **kw
    )


def answer(case: SimpleNamespace, finding: str, no: str, day: date) -> None:
    case.ledger.answer_letter(case.office, finding, letter_no=no, answer="已整改", ctx=at(day))


def extend(case: SimpleNamespace, finding: str, new: date, day: date, approver: str) -> None:
    case.ledger.extend_deadline(
        case.office, finding, new_deadline=new, approver=approver, ctx=at(day, "汛期施工受阻")
    )


def numbers(letters: list[dict[str, Any]]) -> list[str]:
    return [letter["letter_no"] for letter in letters]


# --- supervision letters ---------------------------------------------------------------


def test_outstanding_letters_are_those_issued_and_not_yet_answered_on_the_day_asked_about(
    case: SimpleNamespace,
) -> None:
    issue(case, case.slow, "督〔2018〕1号", "staff", date(2018, 5, 2), due_date="2018-05-10")
    issue(case, case.slow, "督〔2018〕2号", "deputy", date(2018, 5, 15))
    issue(case, case.other, "督〔2018〕3号", "principal", date(2018, 6, 5))
    answer(case, case.slow, "督〔2018〕1号", date(2018, 5, 8))
    rm = ReadModels(case.ledger.projector)
    assert numbers(rm.letters(when=on(date(2018, 5, 1)))) == []
    assert numbers(rm.letters(when=on(date(2018, 5, 3)))) == ["督〔2018〕1号"]
    assert numbers(rm.letters(when=on(date(2018, 5, 9)))) == []
    assert numbers(rm.letters(when=on(date(2018, 5, 20)))) == ["督〔2018〕2号"]
    assert numbers(rm.letters()) == ["督〔2018〕2号", "督〔2018〕3号"]
    assert rm.letters_by_level() == {"staff": 0, "deputy": 1, "principal": 1}
    assert rm.letters_by_level(on(date(2018, 5, 3))) == {"staff": 1, "deputy": 0, "principal": 0}


def test_a_letter_row_says_who_issued_it_at_what_level_and_whether_its_reply_is_past_due(
    case: SimpleNamespace,
) -> None:
    issue(
        case,
        case.slow,
        "督〔2018〕1号",
        "staff",
        date(2018, 5, 2),
        due_date="2018-05-10",
        addressed_to=case.unit,
    )
    rm = ReadModels(case.ledger.projector)
    (before_due,) = rm.letters(when=on(date(2018, 5, 10)))
    (after_due,) = rm.letters(when=on(date(2018, 5, 11)))
    assert before_due["past_due"] is False and after_due["past_due"] is True
    assert after_due["finding_id"] == case.slow and after_due["number"] == "(一)1"
    assert after_due["inspection_id"] == case.inspection
    assert after_due["addressed_to"] == str(case.unit)
    assert (after_due["level"], after_due["level_label"]) == ("staff", "工作人员督办")
    assert (after_due["issued_on"], after_due["due_date"]) == (date(2018, 5, 2), date(2018, 5, 10))
    assert (after_due["issued_by"], after_due["reason"]) == (case.office.name, "进度滞后")
    assert after_due["outstanding"] is True and after_due["answer"] is None


def test_a_back_filled_answer_counts_as_of_its_date_but_was_not_known_before_it_was_recorded(
    case: SimpleNamespace,
) -> None:
    issue(case, case.slow, "督〔2018〕1号", "deputy", date(2018, 5, 2))
    before_answer = datetime.now(UTC)
    answer(case, case.slow, "督〔2018〕1号", date(2018, 5, 4))
    rm = ReadModels(case.ledger.projector)
    assert rm.letters(when=on(date(2018, 5, 5))) == []
    (then,) = rm.letters(when=on(date(2018, 5, 5), before_answer))
    assert then["outstanding"] is True
    everything = rm.letters(outstanding=False, when=on(date(2018, 5, 5), before_answer))
    assert [(x["letter_no"], x["answered_on"], x["answer"]) for x in everything] == [
        ("督〔2018〕1号", None, None)
    ]
    (known_now,) = rm.letters(outstanding=False, when=on(date(2018, 5, 5)))
    assert (known_now["answered_on"], known_now["answer"]) == (date(2018, 5, 4), "已整改")
    assert known_now["outstanding"] is False
    assert rm.letters_by_level(on(date(2018, 5, 5), before_answer))["deputy"] == 1


def test_letters_filter_by_level_and_inspection_and_unknown_levels_are_refused(
    case: SimpleNamespace,
) -> None:
    issue(case, case.slow, "督〔2018〕1号", "staff", date(2018, 5, 2))
    issue(case, case.other, "督〔2018〕2号", "deputy", date(2018, 5, 3))
    rm = ReadModels(case.ledger.projector)
    assert numbers(rm.letters(level="deputy")) == ["督〔2018〕2号"]
    assert numbers(rm.letters(inspection_id=case.inspection)) == ["督〔2018〕1号", "督〔2018〕2号"]
    assert rm.letters(inspection_id=uuid4()) == []
    assert rm.letters_by_level(inspection_id="no-such-inspection") == {
        "staff": 0,
        "deputy": 0,
        "principal": 0,
    }
    with pytest.raises(QueryError) as refused:
        rm.letters(level="mayor")
    assert refused.value.field == "level"
    assert str(refused.value).startswith("level ") and "督办级别" in str(refused.value)


# --- the deadline-extension register -----------------------------------------------------


def test_the_register_marks_an_extension_made_after_the_deadline_passed_as_late(
    case: SimpleNamespace,
) -> None:
    extend(case, case.slow, date(2018, 6, 30), date(2018, 4, 20), "县长")  # before 30 April
    extend(case, case.slow, date(2018, 9, 30), date(2018, 7, 5), "县委书记")  # after 30 June
    rm = ReadModels(case.ledger.projector)
    first, second = rm.extensions(finding_id=case.slow)
    assert first["original_deadline"] == second["original_deadline"] == date(2018, 4, 30)
    assert (first["previous_deadline"], first["new_deadline"]) == (
        date(2018, 4, 30),
        date(2018, 6, 30),
    )
    assert (second["previous_deadline"], second["new_deadline"]) == (
        date(2018, 6, 30),
        date(2018, 9, 30),
    )
    assert (first["late"], second["late"]) == (False, True)
    assert (first["approver"], second["approver"]) == ("县长", "县委书记")
    assert first["reason"] == "汛期施工受阻" and first["actor"] == case.office.name
    assert first["effective"] == date(2018, 4, 20) and first["number"] == "(一)1"
    assert first["position"] < second["position"]


def test_an_extension_on_the_deadline_day_itself_is_not_late(case: SimpleNamespace) -> None:
    extend(case, case.slow, date(2018, 6, 30), date(2018, 4, 30), "县长")
    (row,) = ReadModels(case.ledger.projector).extensions(finding_id=case.slow)
    assert row["late"] is False


def test_a_back_dated_extension_is_not_late_but_was_recorded_late(
    case: SimpleNamespace, office: Actor
) -> None:
    extend(case, case.slow, date(2018, 6, 30), date(2018, 4, 20), "县长")
    soon = datetime.now(UTC).date() + timedelta(days=30)
    fresh = case.ledger.record_finding(
        office, case.inspection, category=["产业扶贫"], number="(二)1", text="新问题", deadline=soon
    ).id
    case.ledger.extend_deadline(
        office,
        fresh,
        new_deadline=soon + timedelta(days=30),
        approver="县长",
        ctx=CommandContext(reason="需要更多时间"),
    )
    rm = ReadModels(case.ledger.projector)
    (back_dated,) = rm.extensions(finding_id=case.slow)
    (in_time,) = rm.extensions(finding_id=fresh)
    assert (back_dated["late"], back_dated["late_recorded"]) == (False, True)
    assert (in_time["late"], in_time["late_recorded"]) == (False, False)
    assert in_time["recorded_at"] <= datetime.now(UTC)


def test_the_register_as_of_a_moment_holds_only_extensions_in_force_and_known_then(
    case: SimpleNamespace,
) -> None:
    extend(case, case.slow, date(2018, 6, 30), date(2018, 4, 20), "县长")
    between = datetime.now(UTC)
    extend(case, case.other, date(2018, 7, 31), date(2018, 5, 20), "县长")
    rm = ReadModels(case.ledger.projector)

    def findings(when: When | None = None, **kw: Any) -> list[str]:
        return [row["finding_id"] for row in rm.extensions(when=when, **kw)]

    assert findings() == [case.slow, case.other]
    assert findings(on(date(2018, 4, 19))) == []
    assert findings(on(date(2018, 5, 1))) == [case.slow]
    assert findings(on(date(2018, 6, 1), between)) == [case.slow]
    assert findings(inspection_id=case.inspection) == [case.slow, case.other]
    assert findings(finding_id=uuid4()) == findings(inspection_id="nope") == []


def test_the_overdue_list_honours_an_extension_effective_by_the_day_asked_about_only(
    case: SimpleNamespace,
) -> None:
    before_extension = datetime.now(UTC)
    extend(case, case.slow, date(2018, 6, 30), date(2018, 5, 10), "县长")  # 10 days late
    rm = ReadModels(case.ledger.projector)

    def overdue(when: When) -> list[str]:
        return [item["finding_id"] for item in rm.overdue(case.inspection, when=when).items]

    assert overdue(on(date(2018, 4, 30))) == []
    assert overdue(on(date(2018, 5, 5))) == [case.slow]  # extension not yet in force
    assert overdue(on(date(2018, 5, 12))) == []  # in force: due 30 June now
    assert overdue(on(date(2018, 5, 12), before_extension)) == [case.slow]  # not yet known
    assert overdue(on(date(2018, 6, 5))) == [case.other]
    assert overdue(on(date(2018, 7, 1))) == [case.slow, case.other]
    (late,) = rm.overdue(case.inspection, when=on(date(2018, 5, 5))).items
    assert (late["deadline"], late["days_overdue"]) == (date(2018, 4, 30), 5)
