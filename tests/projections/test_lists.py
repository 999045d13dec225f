"""Finding lists: one finding in full, filtered pages in a stable order, the overdue list."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.values import Actor
from ledger.projections.queries import Page, QueryError, ReadModels, When

FEEDBACK = date(2018, 3, 1)


def at(day: date) -> CommandContext:
    return CommandContext(effective_at=day)


@pytest.fixture
def case(ledger: Ledger, office: Actor, admin: Actor) -> SimpleNamespace:
    """Five findings of one inspection, in this recording order:

    f1 教育扶贫 > 控辍保学, due 30 March, unit A, one measure;
    f2 教育扶贫 > 营养改善, due 30 April, unit B;
    f3 产业扶贫, long-term, units A (lead) and B;
    f4 产业扶贫 > 项目管理, due 15 March, unit B: verified and struck off on 14 March;
    f5 产业扶贫 > 项目管理, due 31 May, unit A: claimed on 1 April.
    """
    a = ledger.register_unit(admin, name="县教育局", level="county").id
    b = ledger.register_unit(admin, name="某镇政府", level="township").id
    inspection = ledger.open_inspection(
        office,
        kind="tour",
        title="县委第一巡察组",
        inspecting_body="县委第一巡察组",
        inspected_body="某县",
        ctx=at(FEEDBACK),
    ).id
    ledger.deliver_feedback(office, inspection, feedback_date=FEEDBACK, ctx=at(FEEDBACK))

    def record(category: list[str], units: list[Any], deadline: Any = None, **kw: Any) -> str:
        number = f"{len(ids) + 1}"
        fid = ledger.record_finding(
            office,
            inspection,
            category=category,
            number=number,
            text=f"问题{number}",
            sources=["巡察反馈意见"],
            deadline=deadline,
            ctx=at(FEEDBACK),
            **kw,
        ).id
        ledger.assign(office, fid, lead_department=units[0], units=units, ctx=at(FEEDBACK))
        ids.append(str(fid))
        return str(fid)

    ids: list[str] = []
    f1 = record(["教育扶贫", "控辍保学"], [a], "2018-03-30")
    ledger.add_measure(
        office, f1, kind="immediate", text="逐户劝返", owner_unit=a, deadline="2018-03-20"
    )
    record(["教育扶贫", "营养改善"], [b], "2018-04-30")
    record(["产业扶贫"], [a, b], long_term=True)
    f4 = record(["产业扶贫", "项目管理"], [b], "2018-03-15")
    complete(ledger, office, f4, date(2018, 3, 14), strike=True)
    f5 = record(["产业扶贫", "项目管理"], [a], "2018-05-31")
    ledger.report_progress(office, f5, narrative="已整改", ctx=at(date(2018, 4, 1)))
    ledger.claim_completion(office, f5, summary="完成", ctx=at(date(2018, 4, 1)))
    return SimpleNamespace(
        ledger=ledger, office=office, a=str(a), b=str(b), inspection=str(inspection), ids=ids
    )


def complete(ledger: Ledger, office: Actor, fid: Any, day: date, strike: bool = False) -> None:
    ledger.report_progress(office, fid, narrative="已整改", ctx=at(day))
    ledger.claim_completion(office, fid, summary="完成", ctx=at(day))
    ledger.verify(office, fid, ctx=at(day))
    if strike:
        ledger.strike_off(office, fid, ctx=at(day))


def names(case: SimpleNamespace, page: Page) -> list[str]:
    """f1 … f5 for the case's findings, in the page's order."""
    return [f"f{case.ids.index(item['finding_id']) + 1}" for item in page.items]


def on(day: date, known_at: datetime | None = None) -> When:
    return When.of(day, known_at)


# --- order and paging ----------------------------------------------------------------------


def test_findings_come_in_recording_order_a_page_at_a_time(case: SimpleNamespace) -> None:
    rm = ReadModels(case.ledger.projector)
    first = rm.findings(case.inspection, limit=2)
    second = rm.findings(case.inspection, limit=2, after=first.next)
    third = rm.findings(case.inspection, limit=2, after=second.next)
    assert [names(case, p) for p in (first, second, third)] == [
        ["f1", "f2"],
        ["f3", "f4"],
        ["f5"],
    ]
    assert third.next is None
    assert rm.findings(case.inspection, limit=5).next is None
    assert names(case, rm.findings()) == ["f1", "f2", "f3", "f4", "f5"]


def test_a_cursor_stays_valid_while_findings_change_and_new_ones_come_last(
    case: SimpleNamespace,
) -> None:
    rm = ReadModels(case.ledger.projector)
    first = rm.findings(case.inspection, status="ongoing", limit=2)
    assert names(case, first) == ["f1", "f2"]
    case.ledger.verify(case.office, case.ids[4])  # f5 leaves the ongoing list
    new = case.ledger.record_finding(
        case.office, case.inspection, category=["教育扶贫"], number="6", text="问题6"
    ).id
    case.ids.append(str(new))
    rest = rm.findings(case.inspection, status="ongoing", limit=2, after=first.next)
    assert names(case, rest) == ["f3", "f6"] and rest.next is None


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "教育扶贫"}, ["f1", "f2"]),
        ({"category": "产业扶贫"}, ["f3", "f4", "f5"]),
        ({"category": "产业扶贫 > 项目管理"}, ["f4", "f5"]),
        ({"category": "产业扶贫>项目管理"}, ["f4", "f5"]),
        ({"category": "项目管理"}, []),
        ({"status": "ongoing"}, ["f1", "f2", "f3", "f5"]),
        ({"status": "claimed"}, ["f5"]),
        ({"status": "verified"}, []),
        ({"status": "struck_off"}, ["f4"]),
        ({"status": "completed"}, ["f4"]),
        ({"long_term": True}, ["f3"]),
        ({"long_term": False}, ["f1", "f2", "f4", "f5"]),
        ({"overdue": True}, ["f1", "f2", "f5"]),
        ({"overdue": False}, ["f3", "f4"]),
        ({"status": "ongoing", "long_term": False, "category": "教育扶贫"}, ["f1", "f2"]),
    ],
)
def test_findings_filter_by_category_status_long_term_and_overdue(
    case: SimpleNamespace, filters: dict[str, Any], expected: list[str]
) -> None:
    rm = ReadModels(case.ledger.projector)
    assert names(case, rm.findings(case.inspection, **filters)) == expected


def test_findings_filter_by_responsible_unit(case: SimpleNamespace) -> None:
    rm = ReadModels(case.ledger.projector)
    assert names(case, rm.findings(unit_id=case.a)) == ["f1", "f3", "f5"]
    assert names(case, rm.findings(unit_id=case.b)) == ["f2", "f3", "f4"]
    assert names(case, rm.findings(unit_id=case.b, status="ongoing")) == ["f2", "f3"]


def test_overdue_is_judged_on_the_day_asked_about(case: SimpleNamespace) -> None:
    rm = ReadModels(case.ledger.projector)
    assert names(case, rm.overdue(when=on(date(2018, 3, 30)))) == []
    assert names(case, rm.overdue(when=on(date(2018, 4, 15)))) == ["f1"]
    assert names(case, rm.overdue(when=on(date(2018, 6, 1)))) == ["f1", "f2", "f5"]
    assert names(case, rm.overdue(unit_id=case.a, when=on(date(2018, 6, 1)))) == ["f1", "f5"]
    page = rm.overdue(when=on(date(2018, 6, 1)), limit=2)
    assert names(case, rm.overdue(when=on(date(2018, 6, 1)), after=page.next)) == ["f5"]
    (f1,) = rm.overdue(when=on(date(2018, 4, 15))).items
    assert (f1["overdue"], f1["days_overdue"], f1["deadline"]) == (True, 16, date(2018, 3, 30))


def test_each_list_holds_exactly_the_findings_its_count_counts(case: SimpleNamespace) -> None:
    rm = ReadModels(case.ledger.projector)
    for when in (on(date(2018, 3, 13)), on(date(2018, 4, 15)), on(date(2018, 6, 1)), None):
        (counts,) = rm.counts(case.inspection, when)

        def size(**filters: Any) -> int:
            return len(rm.findings(case.inspection, when=when, **filters).items)  # noqa: B023

        assert size() == counts.total
        assert size(status="completed") == counts.completed
        assert size(status="ongoing") == counts.ongoing
        assert size(status="claimed") == counts.claimed
        assert size(status="struck_off") == counts.struck_off
        assert size(long_term=True) == counts.long_term
        assert size(overdue=True) == counts.overdue == len(rm.overdue(when=when).items)


# --- as of ------------------------------------------------------------------------------------


def test_lists_as_of_a_day_show_the_status_of_that_day(case: SimpleNamespace) -> None:
    rm = ReadModels(case.ledger.projector)
    assert names(case, rm.findings(status="completed", when=on(date(2018, 3, 13)))) == []
    assert names(case, rm.findings(status="completed", when=on(date(2018, 3, 14)))) == ["f4"]
    assert names(case, rm.findings(status="claimed", when=on(date(2018, 3, 31)))) == []
    assert rm.findings(when=on(date(2018, 2, 28))) == Page([], None)


def test_lists_known_at_a_moment_show_what_the_ledger_showed_then(
    case: SimpleNamespace,
) -> None:
    moment = datetime.now(UTC)
    case.ledger.verify(case.office, case.ids[4], ctx=at(date(2018, 4, 5)))  # back-filled
    rm = ReadModels(case.ledger.projector)
    later = on(date(2018, 4, 10))
    then = on(date(2018, 4, 10), moment)
    assert names(case, rm.findings(status="completed", when=later)) == ["f4", "f5"]
    assert names(case, rm.findings(status="completed", when=then)) == ["f4"]
    assert names(case, rm.findings(status="claimed", when=then)) == ["f5"]
    early = datetime(2001, 1, 1, tzinfo=UTC)
    assert rm.findings(when=on(date(2018, 4, 10), early)).items == []


# --- one finding -----------------------------------------------------------------------------


def test_one_finding_in_full_with_its_measures_and_units(case: SimpleNamespace) -> None:
    rm = ReadModels(case.ledger.projector)
    f1 = rm.finding(case.ids[0])
    assert f1 is not None
    assert (f1["number"], f1["category"], f1["text"]) == ("1", "教育扶贫 > 控辍保学", "问题1")
    assert (f1["category_major"], f1["category_item"]) == ("教育扶贫", "控辍保学")
    assert (f1["sources"], f1["responsible_units"]) == (["巡察反馈意见"], [case.a])
    assert (f1["status"], f1["completed"], f1["long_term"]) == ("ongoing", False, False)
    assert (f1["deadline"], f1["original_deadline"]) == (date(2018, 3, 30), date(2018, 3, 30))
    assert f1["inspection_id"] == case.inspection and f1["lead_department"] == case.a
    assert [(m["text"], m["kind"], m["owner_unit"]) for m in f1["measures"]] == [
        ("逐户劝返", "immediate", case.a)
    ]
    f3 = rm.finding(case.ids[2])
    assert f3 is not None
    assert [(u["name"], u["level"], u["lead"]) for u in f3["units"]] == [
        ("县教育局", "county", True),
        ("某镇政府", "township", False),
    ]


def test_one_finding_as_of_a_day_has_the_status_and_deadline_of_that_day(
    case: SimpleNamespace,
) -> None:
    rm = ReadModels(case.ledger.projector)
    f4 = case.ids[3]
    before = rm.finding(f4, on(date(2018, 3, 13)))
    after = rm.finding(f4, on(date(2018, 3, 14)))
    assert before is not None and after is not None
    assert (before["status"], before["completed"]) == ("ongoing", False)
    assert (after["status"], after["completed"]) == ("struck_off", True)
    assert rm.finding(f4, on(date(2018, 2, 1))) is None  # not yet recorded


def test_unknown_ids_give_empty_answers(case: SimpleNamespace) -> None:
    rm = ReadModels(case.ledger.projector)
    assert rm.finding(uuid4()) is None
    assert rm.finding("not-a-uuid") is None
    assert rm.findings(inspection_id=uuid4()) == Page([], None)
    assert rm.findings(unit_id="nobody") == Page([], None)
    assert rm.overdue(inspection_id="nothing") == Page([], None)


# --- bad input ----------------------------------------------------------------------------------


def cursor(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).decode()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"status": "done"}, "status"),
        ({"status": "已完成"}, "status"),
        ({"after": "!!!"}, "after"),
        ({"after": "bm90IGpzb24"}, "after"),
        ({"after": cursor(b"[1]")}, "after"),
        ({"after": cursor(b'["1", "x"]')}, "after"),
        ({"after": cursor(b'[1, "' + b"x" * 40 + b'"]')}, "after"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "5"}, "limit"),
        ({"long_term": "yes"}, "long_term"),
        ({"overdue": 1}, "overdue"),
    ],
)
def test_bad_arguments_are_refused_with_the_field_named(
    case: SimpleNamespace, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(QueryError) as refused:
        ReadModels(case.ledger.projector).findings(**arguments)
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field} ")  # the message names the field
