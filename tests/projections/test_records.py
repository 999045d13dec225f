"""Records read the two times from the stored bytes and decode the rest only when asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import orjson
import pytest

from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo
from ledger.domain.base import Envelope
from ledger.domain.finding import Finding
from ledger.domain.values import BEIJING, Actor
from ledger.infrastructure.mapper import OrjsonTranscoder, PydanticMapper
from ledger.projections.records import decode, record

MAPPER = PydanticMapper(OrjsonTranscoder())
TRICKY = '","effective_at":"1999-01-01T00:00:00+08:00"},"envelope":{"actor":{"x":"'


def expected(state: bytes) -> tuple[int, Any, dict[str, Any]]:
    """The slow way: decode everything, convert the times with datetime."""
    data = orjson.loads(state)
    recorded = datetime.fromisoformat(data["timestamp"]) - datetime(1970, 1, 1, tzinfo=UTC)
    effective = datetime.fromisoformat(data["envelope"]["effective_at"])
    return recorded // timedelta(microseconds=1), effective.astimezone(BEIJING).date(), data


def report(actor: Actor, effective_at: datetime, reason: str = "") -> bytes:
    envelope = Envelope(
        actor=actor, effective_at=effective_at, reason=reason, correlation_id=uuid4()
    )
    event = Finding.ProgressReported(
        originator_id=uuid4(),
        originator_version=3,
        envelope=envelope,
        report_id=uuid4(),
        measure_id=None,
        narrative=TRICKY,
        figures=[],
        evidence=[],
    )
    return MAPPER.to_stored_event(event).state


def test_every_demo_event_decodes_to_the_same_times_and_state_as_a_full_decode(
    ledger: Ledger,
) -> None:
    load_demo(ledger)
    notifications = ledger.recorder.select_notifications(start=1, limit=10_000)
    assert len(notifications) > 500
    for n in notifications:
        r = record(n.id, n.originator_id, n.originator_version, n.topic, n.state)
        actor = r.actor  # cut from the bytes: the state is not decoded yet
        assert (r.recorded_us, r.effective, r.state) == expected(n.state), n.topic
        assert actor == r.state["envelope"]["actor"], n.topic
        assert (r.position, r.originator_id, r.version) == (
            n.id,
            str(n.originator_id),
            n.originator_version,
        )


@pytest.mark.parametrize(
    "effective_at",
    [
        datetime(2018, 3, 28, 23, 59, 59, tzinfo=BEIJING),
        datetime(2018, 3, 28, 16, 30, tzinfo=UTC),  # 00:30 on the 29th in Beijing
        datetime(2018, 3, 28, 15, 59, 59, 999_999, tzinfo=UTC),
        datetime(2018, 12, 31, 16, 0, tzinfo=UTC),  # the new year in Beijing
        datetime(2020, 2, 28, 23, 59, 59, tzinfo=UTC),  # 29 February in Beijing
        datetime(2018, 3, 28, 0, 0, tzinfo=UTC),
        datetime(2018, 3, 28, 6, 0, tzinfo=BEIJING) + timedelta(microseconds=7),
    ],
)
def test_times_are_read_exactly_whatever_the_actor_and_the_text_contain(
    effective_at: datetime,
) -> None:
    actor = Actor(id=f'a"{TRICKY}', name=TRICKY, role="inspection_office")
    state = report(actor, effective_at, reason=TRICKY)
    assert state.count(b'"effective_at":"') == 1  # the tricky texts come out escaped
    r = decode(1, uuid4().hex, 3, "t", state)
    recorded_us, effective, data = expected(state)
    assert (r.recorded_us, r.effective) == (recorded_us, effective)
    assert r.actor == data["envelope"]["actor"] and r.actor["name"] == TRICKY
    assert effective == effective_at.astimezone(BEIJING).date()
    assert r.state == data and data["narrative"] == TRICKY


def test_a_state_in_another_layout_is_decoded_in_full_with_the_same_times() -> None:
    actor = Actor(id="office-1", name="张伟", role="inspection_office")
    state = report(actor, datetime(2018, 3, 28, 16, 30, tzinfo=UTC))
    data = orjson.loads(state)
    for other in (
        orjson.dumps(data, option=orjson.OPT_INDENT_2),  # spaces after the colons
        orjson.dumps({"envelope": data["envelope"], **data}),  # envelope first
        orjson.dumps(data, option=orjson.OPT_SORT_KEYS),
    ):
        r = decode(1, uuid4().hex, 3, "t", other)
        actor = r.actor
        assert (r.recorded_us, r.effective, r.state) == expected(state)
        assert actor == data["envelope"]["actor"]


def test_the_actor_is_read_exactly_in_other_layouts_too() -> None:
    state = report(Actor(id="o", name="o", role="admin"), datetime.now(BEIJING))
    data = orjson.loads(state)
    data["envelope"]["actor"] = {"id": "o", "nested": {"a": "}"}}
    for other in (
        orjson.dumps(data),  # an object inside the actor
        state.replace(b'},"effective_at":"', b'},"other":{},"effective_at":"', 1),
    ):
        r = decode(1, uuid4().hex, 3, "t", other)
        assert r.actor == orjson.loads(other)["envelope"]["actor"]


def test_ids_read_from_either_database_come_out_in_the_canonical_form() -> None:
    uid = uuid4()
    state = report(Actor(id="o", name="o", role="admin"), datetime.now(BEIJING))
    for stored in (uid.hex, uid.hex.upper(), str(uid), f"{{{uid}}}"):
        assert decode(1, stored, 1, "t", state).originator_id == str(uid)
