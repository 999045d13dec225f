"""Supervision letters (督办函) and corrections: a mistake is fixed by a new event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from ledger.domain.errors import InvalidInput, InvalidTransition, NotFound
from ledger.domain.finding import Finding
from ledger.domain.values import EscalationLevel


def refused(finding, error, call, *, field, words=()):
    """Assert ``call`` is refused with ``error`` naming ``field``, recording nothing."""
    finding.collect_events()
    version = finding.version
    with pytest.raises(error) as caught:
        call()
    assert caught.value.field == field
    for word in words:
        assert word in caught.value.message
    assert finding.collect_events() == []
    assert finding.version == version
    return caught.value


def issue(finding, env, letter_no="内巡改督〔2019〕1号", level="staff", **extra):
    finding.issue_letter(env(), letter_no=letter_no, level=level, **extra)


# --- supervision letters ----------------------------------------------------------------


def test_office_issues_letters_at_each_escalation_level(finding, env):
    for n, level in enumerate(EscalationLevel, 1):
        issue(finding, env, f"督〔2019〕{n}号", level.value, due_date="2099-12-31")
    assert [letter.level for letter in finding.letters.values()] == list(EscalationLevel)
    assert all(not letter.answered for letter in finding.letters.values())


def test_unit_answers_a_letter(finding, env):
    issue(finding, env)
    finding.answer_letter(env(), letter_no="内巡改督〔2019〕1号", answer="已召开专题会研究整改")
    assert finding.letters["内巡改督〔2019〕1号"].answered
    kinds = [type(e) for e in finding.collect_events()]
    assert kinds == [Finding.LetterIssued, Finding.LetterAnswered]


def test_a_letter_number_cannot_be_used_twice_on_one_finding(finding, env):
    issue(finding, env)
    refused(
        finding,
        InvalidInput,
        lambda: issue(finding, env, " 内巡改督〔2019〕1号 ", "deputy"),
        field="letter_no",
        words=("内巡改督〔2019〕1号", "已存在"),
    )


def test_answering_an_unknown_letter_is_refused(finding, env):
    refused(
        finding,
        NotFound,
        lambda: finding.answer_letter(env(), letter_no="督〔2019〕99号", answer="答复"),
        field="letter_no",
        words=("督〔2019〕99号",),
    )


def test_answering_a_letter_twice_is_refused(finding, env):
    issue(finding, env)
    finding.answer_letter(env(), letter_no="内巡改督〔2019〕1号", answer="已答复")
    refused(
        finding,
        InvalidTransition,
        lambda: finding.answer_letter(env(), letter_no="内巡改督〔2019〕1号", answer="再答复"),
        field="letter_no",
        words=("已答复",),
    )


def test_a_letter_of_unknown_level_is_refused_with_the_choices(finding, env):
    error = refused(
        finding, InvalidInput, lambda: issue(finding, env, level="urgent"), field="level"
    )
    assert "urgent" in error.message and "principal" in error.message


def test_a_letter_due_before_it_is_issued_is_refused(finding, env):
    refused(
        finding,
        InvalidInput,
        lambda: issue(finding, env, due_date=date(2000, 1, 1)),
        field="due_date",
    )


def test_no_letter_is_issued_about_a_verified_finding(finding, env):
    finding.report_progress(env(), report_id=uuid4(), narrative="已完成")
    finding.claim_completion(env(), "已完成")
    finding.verify(env())
    refused(finding, InvalidTransition, lambda: issue(finding, env), field=None, words=("已验收",))


# --- corrections --------------------------------------------------------------------------


def test_correcting_the_recorded_text_changes_state_and_history_keeps_both(
    make_finding, env, replay
):
    finding = make_finding(text="部分旗县贫困人口底数不请")
    finding.correct(
        env("录入错别字"), corrects_version=1, changes={"text": "部分旗县贫困人口底数不清"}
    )
    assert finding.text == "部分旗县贫困人口底数不清"
    recorded, corrected = finding.collect_events()
    assert recorded.text == "部分旗县贫困人口底数不请"
    assert isinstance(corrected, Finding.Corrected)
    assert corrected.corrects_version == 1
    assert corrected.changes.text == "部分旗县贫困人口底数不清"
    assert corrected.envelope.reason == "录入错别字"
    assert replay([recorded]).text == "部分旗县贫困人口底数不请"
    assert replay([recorded, corrected]).text == "部分旗县贫困人口底数不清"


def test_correcting_a_progress_reports_figures_changes_the_report(finding, env):
    report_id = uuid4()
    finding.report_progress(
        env(),
        report_id=report_id,
        narrative="劝返复学",
        figures=[{"name": "劝返复学", "value": "183", "unit": "人", "of_total": "202"}],
    )
    version = finding.version
    finding.correct(
        env("台账核对:劝返人数误录"),
        corrects_version=version,
        changes={
            "figures": [{"name": "劝返复学", "value": "138", "unit": "人", "of_total": "202"}]
        },
    )
    (figure,) = finding.reports[report_id].figures
    assert figure.value == Decimal("138") and figure.of_total == Decimal("202")
    reported, corrected = finding.collect_events()
    assert reported.figures[0].value == Decimal("183")
    assert corrected.changes.figures[0].value == Decimal("138")
    assert finding.reports[report_id].narrative == "劝返复学"


def test_correcting_a_measure_text_and_a_responsible_leader(finding, env):
    measure = uuid4()
    finding.add_measure(
        env(),
        measure_id=measure,
        kind="immediate",
        text="开展排查",
        owner_unit=uuid4(),
        deadline="2019-05-31",
    )
    finding.correct(env("措施表述有误"), corrects_version=2, changes={"text": "开展拉网式排查"})
    finding.assign(env(), responsible_leader="张三", lead_department=None, units=[uuid4()])
    finding.correct(env("领导姓名误录"), corrects_version=4, changes={"responsible_leader": "张山"})
    assert finding.measures[measure].text == "开展拉网式排查"
    assert finding.text != "开展拉网式排查"
    assert finding.responsible_leader == "张山"


def test_correcting_an_unknown_version_is_refused(finding, env):
    refused(
        finding,
        NotFound,
        lambda: finding.correct(env("更正"), corrects_version=7, changes={"text": "新"}),
        field="corrects_version",
        words=("7",),
    )


def test_a_claim_is_not_correctable(finding, env):
    finding.report_progress(env(), report_id=uuid4(), narrative="进展")
    finding.claim_completion(env(), "已完成")
    refused(
        finding,
        InvalidTransition,
        lambda: finding.correct(env("更正"), corrects_version=3, changes={"summary": "改"}),
        field="corrects_version",
        words=("CompletionClaimed", "不可更正"),
    )


def test_a_correction_cannot_itself_be_corrected(finding, env):
    finding.correct(env("更正"), corrects_version=1, changes={"number": "(一)2"})
    refused(
        finding,
        InvalidTransition,
        lambda: finding.correct(env("再更正"), corrects_version=2, changes={"number": "(一)3"}),
        field="corrects_version",
    )


def test_a_correction_cannot_touch_a_field_the_event_does_not_allow(finding, env):
    error = refused(
        finding,
        InvalidInput,
        lambda: finding.correct(
            env("更正"), corrects_version=1, changes={"deadline": "2020-01-01"}
        ),
        field="changes",
        words=("deadline",),
    )
    assert "text" in error.message  # lists what may be corrected


def test_a_correction_needs_at_least_one_change(finding, env):
    refused(
        finding,
        InvalidInput,
        lambda: finding.correct(env("更正"), corrects_version=1, changes={}),
        field="changes",
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_needs_a_reason(finding, env, reason):
    refused(
        finding,
        InvalidInput,
        lambda: finding.correct(env(reason), corrects_version=1, changes={"text": "新"}),
        field="reason",
        words=("理由",),
    )


def test_corrected_values_are_validated_like_the_original(finding, env):
    refused(
        finding,
        InvalidInput,
        lambda: finding.correct(env("更正"), corrects_version=1, changes={"category": []}),
        field="changes.category",
    )


def test_a_corrected_number_obeys_the_same_length_limit_as_a_recorded_one(
    finding, env, make_finding
):
    with pytest.raises(InvalidInput) as recorded:
        make_finding(number="1" * 51)
    assert recorded.value.field == "number"
    refused(
        finding,
        InvalidInput,
        lambda: finding.correct(env("更正"), corrects_version=1, changes={"number": "1" * 51}),
        field="changes.number",
    )


def test_a_letter_is_answered_under_the_number_it_was_issued_with(finding, env):
    # issue_letter trims the number; answering with the same padded text must find it.
    issue(finding, env, " 内巡改督〔2019〕2号 ")
    finding.answer_letter(env(), letter_no=" 内巡改督〔2019〕2号 ", answer="已答复")
    assert finding.letters["内巡改督〔2019〕2号"].answered


def test_a_malformed_letter_number_on_answer_is_invalid_input(finding, env):
    refused(
        finding,
        InvalidInput,
        lambda: finding.answer_letter(env(), letter_no=["督1号"], answer="答复"),
        field="letter_no",
    )
