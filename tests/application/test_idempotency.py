"""Idempotency keys: a retried command returns the first receipt and writes nothing."""

from __future__ import annotations

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.errors import IdempotencyConflict, InvalidTransition
from ledger.domain.finding import Finding
from ledger.domain.values import Actor


def keyed(key, **more):
    return CommandContext(idempotency_key=key, **more)


def findings_of(ledger, inspection):
    events = [
        ledger.mapper.to_domain_event(n)
        for n in ledger.recorder.select_notifications(start=1, limit=100_000)
    ]
    return [e for e in events if isinstance(e, Finding.Recorded) and e.inspection_id == inspection]


def test_recording_a_finding_twice_with_one_key_creates_one_finding(
    ledger, office, world, snapshot
):
    def record():
        return ledger.record_finding(
            office,
            world.inspection,
            category=["二、资金管理"],
            number="(二)1",
            text="扶贫资金滞留闲置",
            deadline="2019-06-30",
            ctx=keyed("rec-(二)1"),
        )

    first = record()
    after_first = snapshot()
    second = record()
    assert not first.replayed and second.replayed
    assert (second.id, second.version, second.correlation_id, second.item_id) == (
        first.id,
        first.version,
        first.correlation_id,
        first.item_id,
    )
    assert snapshot() == after_first
    assert len(findings_of(ledger, world.inspection)) == 2  # the world's one and this one


def test_a_retried_progress_report_returns_the_same_report_id(ledger, office, world, snapshot):
    def report():
        return ledger.report_progress(
            office,
            world.finding,
            narrative="劝返复学138人",
            figures=[{"name": "劝返复学", "value": "138", "of_total": "202"}],
            ctx=keyed("report-1", reason="按月报告"),
        )

    first = report()
    after_first = snapshot()
    second = report()
    assert second.replayed and second.item_id == first.item_id is not None
    assert snapshot() == after_first
    assert ledger.get_finding(world.finding).version == first.version


def test_a_retry_is_replayed_even_though_repeating_it_would_now_be_refused(ledger, office, world):
    first = ledger.mark_long_term(office, world.finding, ctx=keyed("lt-1"))
    again = ledger.mark_long_term(office, world.finding, ctx=keyed("lt-1"))
    assert again.replayed and again.id == first.id and again.version == first.version
    assert ledger.get_finding(world.finding).long_term


@pytest.mark.parametrize("backend_url", ["sqlite", "postgres"], indirect=True)
def test_a_retry_through_another_application_instance_is_replayed(
    ledger, backend_url, office, world, snapshot
):
    first = ledger.report_progress(office, world.finding, narrative="进展", ctx=keyed("r-9"))
    after_first = snapshot()
    other = Ledger(Settings(backend_url))
    try:
        again = other.report_progress(office, world.finding, narrative="进展", ctx=keyed("r-9"))
    finally:
        other.close()
    assert again.replayed and (again.id, again.item_id) == (first.id, first.item_id)
    assert snapshot() == after_first


@pytest.mark.parametrize(
    "retry",
    [
        lambda app, o, w: app.report_progress(o, w.finding, narrative="另一份报告", ctx=keyed("k")),
        lambda app, o, w: app.claim_completion(
            o, w.finding, summary="劝返复学138人", ctx=keyed("k")
        ),
        lambda app, o, w: app.report_progress(
            Actor(id="office-2", name="李", role=o.role),
            w.finding,
            narrative="劝返复学138人",
            ctx=keyed("k"),
        ),
        lambda app, o, w: app.report_progress(
            o, w.finding, narrative="劝返复学138人", ctx=keyed("k", reason="另一个理由")
        ),
    ],
    ids=["different-args", "different-command", "different-actor", "different-reason"],
)
def test_reusing_a_key_for_a_different_command_is_refused_and_writes_nothing(
    ledger, office, world, snapshot, retry
):
    ledger.report_progress(office, world.finding, narrative="劝返复学138人", ctx=keyed("k"))
    before = snapshot()
    with pytest.raises(IdempotencyConflict) as caught:
        retry(ledger, office, world)
    assert caught.value.field == "idempotency_key"
    assert "k" in caught.value.message
    assert snapshot() == before


def test_a_refused_command_does_not_use_up_its_key(ledger, office, world):
    with pytest.raises(InvalidTransition):
        ledger.verify(office, world.finding, ctx=keyed("v-1"))
    ledger.claim_completion(office, world.finding, summary="完成")
    receipt = ledger.verify(office, world.finding, ctx=keyed("v-1"))
    assert not receipt.replayed


def test_keys_are_stored_once_per_command(ledger, office, world, snapshot):
    before = snapshot()[3]
    ledger.report_progress(office, world.finding, narrative="一", ctx=keyed("a"))
    ledger.report_progress(office, world.finding, narrative="二", ctx=keyed("b"))
    ledger.report_progress(office, world.finding, narrative="二", ctx=keyed("b"))
    keys = [row[0] for row in snapshot()[3]]
    assert before == [] and keys == ["a", "b"]


def test_a_batch_reads_the_keys_under_its_prefix_up_front(ledger, office, world, snapshot):
    first = ledger.report_progress(office, world.finding, narrative="进展", ctx=keyed("imp:a:1"))
    outside = ledger.report_progress(office, world.finding, narrative="另一份", ctx=keyed("x:1"))
    before = snapshot()
    with ledger.batch(keys="imp:a:"):
        again = ledger.report_progress(
            office, world.finding, narrative="进展", ctx=keyed("imp:a:1")
        )
        other = ledger.report_progress(office, world.finding, narrative="另一份", ctx=keyed("x:1"))
        new = ledger.report_progress(office, world.finding, narrative="新的", ctx=keyed("imp:a:2"))
        twice = ledger.report_progress(
            office, world.finding, narrative="新的", ctx=keyed("imp:a:2")
        )
        with pytest.raises(IdempotencyConflict):
            ledger.report_progress(office, world.finding, narrative="改了", ctx=keyed("imp:a:1"))
    assert again.replayed and again.item_id == first.item_id
    assert other.replayed and other.item_id == outside.item_id
    assert not new.replayed and twice.replayed and twice.item_id == new.item_id
    after = snapshot()
    assert len(after[1]) == len(before[1]) + 1 and len(after[3]) == len(before[3]) + 1
