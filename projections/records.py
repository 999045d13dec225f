"""Event records: what projections read, decoded with orjson only.

Projections do not validate events into Pydantic models: the events were
validated when they were decided, and a rebuild reads a million of them.
A record keeps the state as a plain dict (ids and dates as strings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from ledger.domain.values import BEIJING


@dataclass(frozen=True, slots=True)
class Record:
    """One stored event as projections see it."""

    position: int
    originator_id: str
    version: int
    topic: str
    recorded_us: int
    effective: date
    state: dict[str, Any]


def record(position: int, originator_id: Any, version: int, topic: str, state: bytes) -> Record:
    """Decode one stored event (its state bytes are the mapper's JSON)."""
    data = orjson.loads(state)
    recorded = datetime.fromisoformat(data["timestamp"])
    effective = datetime.fromisoformat(data["envelope"]["effective_at"])
    return Record(
        position=position,
        originator_id=str(originator_id),
        version=version,
        topic=topic,
        recorded_us=to_us(recorded),
        effective=effective.astimezone(BEIJING).date(),
        state=data,
    )


def records(stored: Sequence[Any], positions: Iterable[int]) -> list[Record]:
    """Records for stored events (or notifications) and their positions."""
    return [
        record(p, s.originator_id, s.originator_version, s.topic, s.state)
        for s, p in zip(stored, positions, strict=True)
    ]


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch: recorded times are compared as integers."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """A recording time in microseconds since the epoch, as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
