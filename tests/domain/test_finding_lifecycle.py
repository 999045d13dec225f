"""Finding status: report → claim → verify → strike off, and send back (返工)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from ledger.domain.errors import InvalidInput, InvalidTransition
from ledger.domain.finding import Finding
from ledger.domain.values import FindingStatus as Status


def report(finding, env, narrative="已劝返复学138人"):
    finding.report_progress(env(), report_id=uuid4(), narrative=narrative)


def claimed(finding, env):
    report(finding, env)
    finding.claim_completion(env(), "整改已完成")
    return finding


def verified(finding, env):
    claimed(finding, env)
    finding.verify(env(), "经验收,整改到位")
    return finding


def struck_off(finding, env):
    verified(finding, env)
    finding.strike_off(env())
    return finding


def refuses(finding, error, call, *, field=None, words=()):
    """Assert that ``call`` is refused with ``error`` and leaves the finding untouched."""
    finding.collect_events()
    version, status = finding.version, finding.status
    with pytest.raises(error) as caught:
        call()
    assert caught.value.field == field
    for word in words:
        assert word in caught.value.message
    assert finding.collect_events() == []
    assert (finding.version, finding.status) == (version, status)
    return caught.value


# --- valid transitions ----------------------------------------------------------------


def test_recorded_finding_is_ongoing_with_its_plan_fields(make_finding):
    finding = make_finding()
    assert finding.status is Status.ONGOING
    assert finding.version == 1
    assert finding.number == "(一)1"
    assert finding.deadline == finding.original_deadline
    assert [type(e) for e in finding.collect_events()] == [Finding.Recorded]


def test_unit_reports_progress_on_an_ongoing_finding(finding, env):
    report_id = uuid4()
    finding.report_progress(env(), report_id=report_id, narrative="劝返复学138人")
    assert finding.reports[report_id].narrative == "劝返复学138人"
    assert [type(e) for e in finding.collect_events()] == [Finding.ProgressReported]


def test_unit_claims_completion_after_reporting_progress(finding, env):
    claimed(finding, env)
    assert finding.status is Status.CLAIMED


def test_progress_may_still_be_reported_on_a_claimed_finding(finding, env):
    claimed(finding, env)
    report(finding, env, "补充佐证材料")
    assert finding.status is Status.CLAIMED
    assert len(finding.reports) == 2


def test_office_verifies_a_claimed_finding(finding, env):
    verified(finding, env)
    assert finding.status is Status.VERIFIED


def test_office_strikes_off_a_verified_finding(finding, env):
    struck_off(finding, env)
    assert finding.status is Status.STRUCK_OFF


def test_office_sends_back_a_claimed_finding_with_a_reason(finding, env):
    claimed(finding, env)
    finding.send_back(env("佐证材料不全,劝返人数与台账不符"))
    assert finding.status is Status.ONGOING


def test_office_sends_back_a_verified_finding_with_a_reason(finding, env):
    verified(finding, env)
    finding.send_back(env("回头看发现问题反弹"))
    assert finding.status is Status.ONGOING


def test_sent_back_finding_can_be_claimed_verified_and_struck_off_again(finding, env):
    claimed(finding, env)
    finding.send_back(env("整改不彻底"))
    report(finding, env, "返工后全部整改到位")
    finding.claim_completion(env(), "返工完成")
    finding.verify(env())
    finding.strike_off(env())
    kinds = [type(e).__name__ for e in finding.collect_events()]
    assert kinds == [
        "ProgressReported",
        "CompletionClaimed",
        "SentBack",
        "ProgressReported",
        "CompletionClaimed",
        "CompletionVerified",
        "StruckOff",
    ]
    assert finding.status is Status.STRUCK_OFF


def test_send_back_reason_is_kept_in_the_event_envelope(finding, env):
    claimed(finding, env)
    finding.collect_events()
    finding.send_back(env("  整改不彻底  "))
    (sent_back,) = finding.collect_events()
    assert isinstance(sent_back, Finding.SentBack)
    assert sent_back.envelope.reason.strip() == "整改不彻底"


# --- refused transitions --------------------------------------------------------------


def test_office_cannot_verify_before_the_unit_claims(finding, env):
    refuses(
        finding,
        InvalidTransition,
        lambda: finding.verify(env()),
        words=(Status.ONGOING.label, "申报完成"),
    )


def test_office_cannot_verify_twice(finding, env):
    verified(finding, env)
    refuses(finding, InvalidTransition, lambda: finding.verify(env()), words=("已验收",))


def test_office_cannot_strike_off_an_ongoing_finding(finding, env):
    refuses(
        finding,
        InvalidTransition,
        lambda: finding.strike_off(env()),
        words=(Status.ONGOING.label, "验收"),
    )


def test_office_cannot_strike_off_a_claimed_but_unverified_finding(finding, env):
    claimed(finding, env)
    refuses(
        finding,
        InvalidTransition,
        lambda: finding.strike_off(env()),
        words=(Status.CLAIMED.label, "验收"),
    )


def test_office_cannot_strike_off_twice(finding, env):
    struck_off(finding, env)
    refuses(finding, InvalidTransition, lambda: finding.strike_off(env()))


def test_unit_cannot_report_progress_on_a_struck_off_finding(finding, env):
    struck_off(finding, env)
    refuses(
        finding,
        InvalidTransition,
        lambda: report(finding, env),
        words=(Status.STRUCK_OFF.label, "不能再报告进展"),
    )


def test_unit_cannot_report_progress_on_a_verified_finding(finding, env):
    verified(finding, env)
    refuses(
        finding,
        InvalidTransition,
        lambda: report(finding, env),
        words=(Status.VERIFIED.label, "退回"),
    )


def test_unit_cannot_claim_completion_without_any_progress_report(finding, env):
    refuses(
        finding,
        InvalidTransition,
        lambda: finding.claim_completion(env(), "已完成"),
        words=("进展",),
    )


def test_unit_cannot_claim_completion_twice(finding, env):
    claimed(finding, env)
    refuses(
        finding,
        InvalidTransition,
        lambda: finding.claim_completion(env(), "再次申报"),
        words=(Status.CLAIMED.label,),
    )


def test_unit_cannot_claim_a_verified_finding(finding, env):
    verified(finding, env)
    refuses(finding, InvalidTransition, lambda: finding.claim_completion(env(), "申报"))


def test_claim_needs_a_summary(finding, env):
    report(finding, env)
    refuses(
        finding,
        InvalidInput,
        lambda: finding.claim_completion(env(), "   "),
        field="summary",
        words=("不能为空",),
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_office_cannot_send_back_without_a_reason(finding, env, reason):
    claimed(finding, env)
    refuses(
        finding,
        InvalidInput,
        lambda: finding.send_back(env(reason)),
        field="reason",
        words=("理由",),
    )


def test_office_cannot_send_back_an_ongoing_finding(finding, env):
    refuses(
        finding,
        InvalidTransition,
        lambda: finding.send_back(env("整改不彻底")),
        words=(Status.ONGOING.label, "退回"),
    )


def test_office_cannot_send_back_a_struck_off_finding(finding, env):
    struck_off(finding, env)
    refuses(finding, InvalidTransition, lambda: finding.send_back(env("反弹")))


def test_replaying_the_events_rebuilds_the_same_status(make_finding, env, replay):
    finding = make_finding()
    claimed(finding, env)
    finding.send_back(env("整改不彻底"))
    report(finding, env, "返工")
    finding.claim_completion(env(), "返工完成")
    events = finding.collect_events()
    rebuilt = replay(events)
    assert rebuilt.status is finding.status is Status.CLAIMED
    assert rebuilt.version == finding.version == len(events)
    assert rebuilt.reports.keys() == finding.reports.keys()
