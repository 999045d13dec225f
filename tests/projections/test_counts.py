"""The published counts, from the demo and from hand-made histories."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo
from ledger.domain.values import Actor
from ledger.projections.counts import counts


def by_title(app: Ledger, as_of: date) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        c.inspected_body + c.title[:4]: (c.total, c.completed, c.ongoing, c.long_term, c.overdue)
        for c in counts(app, as_of)
    }


def test_guizhou_demo_shows_the_published_figures_on_30_june_2018(ledger: Ledger) -> None:
    load_demo(ledger)
    figures = by_title(ledger, date(2018, 6, 30))
    assert figures["贵州省2017"] == (68, 50, 18, 24, 3)


def test_loading_the_demo_twice_writes_nothing_the_second_time(ledger: Ledger) -> None:
    load_demo(ledger)
    after_first = ledger.recorder.max_notification_id()
    load_demo(ledger)
    assert ledger.recorder.max_notification_id() == after_first


def test_counts_before_any_verification_show_everything_ongoing(ledger: Ledger) -> None:
    load_demo(ledger)
    assert by_title(ledger, date(2018, 5, 1))["贵州省2017"] == (68, 0, 68, 24, 0)


def test_longchuan_plan_has_its_problems_and_one_long_term_finding(ledger: Ledger) -> None:
    load_demo(ledger)
    total, completed, ongoing, long_term, _ = by_title(ledger, date(2018, 5, 31))["陇川县省对德宏"]
    assert (total, completed, ongoing, long_term) == (19, 0, 19, 1)


@pytest.fixture
def one_finding(ledger: Ledger) -> tuple[Ledger, object, Actor]:
    office = Actor(id="o", name="办", role="inspection_office")
    admin = Actor(id="a", name="管", role="admin")
    unit = ledger.register_unit(admin, name="县教育局", level="county").id
    early = CommandContext(effective_at=date(2018, 2, 1))
    inspection = ledger.open_inspection(
        office,
        kind="audit",
        title="审计",
        inspecting_body="审计厅",
        inspected_body="某县",
        ctx=early,
    ).id
    ledger.deliver_feedback(office, inspection, feedback_date="2018-03-01", ctx=early)
    finding = ledger.record_finding(
        office,
        inspection,
        category=["教育"],
        number="1",
        text="控辍保学不到位",
        deadline="2018-03-20",
        ctx=CommandContext(effective_at=date(2018, 3, 1)),
    ).id
    ledger.assign(office, finding, units=[unit])
    return ledger, finding, office


def test_send_back_makes_a_completed_finding_ongoing_again(one_finding: tuple) -> None:
    app, finding, office = one_finding
    day = CommandContext(effective_at=date(2018, 3, 10))
    app.report_progress(office, finding, narrative="已劝返", ctx=day)
    app.claim_completion(office, finding, summary="完成", ctx=day)
    app.verify(office, finding, ctx=day)
    assert by_title(app, date(2018, 3, 15))["某县审计"][:3] == (1, 1, 0)
    app.send_back(
        office, finding, ctx=CommandContext(effective_at=date(2018, 3, 16), reason="返工")
    )
    assert by_title(app, date(2018, 3, 15))["某县审计"][:3] == (1, 1, 0)
    assert by_title(app, date(2018, 3, 16))["某县审计"][:3] == (1, 0, 1)


def test_struck_off_finding_stays_completed_and_overdue_needs_a_passed_deadline(
    one_finding: tuple,
) -> None:
    app, finding, office = one_finding
    assert by_title(app, date(2018, 3, 20))["某县审计"][4] == 0
    assert by_title(app, date(2018, 3, 21))["某县审计"][4] == 1
    day = CommandContext(effective_at=date(2018, 3, 25))
    app.report_progress(office, finding, narrative="完成", ctx=day)
    app.claim_completion(office, finding, summary="完成", ctx=day)
    app.verify(office, finding, ctx=day)
    app.strike_off(office, finding, ctx=day)
    assert by_title(app, date(2018, 3, 26))["某县审计"] == (1, 1, 0, 0, 0)
