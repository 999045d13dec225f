"""Event serialisation: Pydantic events to orjson bytes and back, with upcasting.

The stored state omits ``originator_id`` and ``originator_version`` (they are
columns of the stored event) and is validated back into the event class on
load, so UUID, Decimal, date, datetime and enum fields round-trip exactly.

Schema evolution: an event class may declare ``class_version: ClassVar[int] = N`` and static
methods ``upcast_v1_v2(state)``, ``upcast_v2_v3(state)`` …; a stored state
records its version under ``class_version`` when it is above 1, and older
states are upcast step by step when loaded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

_IDENTITY = {"originator_id", "originator_version"}


class OrjsonTranscoder(Transcoder):
    """Plain orjson: the mapper has already reduced events to JSON types."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=_exact)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


class PydanticMapper(Mapper[UUID]):
    """Maps Pydantic domain events to stored events and back.

    Compression and encryption are refused rather than silently ignored: the
    integrity log hashes the stored bytes, and auditors must be able to read them.
    """

    def __init__(self, transcoder: Transcoder, compressor: Any = None, cipher: Any = None) -> None:
        if compressor is not None or cipher is not None:
            raise ValueError("the ledger stores events uncompressed and unencrypted")
        super().__init__(transcoder)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        event = cast(BaseModel, domain_event)
        cls = type(event)
        # Python mode: orjson writes UUID, date, datetime and enums itself, faster
        # than Pydantic's JSON mode; Decimal goes through the transcoder's default.
        state = event.model_dump(exclude=_IDENTITY)
        topic, version = _describe(cls)
        if version > 1:
            state["class_version"] = version
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic,
            state=self.transcoder.encode(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        state: dict[str, Any] = self.transcoder.decode(stored_event.state)
        upcast(cls, state)
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        return cast(DomainEventProtocol[UUID], cls.model_validate(state))


def _exact(value: Any) -> str:
    """Decimal as its exact string (never a float); anything else is refused."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in an event")


_CLASSES: dict[type[Any], tuple[str, int]] = {}


def _describe(cls: type[Any]) -> tuple[str, int]:
    """(topic, class_version) of an event class, looked up once per class."""
    found = _CLASSES.get(cls)
    if found is None:
        found = _CLASSES[cls] = (get_topic(cls), getattr(cls, "class_version", 1))
    return found


def upcast(cls: type[Any], state: dict[str, Any]) -> None:
    """Bring a stored state up to the class's current ``class_version``, in place."""
    version = state.pop("class_version", 1)
    target = getattr(cls, "class_version", 1)
    while version < target:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
