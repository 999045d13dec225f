"""Event records: what projections read, decoded with orjson only.

Projections do not validate events into Pydantic models: the events were
validated when they were decided, and a rebuild reads a million of them.
A record keeps the state as a plain dict (ids and dates as strings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from ledger.domain.values import BEIJING


class Record:
    """One stored event as projections see it; handlers only read it.

    ``state`` (the event's fields, as the mapper's JSON decodes) is decoded
    on first use: most events of a rebuild need only their times, which are
    read from the bytes directly (see ``decode``). The recording time is
    converted on first use too: most events on the write path are progress
    reports, whose read model needs only the effective day.
    """

    __slots__ = (
        "_raw",
        "_recorded",
        "_state",
        "effective",
        "originator_id",
        "position",
        "topic",
        "version",
    )

    def __init__(
        self,
        position: int,
        originator_id: str,
        version: int,
        topic: str,
        recorded: int | str,
        effective: date,
        raw: bytes,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.position = position
        self.originator_id = originator_id
        self.version = version
        self.topic = topic
        self._recorded = recorded  # µs since the epoch, or the ISO time not converted yet
        self.effective = effective
        self._raw = raw
        self._state = state

    @property
    def recorded_us(self) -> int:
        """The recording time in microseconds since the epoch."""
        recorded = self._recorded
        if type(recorded) is str:
            recorded = self._recorded = (datetime.fromisoformat(recorded) - _EPOCH) // _US
        return recorded  # type: ignore[return-value]

    @property
    def state(self) -> dict[str, Any]:
        state = self._state
        if state is None:
            state = self._state = orjson.loads(self._raw)
        return state

    @property
    def actor(self) -> dict[str, Any]:
        """The envelope's actor: decoded from its own bytes while the state is not
        (one row per event of the audit index needs only the actor)."""
        if self._state is None:
            actor = _actor(self._raw)
            if actor is not None:
                return actor
        actor = self.state["envelope"]["actor"]
        assert isinstance(actor, dict)
        return actor


def record(position: int, originator_id: Any, version: int, topic: str, state: bytes) -> Record:
    """Decode one stored event (its state bytes are the mapper's JSON)."""
    return decode(position, str(originator_id), version, topic, state)


def decode(position: int, originator_id: str, version: int, topic: str, state: bytes) -> Record:
    """Decode one event as read from the events table: the id as text (SQLite
    keeps it as 32 hex digits, PostgreSQL spells it out)."""
    if len(originator_id) == 32:
        o = originator_id.lower()
        originator_id = f"{o[:8]}-{o[8:12]}-{o[12:16]}-{o[16:20]}-{o[20:]}"
    elif len(originator_id) != 36:
        originator_id = str(UUID(originator_id))
    data = None
    times = _times(state)
    if times is None:  # not the mapper's usual layout: decode it all
        data = orjson.loads(state)
        times = data["timestamp"], data["envelope"]["effective_at"]
    effective = times[1]
    day = (
        date.fromisoformat(effective[:10])
        if effective.endswith("+08:00")  # as beijing_day, inline: a million calls
        else beijing_day(effective)
    )
    return Record(position, originator_id, version, topic, times[0], day, state, data)


_HEAD = b'{"timestamp":"'
_ENVELOPE = b',"envelope":{"actor":{'
_EFFECTIVE = b'"effective_at":"'


def _times(state: bytes) -> tuple[str, str] | None:
    """The recording and effective times, found in the bytes the mapper wrote.

    Its JSON starts with the timestamp; the envelope follows (after at most
    the originator topic), and in it the actor, whose keys are fixed and whose
    values are strings. Inside a JSON string every quote is escaped, so
    ``"effective_at":"`` cannot occur in one: its first occurrence after the
    envelope opens is the envelope's own key. Any other layout gives None.
    """
    if not state.startswith(_HEAD):
        return None
    end = state.find(b'"', 14)
    envelope = state.find(_ENVELOPE, end)
    if envelope < 0:
        return None
    at = state.find(_EFFECTIVE, envelope) + len(_EFFECTIVE)
    stop = state.find(b'"', at)
    if at < len(_EFFECTIVE) or stop < 0:
        return None
    return state[14:end].decode(), state[at:stop].decode()


_ACTOR_END = b'},"effective_at":"'


def _actor(state: bytes) -> dict[str, Any] | None:
    """The actor object, cut from the bytes the mapper wrote, or None.

    The actor opens the envelope and the effective time follows it. As in
    ``_times``, ``"effective_at":"`` cannot occur inside a JSON string, so the
    first ``},"effective_at":"`` after the actor opens closes the actor when that
    layout holds; with any other layout the cut is not one JSON object and
    orjson refuses it (then the caller decodes the whole state).
    """
    start = state.find(_ENVELOPE)
    if start < 0:
        return None
    start += len(_ENVELOPE) - 1  # the actor's opening brace
    end = state.find(_ACTOR_END, start)
    if end < 0:
        return None
    try:
        actor = orjson.loads(state[start : end + 1])
    except orjson.JSONDecodeError:
        return None
    return actor if isinstance(actor, dict) else None


def beijing_day(moment: str) -> date:
    """The Beijing date of an ISO time; most are written in Beijing time already."""
    if moment.endswith("+08:00"):
        return date.fromisoformat(moment[:10])  # BEIJING is a fixed +08:00
    if moment.endswith("+00:00") and moment[10:11] == "T" and moment[13:14] == ":":
        # UTC, as commands record the time by default: the Beijing day is the same
        # day before 16:00 and the next one from 16:00 (a fixed eight hours ahead).
        day = date.fromisoformat(moment[:10])
        return day + _DAY if moment[11:13] >= "16" else day
    return datetime.fromisoformat(moment).astimezone(BEIJING).date()


def records(stored: Sequence[Any], positions: Iterable[int]) -> list[Record]:
    """Records for stored events (or notifications) and their positions."""
    return [
        record(p, s.originator_id, s.originator_version, s.topic, s.state)
        for s, p in zip(stored, positions, strict=True)
    ]


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch: recorded times are compared as integers."""
    return (moment - _EPOCH) // _US


def from_us(us: int) -> datetime:
    """A recording time in microseconds since the epoch, as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
_US = timedelta(microseconds=1)
_DAY = timedelta(days=1)
