"""A whole rectification on the real application, from inspection to strike-off."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import reduce

import pytest

from ledger.application.context import CommandContext
from ledger.domain.errors import InvalidTransition
from ledger.domain.values import Actor, EscalationLevel, FindingStatus, InspectionStage

DIGEST = "5d" * 32


def rebuilt(ledger, record_id):
    """The record rebuilt from its stored events alone."""
    return reduce(lambda a, e: e.mutate(a), ledger.history(record_id), None)


def test_an_inspection_is_rectified_verified_and_struck_off(ledger, office, admin):
    region = ledger.register_unit(admin, name="内蒙古自治区扶贫办", level="province").id
    league = ledger.register_unit(
        admin, name="兴安盟扶贫办", level="prefecture", parent_id=region
    ).id
    edu = ledger.register_unit(
        admin, name="兴安盟教育局", level="prefecture", parent_id=str(region)
    ).id
    ledger.record_headcount(admin, edu, year=2019, headcount=46)
    unit = Actor(id="edu-1", name="赵敏", role="responsible_unit", unit=edu)

    inspection = ledger.open_inspection(
        office,
        kind="central_inspection",
        title="中央第八巡视组脱贫攻坚专项巡视",
        inspecting_body="中央第八巡视组",
        inspected_body="内蒙古自治区党委",
        on_site_start="2018-10-18",
        on_site_end="2018-11-30",
    ).id
    ledger.begin_on_site(office, inspection, started_on="2018-10-18")
    ledger.deliver_feedback(
        office, inspection, feedback_date="2019-01-18", document_no="中巡反馈〔2019〕8号"
    )
    ledger.file_plan(office, inspection, filed_on="2019-03-01", document_no="内党办〔2019〕5号")

    finding = ledger.record_finding(
        office,
        inspection,
        category=["二、精准扶贫精准脱贫基本方略落实不够到位"],
        number="(二)3",
        text="控辍保学工作不到位,部分适龄儿童失学辍学",
        sources=["中央第八巡视组反馈意见", "2018年成效考核"],
        deadline="2019-06-10",
        ctx=CommandContext(basis="中巡反馈〔2019〕8号"),
    ).id
    ledger.assign(
        office,
        finding,
        responsible_leader="分管副主席",
        lead_department=league,
        units=[league, edu],
    )
    measure = ledger.add_measure(
        office,
        finding,
        kind="immediate",
        text="劝返失学辍学儿童",
        owner_unit=edu,
        deadline="2019-05-31",
    ).item_id
    ledger.add_measure(
        unit, finding, kind="rules", text="建立控辍保学长效机制", owner_unit=edu, long_term=True
    )

    first_report = ledger.report_progress(
        unit,
        finding,
        measure_id=measure,
        narrative="劝返复学138人",
        figures=[{"name": "劝返复学", "value": "138", "unit": "人", "of_total": "202"}],
        evidence=[
            {
                "title": "劝返复学情况报告",
                "document_no": "兴教发〔2019〕37号",
                "sha256": DIGEST,
                "location": "evidence/37.pdf",
            }
        ],
    ).item_id
    ledger.claim_completion(unit, finding, summary="已完成劝返")
    ledger.send_back(office, finding, ctx=CommandContext(reason="尚有64人未劝返,整改不彻底"))
    assert ledger.get_finding(finding).status is FindingStatus.ONGOING
    ledger.report_progress(
        unit,
        finding,
        measure_id=measure,
        narrative="全部劝返复学",
        figures=[{"name": "劝返复学", "value": "202", "unit": "人", "of_total": "202"}],
    )
    ledger.claim_completion(unit, finding, summary="202人全部劝返复学")
    ledger.verify(office, finding, opinion="经实地抽查,整改到位")
    ledger.strike_off(office, finding, ctx=CommandContext(basis="内巡改办〔2019〕20号"))

    done = ledger.get_finding(finding)
    assert done.status is FindingStatus.STRUCK_OFF
    assert done.responsible_units == [league, edu] and done.lead_department == league
    assert len(done.measures) == 2 and sum(m.long_term for m in done.measures.values()) == 1
    report = done.reports[first_report]
    assert report.measure_id == measure
    assert report.figures[0].value == Decimal("138") and report.figures[0].of_total == 202
    assert report.evidence[0].sha256 == DIGEST
    assert report.evidence[0].document_no == "兴教发〔2019〕37号"
    assert [type(e).__name__ for e in ledger.history(finding)] == [
        "Recorded",
        "Assigned",
        "MeasureAdded",
        "MeasureAdded",
        "ProgressReported",
        "CompletionClaimed",
        "SentBack",
        "ProgressReported",
        "CompletionClaimed",
        "CompletionVerified",
        "StruckOff",
    ]
    sent_back = ledger.history(finding)[6]
    assert sent_back.envelope.reason == "尚有64人未劝返,整改不彻底"
    assert sent_back.envelope.actor.role.value == "inspection_office"
    with pytest.raises(InvalidTransition):
        ledger.report_progress(unit, finding, narrative="再报告")

    # As of version 6 (before the send-back) the finding was claimed.
    assert ledger.repository.get(finding, version=6).status is FindingStatus.CLAIMED
    assert rebuilt(ledger, finding).status is FindingStatus.STRUCK_OFF

    ledger.publish_progress(
        office, inspection, published_on="2019-05-16", document_no="整改进展情况公布"
    )
    ledger.close_inspection(office, inspection)
    assert ledger.get_inspection(inspection).stage is InspectionStage.CLOSED
    with pytest.raises(InvalidTransition) as caught:
        ledger.record_finding(office, inspection, category=["三"], number="1", text="新问题")
    assert caught.value.field == "inspection_id"


def test_a_slow_finding_is_supervised_extended_and_corrected(ledger, office, world, unit_actor):
    unit = unit_actor(world.unit_a)
    finding = world.finding

    ledger.issue_letter(
        office, finding, letter_no="内巡改督〔2019〕1号", level="staff", addressed_to=world.unit_a
    )
    ledger.issue_letter(
        office,
        finding,
        letter_no="内巡改督〔2019〕7号",
        level="principal",
        addressed_to=str(world.unit_a),
        due_date="2099-01-01",
    )
    ledger.answer_letter(
        unit, finding, letter_no="内巡改督〔2019〕1号", answer="已召开专题会议部署整改"
    )
    letters = ledger.get_finding(finding).letters
    assert letters["内巡改督〔2019〕1号"].answered
    assert not letters["内巡改督〔2019〕7号"].answered
    assert letters["内巡改督〔2019〕7号"].level is EscalationLevel.PRINCIPAL

    ledger.extend_deadline(
        office,
        finding,
        new_deadline="2019-09-30",
        approver="自治区扶贫办主任",
        ctx=CommandContext(
            reason="受汛期影响,搬迁工程延后",
            basis="内扶办〔2019〕44号",
            effective_at=date(2019, 6, 5),
        ),
    )
    extended = ledger.get_finding(finding)
    assert extended.deadline == date(2019, 9, 30)
    assert extended.original_deadline == date(2019, 6, 10)
    (extension,) = extended.extensions
    assert (extension.previous, extension.new) == (date(2019, 6, 10), date(2019, 9, 30))
    assert (extension.approver, extension.reason) == ("自治区扶贫办主任", "受汛期影响,搬迁工程延后")
    event = ledger.history(finding)[-1]
    assert event.previous_deadline == date(2019, 6, 10)
    assert event.envelope.basis == "内扶办〔2019〕44号"

    ledger.correct(
        office,
        finding,
        corrects_version=1,
        changes={"text": "部分旗县贫困人口底数不清、动态管理不精准"},
        ctx=CommandContext(reason="与反馈意见原文核对"),
    )
    corrected = ledger.get_finding(finding)
    assert corrected.text == "部分旗县贫困人口底数不清、动态管理不精准"
    history = ledger.history(finding)
    assert history[0].text == "部分旗县贫困人口底数不清"
    assert history[-1].corrects_version == 1
    assert history[-1].envelope.reason == "与反馈意见原文核对"
    assert (
        ledger.repository.get(finding, version=len(history) - 1).text == "部分旗县贫困人口底数不清"
    )
    assert rebuilt(ledger, finding).text == corrected.text
    assert rebuilt(ledger, finding).extensions == corrected.extensions


def test_a_progress_reports_figures_are_corrected_on_the_application(ledger, office, world):
    report = ledger.report_progress(
        office,
        world.finding,
        narrative="劝返复学",
        figures=[{"name": "劝返复学", "value": "183", "unit": "人", "of_total": "202"}],
    )
    ledger.correct(
        office,
        world.finding,
        corrects_version=report.version,
        changes={
            "figures": [{"name": "劝返复学", "value": "138", "unit": "人", "of_total": "202"}]
        },
        ctx=CommandContext(reason="台账核对:人数误录"),
    )
    figures = ledger.get_finding(world.finding).reports[report.item_id].figures
    assert figures[0].value == Decimal("138")
    reported, corrected = ledger.history(world.finding)[-2:]
    assert reported.figures[0].value == Decimal("183")
    assert corrected.changes.figures[0].value == Decimal("138")
