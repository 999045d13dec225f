"""The ledger's ``trigger_event`` makes the events the library's own would."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from eventsourcing.domain import BaseAggregate

from ledger.domain.base import set_clock
from ledger.domain.unit import Unit


@pytest.fixture
def fixed_clock():
    set_clock(lambda: datetime(2019, 3, 1, 8, 30, tzinfo=UTC))
    yield
    set_clock(None)


def test_events_and_state_match_the_librarys_trigger_event(env, fixed_clock, monkeypatch):
    ours = Unit.register(env(), name="扶贫办", level="county")
    ours.collect_events()
    theirs = copy.deepcopy(ours)
    envelope = env("更名")
    ours.rename(envelope, "乡村振兴局")
    ours.record_headcount(envelope, year=2019, headcount=12)
    monkeypatch.setattr(Unit, "trigger_event", BaseAggregate.trigger_event)
    theirs.rename(envelope, "乡村振兴局")
    theirs.record_headcount(envelope, year=2019, headcount=12)
    mine, library = ours.collect_events(), theirs.collect_events()
    assert [type(e) for e in mine] == [Unit.Renamed, Unit.HeadcountRecorded]
    assert mine == library
    assert vars(ours) == vars(theirs)
