"""Optimistic concurrency: a command on a stale version is refused and writes nothing."""

from __future__ import annotations

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.errors import InvalidTransition, VersionConflict
from ledger.domain.finding import Finding
from ledger.domain.values import FindingStatus

# Two application instances can share only a real database (file or server).
SHARED = pytest.mark.parametrize("backend_url", ["sqlite", "postgres"], indirect=True)


def test_a_command_at_the_expected_version_succeeds(ledger, office, world):
    version = ledger.get_finding(world.finding).version
    receipt = ledger.report_progress(
        office, world.finding, narrative="进展", ctx=CommandContext(expected_version=version)
    )
    assert receipt.version == version + 1 == ledger.get_finding(world.finding).version


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_command_at_a_stale_or_future_version_is_refused_and_writes_nothing(
    ledger, office, world, snapshot, offset
):
    actual = ledger.get_finding(world.finding).version
    before = snapshot()
    with pytest.raises(VersionConflict) as caught:
        ledger.verify(office, world.finding, ctx=CommandContext(expected_version=actual + offset))
    assert (caught.value.expected, caught.value.actual) == (actual + offset, actual)
    assert caught.value.field == "expected_version"
    assert str(actual) in caught.value.message
    assert snapshot() == before


def test_expected_version_applies_to_inspections_and_units_too(ledger, office, admin, world):
    with pytest.raises(VersionConflict):
        ledger.file_plan(
            office, world.inspection, filed_on="2019-03-15", ctx=CommandContext(expected_version=1)
        )
    with pytest.raises(VersionConflict):
        ledger.record_headcount(
            admin, world.unit_a, year=2019, headcount=3, ctx=CommandContext(expected_version=5)
        )
    ledger.file_plan(
        office, world.inspection, filed_on="2019-03-15", ctx=CommandContext(expected_version=2)
    )


@SHARED
def test_second_instance_with_a_stale_expected_version_is_refused(
    ledger, backend_url, office, world, snapshot
):
    other = Ledger(Settings(backend_url))
    try:
        version = other.get_finding(world.finding).version
        assert version == ledger.get_finding(world.finding).version
        ledger.claim_completion(
            office, world.finding, summary="完成", ctx=CommandContext(expected_version=version)
        )
        before = snapshot()
        with pytest.raises(VersionConflict) as caught:
            other.mark_long_term(
                office, world.finding, ctx=CommandContext(expected_version=version)
            )
        assert (caught.value.expected, caught.value.actual) == (version, version + 1)
        assert snapshot() == before
    finally:
        other.close()


def _race(ledger, other, office, world, snapshot, monkeypatch, after_a):
    """Make ``other``'s next load of the finding lose a race to ``ledger`` claiming it."""
    loaded = other._load

    def load_then_lose_the_race(cls, record_id, field, *args):
        aggregate = loaded(cls, record_id, field, *args)
        if cls is Finding:
            monkeypatch.setattr(other, "_load", loaded)  # only the first load races
            ledger.claim_completion(office, world.finding, summary="A 先申报")
            after_a.append(snapshot())
        return aggregate

    monkeypatch.setattr(other, "_load", load_then_lose_the_race)


@SHARED
def test_two_instances_race_with_an_expected_version_and_the_loser_writes_nothing(
    ledger, backend_url, office, world, snapshot, monkeypatch
):
    """B loads version N, A saves a change, then B saves expecting N: B gets a conflict."""
    other = Ledger(Settings(backend_url))
    after_a: list = []
    try:
        version = other.get_finding(world.finding).version
        _race(ledger, other, office, world, snapshot, monkeypatch, after_a)
        with pytest.raises(VersionConflict) as caught:
            other.report_progress(
                office,
                world.finding,
                narrative="B 的进展",
                ctx=CommandContext(expected_version=version),
            )
        assert caught.value.field == "expected_version"
        assert snapshot() == after_a[0]
        history = [type(e).__name__ for e in other.history(world.finding)]
        assert history[-1] == "CompletionClaimed"
        assert other.get_finding(world.finding).status is FindingStatus.CLAIMED
    finally:
        other.close()


@SHARED
def test_a_loser_without_an_expected_version_decides_again_on_fresh_state(
    ledger, backend_url, office, world, snapshot, monkeypatch
):
    """Without an expected version, B's command is decided again after A's write."""
    other = Ledger(Settings(backend_url))
    after_a: list = []
    try:
        _race(ledger, other, office, world, snapshot, monkeypatch, after_a)
        receipt = other.report_progress(office, world.finding, narrative="B 的进展")
        history = [type(e).__name__ for e in other.history(world.finding)]
        assert history[-2:] == ["CompletionClaimed", "ProgressReported"]
        assert receipt.version == len(history)
    finally:
        other.close()


@SHARED
def test_two_racing_claims_exactly_one_wins(
    ledger, backend_url, office, world, snapshot, monkeypatch
):
    """B decides to claim on stale state; decided again after A's claim, it is refused."""
    other = Ledger(Settings(backend_url))
    after_a: list = []
    try:
        _race(ledger, other, office, world, snapshot, monkeypatch, after_a)
        with pytest.raises(InvalidTransition):
            other.claim_completion(office, world.finding, summary="B 也申报")
        assert snapshot() == after_a[0]
    finally:
        other.close()
