"""Every stored event says who, when (recorded and effective), why, on what basis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from ledger.application.context import CommandContext
from ledger.domain.errors import InvalidInput
from ledger.domain.values import BEIJING, Role


def stored_events(ledger):
    """Every event in the log, read back from storage through the mapper."""
    notifications = ledger.recorder.select_notifications(start=1, limit=100_000)
    return [ledger.mapper.to_domain_event(n) for n in notifications]


def test_every_stored_event_carries_the_full_envelope(ledger, office, world, unit_actor):
    unit = unit_actor(world.unit_a)
    steps = [
        (
            office,
            "抽查核实",
            "内巡改办〔2019〕3号",
            lambda ctx: ledger.mark_long_term(office, world.finding, ctx=ctx),
        ),
        (
            unit,
            "按期报告",
            "兴扶办〔2019〕12号",
            lambda ctx: ledger.report_progress(unit, world.finding, narrative="完成", ctx=ctx),
        ),
        (
            unit,
            "申报销号",
            "兴扶办〔2019〕13号",
            lambda ctx: ledger.claim_completion(unit, world.finding, summary="完成", ctx=ctx),
        ),
    ]
    started = datetime.now(UTC)
    expected = {}
    for actor, reason, basis, command in steps:
        correlation = uuid4()
        command(CommandContext(reason=reason, basis=basis, correlation_id=correlation))
        expected[correlation] = (actor, reason, basis)
    finished = datetime.now(UTC)

    events = stored_events(ledger)
    assert len(events) == ledger.recorder.max_notification_id()
    for event in events:
        envelope = event.envelope
        assert envelope.actor.id and envelope.actor.name and isinstance(envelope.actor.role, Role)
        assert envelope.correlation_id is not None
        assert event.timestamp.tzinfo is not None and envelope.effective_at.tzinfo is not None
    mine = [e for e in events if e.envelope.correlation_id in expected]
    assert [type(e).__name__ for e in mine] == [
        "LongTermMarked",
        "ProgressReported",
        "CompletionClaimed",
    ]
    for event in mine:
        actor, reason, basis = expected[event.envelope.correlation_id]
        assert event.envelope.actor == actor
        assert event.envelope.actor.unit == actor.unit
        assert (event.envelope.reason, event.envelope.basis) == (reason, basis)
        assert started <= event.timestamp <= finished
        assert started <= event.envelope.effective_at <= finished
    assert mine[1].envelope.actor.role is Role.RESPONSIBLE_UNIT
    assert mine[1].envelope.actor.unit == world.unit_a


def test_each_command_gets_its_own_correlation_id_by_default(ledger, office, world):
    first = ledger.report_progress(office, world.finding, narrative="第一次")
    second = ledger.report_progress(office, world.finding, narrative="第二次")
    assert first.correlation_id != second.correlation_id
    *_, one, two = ledger.history(world.finding)
    assert (one.envelope.correlation_id, two.envelope.correlation_id) == (
        first.correlation_id,
        second.correlation_id,
    )


def test_reason_and_basis_are_stored_trimmed(ledger, office, world):
    ledger.report_progress(
        office,
        world.finding,
        narrative="进展",
        ctx=CommandContext(reason="  台账补录  ", basis=" 内巡改办〔2019〕3号 "),
    )
    last = ledger.history(world.finding)[-1]
    assert (last.envelope.reason, last.envelope.basis) == ("台账补录", "内巡改办〔2019〕3号")


def test_a_back_filled_command_stores_its_business_date_and_the_recording_time(
    ledger, office, world
):
    receipt = ledger.report_progress(
        office,
        world.finding,
        narrative="据纸质台账补录",
        ctx=CommandContext(effective_at=date(2018, 3, 28), reason="纸质台账补录"),
    )
    event = ledger.history(world.finding)[-1]
    assert event.originator_version == receipt.version
    effective = event.envelope.effective_at
    assert effective == datetime(2018, 3, 28, tzinfo=BEIJING)
    assert effective.utcoffset() == timedelta(hours=8)
    assert (effective.year, effective.month, effective.day, effective.hour) == (2018, 3, 28, 0)
    assert abs(datetime.now(UTC) - event.timestamp) < timedelta(minutes=1)


def test_an_aware_effective_datetime_is_kept_exactly(ledger, office, world):
    moment = datetime(2019, 5, 16, 9, 30, tzinfo=BEIJING)
    ledger.report_progress(
        office, world.finding, narrative="公布", ctx=CommandContext(effective_at=moment)
    )
    assert ledger.history(world.finding)[-1].envelope.effective_at == moment


def test_an_effective_time_within_clock_skew_is_accepted(ledger, office, world):
    soon = datetime.now(UTC) + timedelta(minutes=1)
    ledger.report_progress(
        office, world.finding, narrative="进展", ctx=CommandContext(effective_at=soon)
    )
    assert ledger.history(world.finding)[-1].envelope.effective_at == soon


@pytest.mark.parametrize(
    "effective_at",
    [
        date.today() + timedelta(days=2),
        datetime.now(UTC) + timedelta(hours=1),
        datetime(2019, 1, 18, 9, 0),
        "2019-01-18",
    ],
    ids=["future-date", "future-datetime", "naive-datetime", "string"],
)
def test_a_future_naive_or_malformed_effective_time_is_refused(
    ledger, office, world, snapshot, effective_at
):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        ledger.report_progress(
            office, world.finding, narrative="进展", ctx=CommandContext(effective_at=effective_at)
        )
    assert caught.value.field == "effective_at"
    assert snapshot() == before
