"""A read model that raises on an event: the command fails as a whole, nothing is written,
and the ledger goes on working once the fault is gone."""

from __future__ import annotations

import pytest

from ledger.domain.values import Actor

OFFICE = Actor(id="office-1", name="张伟", role="inspection_office")


class Broken(RuntimeError):
    pass


def explode(record, store):
    raise Broken("读模型故障")


def break_letters(projector, monkeypatch) -> None:
    """Make every handler of the letters read model raise, where the projector calls it."""
    letters = next(p for p in projector.projections if p.name == "letters")
    for topic, handler in letters.handlers.items():
        chain = [explode if h == handler else h for h in projector._by_topic[topic]]
        assert explode in chain
        monkeypatch.setitem(projector._by_topic, topic, chain)


def test_a_projection_that_raises_fails_the_command_and_the_log_is_unchanged(
    ledger, snapshot_of, monkeypatch
) -> None:
    inspection = ledger.open_inspection(
        OFFICE, kind="tour", title="巡察", inspecting_body="巡察组", inspected_body="某局"
    ).id
    finding = ledger.record_finding(
        OFFICE, inspection, category=["一、类别"], number="1", text="问题", long_term=True
    ).id
    break_letters(ledger.projector, monkeypatch)
    before = snapshot_of(ledger)
    with pytest.raises(Broken):
        ledger.issue_letter(OFFICE, finding, letter_no="督-1", level="staff")
    assert snapshot_of(ledger) == before
    # a batch of several commands: none of them
    with pytest.raises(Broken), ledger.batch():
        ledger.mark_long_term(OFFICE, finding, long_term=False)
        ledger.issue_letter(OFFICE, finding, letter_no="督-2", level="staff")
    assert snapshot_of(ledger) == before
    monkeypatch.undo()
    receipt = ledger.issue_letter(OFFICE, finding, letter_no="督-1", level="staff")
    assert receipt.version == 2  # the failed attempts left no trace, not even in the cache
    assert ledger.get_finding(finding).letters["督-1"].level.value == "staff"


def test_over_http_a_fault_is_a_500_with_a_json_body_and_nothing_recorded(
    world, snapshot_of, monkeypatch
) -> None:
    break_letters(world.ledger.projector, monkeypatch)
    before = snapshot_of(world.ledger)
    answer = world.http["office"].post(
        f"/findings/{world.finding}/letters", json={"letter_no": "督-1", "level": "staff"}
    )
    assert answer.status_code == 500
    assert answer.json()["error"] == "internal_error"
    assert snapshot_of(world.ledger) == before
