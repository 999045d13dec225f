"""Inspection lifecycle: opened → on site → feedback → rectifying → published → closed."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.errors import InvalidInput, InvalidTransition
from ledger.domain.inspection import Inspection
from ledger.domain.values import InspectionKind
from ledger.domain.values import InspectionStage as Stage


@pytest.fixture
def inspection(env):
    """中央第八巡视组 → 内蒙古自治区党委, on site 2018-10-18 to 2018-11-30."""
    opened = Inspection.open(
        env(),
        kind="central_inspection",
        title="中央第八巡视组脱贫攻坚专项巡视",
        inspecting_body="中央第八巡视组",
        inspected_body="内蒙古自治区党委",
        on_site_start="2018-10-18",
        on_site_end=date(2018, 11, 30),
    )
    opened.collect_events()
    return opened


def refused(inspection, error, call, *, field=None, words=()):
    stage, version = inspection.stage, inspection.version
    with pytest.raises(error) as caught:
        call()
    assert caught.value.field == field
    for word in words:
        assert word in caught.value.message
    assert inspection.collect_events() == []
    assert (inspection.stage, inspection.version) == (stage, version)


def test_an_inspection_goes_through_its_whole_lifecycle(inspection, env):
    inspection.begin_on_site(env(), "2018-10-18")
    inspection.deliver_feedback(env(), "2019-01-18", "中巡反馈〔2019〕8号")
    assert inspection.feedback_date == date(2019, 1, 18)
    inspection.file_plan(env(), "2019-03-15", "内党办发〔2019〕5号")
    inspection.publish_progress(env(), "2019-05-16", "")
    inspection.publish_progress(env(), "2019-08-01", "第二次公布")
    assert inspection.accepts_findings
    inspection.close(env())
    assert inspection.stage is Stage.CLOSED
    assert not inspection.accepts_findings
    assert inspection.documents == ["中巡反馈〔2019〕8号", "内党办发〔2019〕5号", "第二次公布"]
    kinds = [type(e).__name__ for e in inspection.collect_events()]
    assert kinds == [
        "OnSiteBegun",
        "FeedbackDelivered",
        "PlanFiled",
        "ProgressPublished",
        "ProgressPublished",
        "Closed",
    ]


@pytest.mark.parametrize("kind", list(InspectionKind))
def test_every_inspection_kind_can_be_opened(env, kind):
    opened = Inspection.open(
        env(), kind=kind.value, title="专项检查", inspecting_body="省委", inspected_body="县委"
    )
    assert opened.kind is kind
    assert opened.stage is Stage.OPENED


def test_feedback_may_follow_directly_on_opening(inspection, env):
    inspection.deliver_feedback(env(), "2019-01-18", "")
    assert inspection.stage is Stage.FEEDBACK_DELIVERED


def test_feedback_before_the_on_site_period_ends_is_refused(inspection, env):
    refused(
        inspection,
        InvalidInput,
        lambda: inspection.deliver_feedback(env(), "2018-11-29", ""),
        field="feedback_date",
        words=("2018-11-29", "2018-11-30"),
    )


def test_filing_a_plan_before_feedback_is_refused(inspection, env):
    refused(
        inspection,
        InvalidTransition,
        lambda: inspection.file_plan(env(), "2019-03-15", ""),
        words=("file_plan", Stage.OPENED.label, Stage.FEEDBACK_DELIVERED.label),
    )


def test_a_plan_filed_before_the_feedback_date_is_refused(inspection, env):
    inspection.deliver_feedback(env(), "2019-01-18", "")
    inspection.collect_events()
    refused(
        inspection,
        InvalidInput,
        lambda: inspection.file_plan(env(), "2019-01-17", ""),
        field="filed_on",
    )


def test_closing_before_rectification_is_refused(inspection, env):
    inspection.deliver_feedback(env(), "2019-01-18", "")
    inspection.collect_events()
    refused(
        inspection,
        InvalidTransition,
        lambda: inspection.close(env()),
        words=("close", Stage.FEEDBACK_DELIVERED.label, Stage.RECTIFYING.label),
    )


def test_publishing_progress_before_a_plan_is_refused(inspection, env):
    refused(
        inspection, InvalidTransition, lambda: inspection.publish_progress(env(), "2019-05-16", "")
    )


def test_going_on_site_twice_is_refused(inspection, env):
    inspection.begin_on_site(env(), "2018-10-18")
    inspection.collect_events()
    refused(inspection, InvalidTransition, lambda: inspection.begin_on_site(env(), "2018-10-19"))


def test_feedback_cannot_be_delivered_twice(inspection, env):
    inspection.deliver_feedback(env(), "2019-01-18", "")
    inspection.collect_events()
    refused(
        inspection, InvalidTransition, lambda: inspection.deliver_feedback(env(), "2019-02-01", "")
    )


def test_a_closed_inspection_cannot_be_closed_again(inspection, env):
    inspection.deliver_feedback(env(), "2019-01-18", "")
    inspection.file_plan(env(), "2019-03-15", "")
    inspection.close(env())
    inspection.collect_events()
    refused(inspection, InvalidTransition, lambda: inspection.close(env()))


def test_on_site_end_before_start_is_refused(env):
    with pytest.raises(InvalidInput) as caught:
        Inspection.open(
            env(),
            kind="tour",
            title="巡察",
            inspecting_body="县委巡察组",
            inspected_body="乡党委",
            on_site_start="2019-08-23",
            on_site_end="2019-08-10",
        )
    assert caught.value.field == "on_site_end"
    assert "2019-08-10" in caught.value.message


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"title": "  "}, "title"),
        ({"inspecting_body": ""}, "inspecting_body"),
        ({"inspected_body": "院" * 201}, "inspected_body"),
        ({"on_site_start": "2018/10/18"}, "on_site_start"),
    ],
)
def test_opening_with_bad_input_names_the_field(env, overrides, field):
    args = {
        "kind": "lookback",
        "title": "巡视“回头看”",
        "inspecting_body": "省委第一巡视组",
        "inspected_body": "某县县委",
        **overrides,
    }
    with pytest.raises(InvalidInput) as caught:
        Inspection.open(env(), **args)
    assert caught.value.field == field
