"""Application fixtures: a populated ledger, unit actors, and a snapshot of the whole log."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from ledger.application.ledger import Ledger
from ledger.domain.values import Actor


@pytest.fixture
def snapshot(ledger: Ledger, snapshot_of: Callable[[Ledger], Any]) -> Callable[[], Any]:
    """Take a snapshot of the whole log of the ledger under test."""
    return lambda: snapshot_of(ledger)


@pytest.fixture
def world(ledger: Ledger, office: Actor, admin: Actor) -> SimpleNamespace:
    """Two units, an inspection with feedback on 2019-01-18, and one finding of unit A.

    The finding (deadline 2019-06-10) is assigned to unit A, has one measure owned
    by unit A, and one progress report, so it can be claimed.
    """
    unit_a = ledger.register_unit(admin, name="兴安盟扶贫办", level="prefecture").id
    unit_b = ledger.register_unit(admin, name="赤峰市扶贫办", level="prefecture").id
    inspection = ledger.open_inspection(
        office,
        kind="central_inspection",
        title="中央第八巡视组脱贫攻坚专项巡视",
        inspecting_body="中央第八巡视组",
        inspected_body="内蒙古自治区党委",
        on_site_start="2018-10-18",
        on_site_end="2018-11-30",
    ).id
    ledger.deliver_feedback(office, inspection, feedback_date="2019-01-18", document_no="反馈意见")
    finding = ledger.record_finding(
        office,
        inspection,
        category=["一、落实脱贫攻坚政治责任不够到位"],
        number="(一)1",
        text="部分旗县贫困人口底数不清",
        deadline="2019-06-10",
    ).id
    ledger.assign(
        office, finding, responsible_leader="分管副主席", lead_department=unit_a, units=[unit_a]
    )
    measure = ledger.add_measure(
        office,
        finding,
        kind="immediate",
        text="开展贫困人口动态调整",
        owner_unit=unit_a,
        deadline="2019-05-31",
    ).item_id
    ledger.report_progress(office, finding, narrative="已完成动态调整", measure_id=measure)
    return SimpleNamespace(
        unit_a=unit_a, unit_b=unit_b, inspection=inspection, finding=finding, measure=measure
    )


@pytest.fixture
def unit_actor(world: SimpleNamespace) -> Callable[[Any], Actor]:
    """A responsible-unit actor bound to the given unit id."""

    def make(unit: Any) -> Actor:
        return Actor(id=f"unit-{unit}", name="赵敏", role="responsible_unit", unit=unit)

    return make


@pytest.fixture
def record_other_finding(
    ledger: Ledger, office: Actor, world: SimpleNamespace
) -> Callable[[], Any]:
    """Record a second finding, assigned to unit B only."""

    def make() -> Any:
        other = ledger.record_finding(
            office,
            world.inspection,
            category=["二、精准扶贫精准脱贫基本方略落实不够到位"],
            number="(二)3",
            text="扶贫资金滞留闲置",
            deadline="2019-06-30",
        ).id
        ledger.assign(office, other, units=[world.unit_b])
        return other

    return make
