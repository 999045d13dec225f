"""Rollups: the published counts by category, item, responsible unit and unit level."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo
from ledger.domain.values import Actor
from ledger.projections.queries import QueryError, ReadModels, When

FEEDBACK = date(2018, 3, 1)
FIGURES = ("total", "completed", "ongoing", "long_term", "overdue", "claimed", "struck_off")


def at(day: date, reason: str = "") -> CommandContext:
    return CommandContext(effective_at=day, reason=reason)


@pytest.fixture
def case(ledger: Ledger, office: Actor, admin: Actor) -> SimpleNamespace:
    """Five findings: f1 教育扶贫 > 控辍保学 (教育局, due 30 March); f2 教育扶贫 > 营养改善
    (教育局 and 某镇, due 30 April); f3 产业扶贫 > 项目管理 (农业局 and 教育局, long-term);
    f4 产业扶贫 > 项目管理 (农业局, due 15 March, verified 14 March); f5 产业扶贫
    (not assigned, due 31 May)."""
    units = {
        name: ledger.register_unit(admin, name=name, level=level).id
        for name, level in (("县教育局", "county"), ("县农业局", "county"), ("某镇", "township"))
    }
    inspection = ledger.open_inspection(
        office,
        kind="tour",
        title="县委第二巡察组",
        inspecting_body="县委第二巡察组",
        inspected_body="某县",
        ctx=at(FEEDBACK),
    ).id
    ledger.deliver_feedback(office, inspection, feedback_date=FEEDBACK, ctx=at(FEEDBACK))
    ids: list[Any] = []
    for category, names, deadline, long_term in (
        (["教育扶贫", "控辍保学"], ["县教育局"], "2018-03-30", False),
        (["教育扶贫", "营养改善"], ["县教育局", "某镇"], "2018-04-30", False),
        (["产业扶贫", "项目管理"], ["县农业局", "县教育局"], None, True),
        (["产业扶贫", "项目管理"], ["县农业局"], "2018-03-15", False),
        (["产业扶贫"], [], "2018-05-31", False),
    ):
        fid = ledger.record_finding(
            office,
            inspection,
            category=category,
            number=str(len(ids) + 1),
            text="问题",
            deadline=deadline,
            long_term=long_term,
            ctx=at(FEEDBACK),
        ).id
        if names:
            ledger.assign(office, fid, units=[units[n] for n in names], ctx=at(FEEDBACK))
        ids.append(fid)
    day = at(date(2018, 3, 14))
    ledger.report_progress(office, ids[3], narrative="已整改", ctx=day)
    ledger.claim_completion(office, ids[3], summary="完成", ctx=day)
    ledger.verify(office, ids[3], ctx=day)
    return SimpleNamespace(
        ledger=ledger, office=office, inspection=str(inspection), ids=ids, units=units
    )


def table(rows: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return [(*(row[k] for k in keys), *(row[f] for f in FIGURES)) for row in rows]


def on(day: date) -> When:
    return When.of(day)


def test_rollup_by_category_in_document_order(case: SimpleNamespace) -> None:
    rows = ReadModels(case.ledger.projector).rollup("category", case.inspection)
    assert table(rows, "category") == [
        ("教育扶贫", 2, 0, 2, 0, 2, 0, 0),
        ("产业扶贫", 3, 1, 2, 1, 1, 0, 0),
    ]


def test_rollup_by_item_splits_each_category(case: SimpleNamespace) -> None:
    rows = ReadModels(case.ledger.projector).rollup("item", case.inspection, on(date(2018, 3, 20)))
    assert table(rows, "category", "item") == [
        ("教育扶贫", "控辍保学", 1, 0, 1, 0, 0, 0, 0),
        ("教育扶贫", "营养改善", 1, 0, 1, 0, 0, 0, 0),
        ("产业扶贫", "项目管理", 2, 1, 1, 1, 0, 0, 0),
        ("产业扶贫", "", 1, 0, 1, 0, 0, 0, 0),
    ]


def test_rollup_by_unit_counts_a_finding_under_each_of_its_units(case: SimpleNamespace) -> None:
    rows = ReadModels(case.ledger.projector).rollup("unit", case.inspection)
    education, farming, town = (str(case.units[n]) for n in ("县教育局", "县农业局", "某镇"))
    assert table(rows, "unit_id", "name", "level") == [
        (education, "县教育局", "county", 3, 0, 3, 1, 2, 0, 0),
        (town, "某镇", "township", 1, 0, 1, 0, 1, 0, 0),
        (farming, "县农业局", "county", 2, 1, 1, 1, 0, 0, 0),
        (None, None, None, 1, 0, 1, 0, 1, 0, 0),
    ]


def test_rollup_by_level_counts_a_finding_once_per_level(case: SimpleNamespace) -> None:
    rows = ReadModels(case.ledger.projector).rollup("level", case.inspection)
    assert table(rows, "level", "label") == [
        ("county", "县/旗县", 4, 1, 3, 1, 2, 0, 0),
        ("township", "乡镇/苏木", 1, 0, 1, 0, 1, 0, 0),
        (None, None, 1, 0, 1, 0, 1, 0, 0),
    ]


def test_category_rollups_add_up_to_the_inspection_counts_on_every_day(
    case: SimpleNamespace,
) -> None:
    rm = ReadModels(case.ledger.projector)
    for when in (on(date(2018, 3, 1)), on(date(2018, 3, 20)), on(date(2018, 6, 1)), None):
        (counts,) = rm.counts(case.inspection, when)
        rows = rm.rollup("category", case.inspection, when)
        for figure in (*FIGURES, "sent_back"):
            assert sum(row[figure] for row in rows) == getattr(counts, figure), (when, figure)


def test_rollups_group_by_the_current_category_even_as_of_an_earlier_day(
    case: SimpleNamespace,
) -> None:
    rm = ReadModels(case.ledger.projector)
    case.ledger.correct(
        case.office,
        case.ids[4],
        corrects_version=1,
        changes={"category": ["教育扶贫", "控辍保学"]},
        ctx=at(date(2018, 6, 1), "归类有误"),
    )
    rows = rm.rollup("category", case.inspection, on(date(2018, 3, 20)))
    assert [(row["category"], row["total"]) for row in rows] == [("教育扶贫", 3), ("产业扶贫", 2)]


def test_rollups_as_of_before_anything_or_for_an_unknown_inspection_are_empty(
    case: SimpleNamespace,
) -> None:
    rm = ReadModels(case.ledger.projector)
    assert rm.rollup("category", case.inspection, on(date(2018, 2, 1))) == []
    for by in ("category", "item", "unit", "level"):
        assert rm.rollup(by, uuid4()) == []


def test_an_unknown_dimension_is_refused(case: SimpleNamespace) -> None:
    with pytest.raises(QueryError) as refused:
        ReadModels(case.ledger.projector).rollup("region")
    assert refused.value.field == "by"
    assert str(refused.value).startswith("by ") and "汇总维度" in str(refused.value)


def test_the_guizhou_demo_rolls_up_to_its_published_figures(ledger: Ledger) -> None:
    guizhou = str(load_demo(ledger)["guizhou"])
    rm = ReadModels(ledger.projector)
    june = on(date(2018, 6, 30))
    by_category = rm.rollup("category", guizhou, june)
    by_item = rm.rollup("item", guizhou, june)
    assert (len(by_category), len(by_item)) == (5, 26)  # 5 categories, 26 items
    totals = tuple(sum(row[f] for row in by_category) for f in FIGURES[:5])
    assert totals == (68, 50, 18, 24, 3)
    (province,) = (row for row in rm.rollup("level", guizhou, june) if row["level"] == "province")
    assert province["total"] == 68
