"""Events round-trip their exact types and values, and old versions are upcast.

"Exactly" means type and value: a Decimal keeps its digits and exponent
(``0.10`` stays ``0.10``), a datetime keeps its UTC offset, an enum comes back
as its member, a UUID as a UUID, a date as a date, nested Figure and Evidence
lists as those models.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from ledger.application.ledger import Ledger
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.finding import Finding
from ledger.domain.unit import Unit
from ledger.domain.values import (
    Actor,
    EscalationLevel,
    Evidence,
    Figure,
    MeasureKind,
    Role,
    UnitLevel,
)
from ledger.infrastructure.mapper import OrjsonTranscoder, PydanticMapper

MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())
PLUS_8 = timezone(timedelta(hours=8))
AT_UTC = datetime(2018, 5, 9, 1, 30, 15, 123456, tzinfo=UTC)
AT_BEIJING = datetime(2018, 5, 9, 9, 30, 15, tzinfo=PLUS_8)


def assert_identical(loaded: Any, original: Any, where: str = "event") -> None:
    """Same type and same value all the way down (Decimal exponent, UTC offset)."""
    assert type(loaded) is type(original), where
    if isinstance(original, BaseModel):
        for name in type(original).model_fields:
            assert_identical(getattr(loaded, name), getattr(original, name), f"{where}.{name}")
    elif isinstance(original, list | tuple):
        assert len(loaded) == len(original), where
        for i, (a, b) in enumerate(zip(loaded, original, strict=True)):
            assert_identical(a, b, f"{where}[{i}]")
    elif isinstance(original, Decimal):
        assert loaded.as_tuple() == original.as_tuple(), where
    elif isinstance(original, datetime):
        assert loaded.isoformat() == original.isoformat(), where
        assert loaded.utcoffset() == original.utcoffset(), where
    else:
        assert loaded == original, where


def envelope(at: datetime = AT_BEIJING) -> Envelope:
    unit_actor = Actor(id="unit-7", name="王芳", role=Role.RESPONSIBLE_UNIT, unit=uuid4())
    return Envelope(
        actor=unit_actor,
        effective_at=at,
        reason="按期推进",
        basis="陇扶办〔2018〕12号",
        correlation_id=uuid4(),
    )


FIGURES = [
    Figure(name="整改资金", value=Decimal("3621900.00"), unit="元"),
    Figure(name="比例", value=Decimal("0.10")),
    Figure(name="劝返复学", value=Decimal("138"), unit="人", of_total=Decimal("202")),
    Figure(name="大数", value=Decimal("1E+3"), of_total=Decimal("2.50E+4")),
]
EVIDENCE = [
    Evidence(
        title="整改报告", document_no="陇扶办〔2018〕12号", sha256="ab" * 32, location="档案室"
    ),
    Evidence(title="照片"),
]


def sample_events() -> list[Aggregate.Event]:
    """One event of each shape, with every field type the ledger stores."""
    finding_id = uuid4()
    return [
        Unit.Registered(
            originator_id=uuid4(),
            originator_version=1,
            timestamp=AT_UTC,
            envelope=envelope(AT_UTC),
            originator_topic=get_topic(Unit),
            name="陇川县扶贫办",
            parent_id=uuid4(),
            level=UnitLevel.COUNTY,
        ),
        Finding.MeasureAdded(
            originator_id=finding_id,
            originator_version=3,
            timestamp=AT_UTC,
            envelope=envelope(),
            measure_id=uuid4(),
            kind=MeasureKind.RULES,
            text="建立健全动态管理机制",
            owner_unit=uuid4(),
            deadline=date(2018, 6, 10),
            long_term=False,
        ),
        Finding.ProgressReported(
            originator_id=finding_id,
            originator_version=4,
            timestamp=AT_UTC,
            envelope=envelope(),
            report_id=uuid4(),
            measure_id=None,
            narrative="第一行\n第二行",
            figures=FIGURES,
            evidence=EVIDENCE,
        ),
        Finding.LetterIssued(
            originator_id=finding_id,
            originator_version=5,
            timestamp=AT_UTC,
            envelope=envelope(),
            letter_no="督〔2018〕3号",
            level=EscalationLevel.DEPUTY,
            addressed_to=uuid4(),
            due_date=date(2018, 7, 1),
        ),
    ]


def event_id(event: Any) -> str:
    return type(event).__qualname__


@pytest.mark.parametrize("event", sample_events(), ids=event_id)
def test_every_field_type_round_trips_exactly_through_the_mapper(event: Any) -> None:
    loaded = MAPPER.to_domain_event(MAPPER.to_stored_event(event))
    assert_identical(loaded, event)
    assert loaded == event


@pytest.mark.parametrize("text", ["3621900.00", "0.10", "138", "1E+3", "1.0E+5", "-0.00", "0"])
def test_a_decimal_keeps_its_digits_and_exponent(text: str) -> None:
    (event,) = [e for e in sample_events() if isinstance(e, Finding.ProgressReported)]
    figure = Figure(name="数", value=Decimal(text))
    event = event.model_copy(update={"figures": [figure]})
    stored = MAPPER.to_stored_event(event)
    assert f'"value":"{text}"'.encode() in stored.state  # a string, never a float
    value = MAPPER.to_domain_event(stored).figures[0].value  # type: ignore[attr-defined]
    assert type(value) is Decimal
    assert str(value) == text
    assert value.as_tuple() == Decimal(text).as_tuple()


@pytest.mark.parametrize(
    ("moment", "offset"), [(AT_UTC, timedelta(0)), (AT_BEIJING, timedelta(hours=8))]
)
def test_a_datetime_keeps_its_utc_offset(moment: datetime, offset: timedelta) -> None:
    event = sample_events()[0].model_copy(update={"timestamp": moment})
    loaded = MAPPER.to_domain_event(MAPPER.to_stored_event(event))
    assert type(loaded.timestamp) is datetime  # type: ignore[attr-defined]
    assert loaded.timestamp.utcoffset() == offset  # type: ignore[attr-defined]
    assert loaded.timestamp == moment  # type: ignore[attr-defined]
    assert loaded.timestamp.isoformat() == moment.isoformat()  # type: ignore[attr-defined]


def test_stored_state_leaves_identity_to_the_stored_event_columns() -> None:
    for event in sample_events():
        stored = MAPPER.to_stored_event(event)
        state = orjson.loads(stored.state)
        assert "originator_id" not in state
        assert "originator_version" not in state
        assert "class_version" not in state  # every ledger event is still at version 1
        assert stored.originator_id == event.originator_id
        assert stored.originator_version == event.originator_version
        assert stored.topic == get_topic(type(event))
        assert resolve_topic(stored.topic) is type(event)


def test_every_field_type_round_trips_exactly_through_a_real_save_and_load(
    ledger: Ledger,
) -> None:
    events = sample_events()
    ledger.save(*events)
    loaded = [
        e
        for record in dict.fromkeys(e.originator_id for e in events)
        for e in ledger.events.get(record)
    ]
    assert len(loaded) == len(events)
    for got, want in zip(loaded, events, strict=True):
        assert_identical(got, want)


def test_stored_bytes_are_exactly_what_the_mapper_produced(ledger: Ledger) -> None:
    events = sample_events()
    ledger.save(*events)
    for event in events:
        (stored,) = ledger.recorder.select_events(
            event.originator_id,
            gt=event.originator_version - 1,
            lte=event.originator_version,
        )
        assert stored.state == MAPPER.to_stored_event(event).state


# --- upcasting -------------------------------------------------------------------------


class Noted(Aggregate.Event):
    """Test-local event now at version 2: ``priority`` was added (default "normal")."""

    class_version: ClassVar[int] = 2

    text: str
    priority: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["priority"] = "normal"


class Renoted(Aggregate.Event):
    """Test-local event at version 3: v2 added ``priority``, v3 renamed ``text`` to ``body``."""

    class_version: ClassVar[int] = 3

    body: str
    priority: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["priority"] = "normal"

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["body"] = state.pop("text")


def v1_state(**fields: Any) -> bytes:
    """A state as version 1 of a test event stored it: no class_version key."""
    state = {
        "timestamp": "2018-05-09T01:30:15.123456Z",
        "envelope": envelope().model_dump(mode="json"),
        **fields,
    }
    return orjson.dumps(state)


def test_the_test_event_topics_resolve() -> None:
    assert resolve_topic(get_topic(Noted)) is Noted
    assert resolve_topic(get_topic(Renoted)) is Renoted


def test_a_version_1_state_is_upcast_when_loaded() -> None:
    originator_id = uuid4()
    stored = StoredEvent(
        originator_id=originator_id,
        originator_version=2,
        topic=get_topic(Noted),
        state=v1_state(text="旧事件"),
    )
    event = MAPPER.to_domain_event(stored)
    assert type(event) is Noted
    assert event.priority == "normal"
    assert event.text == "旧事件"
    assert (event.originator_id, event.originator_version) == (originator_id, 2)
    assert event.timestamp == AT_UTC


def test_a_version_2_event_stores_its_class_version_and_is_not_upcast_again() -> None:
    event = Noted(
        originator_id=uuid4(),
        originator_version=2,
        envelope=envelope(),
        text="新事件",
        priority="urgent",
    )
    stored = MAPPER.to_stored_event(event)
    state = orjson.loads(stored.state)
    assert state["class_version"] == 2
    assert state["priority"] == "urgent"
    loaded = MAPPER.to_domain_event(stored)
    assert_identical(loaded, event)


def test_upcasts_run_in_order_from_the_stored_version() -> None:
    from_v1 = StoredEvent(uuid4(), 1, get_topic(Renoted), v1_state(text="甲"))
    from_v2 = StoredEvent(
        uuid4(), 1, get_topic(Renoted), v1_state(text="乙", priority="low", class_version=2)
    )
    v1, v2 = MAPPER.to_domain_event(from_v1), MAPPER.to_domain_event(from_v2)
    assert (v1.body, v1.priority) == ("甲", "normal")  # type: ignore[attr-defined]
    assert (v2.body, v2.priority) == ("乙", "low")  # type: ignore[attr-defined]
    stored = MAPPER.to_stored_event(v1)
    assert orjson.loads(stored.state)["class_version"] == 3


def test_a_version_1_event_in_the_store_is_upcast_on_load(ledger: Ledger) -> None:
    originator_id = uuid4()
    ledger.recorder.insert_events(
        [StoredEvent(originator_id, 1, get_topic(Noted), v1_state(text="旧事件"))]
    )
    (event,) = ledger.events.get(originator_id)
    assert type(event) is Noted
    assert event.priority == "normal"
    assert isinstance(event.originator_id, UUID)
