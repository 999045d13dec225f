"""Event and aggregate bases: every event carries the same envelope.

Events are frozen Pydantic models so that their field types (UUID, Decimal,
date, datetime, enums) survive a JSON round trip exactly: the stored JSON is
validated back into the declared types when an event is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate
from pydantic import Field

from ledger.domain.ids import uuid4
from ledger.domain.values import Actor, Frozen


def _system_clock() -> datetime:
    return datetime.now(UTC)


# The recording clock. Only tests replace it (see ``set_clock``), to record
# events "on 5 April" and ask what the ledger showed before that.
_clock: Callable[[], datetime] = _system_clock


def utc_now() -> datetime:
    """The recording clock: an aware UTC datetime."""
    return _clock()


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Replace the recording clock (``None`` restores the system clock)."""
    global _clock
    _clock = clock or _system_clock


class Envelope(Frozen):
    """Who, when, why and on what basis: recorded with every event.

    ``effective_at`` is the business time the change took effect (it may be
    earlier than the recording time when paper records are back-filled); the
    recording time is the event's ``timestamp``.
    """

    actor: Actor
    effective_at: datetime
    reason: str = ""
    basis: str = ""
    correlation_id: UUID


class DomainEvent(Frozen):
    """Base of all stored events: identity, recording time and envelope."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime = Field(default_factory=utc_now)
    envelope: Envelope


class Aggregate(BaseAggregate[UUID]):
    """Base aggregate whose events are Pydantic models with an envelope."""

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        """A new random aggregate id (callers may also pass ``id=``)."""
        return uuid4()

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        """The library's ``trigger_event`` (eventsourcing 9.5) less two steps the ledger
        has no use for: the check of an explicit ``TOPIC`` (no aggregate sets one) and a
        copy of ``kwargs`` (the call has just made them). Every event a command decides
        passes here, so they cost on every command; the event is the same."""
        kwargs["originator_id"] = self._id
        kwargs["originator_version"] = self._version + 1
        if kwargs.get("timestamp") is None:
            kwargs["timestamp"] = event_class.create_timestamp()
        try:
            new_event = event_class(**kwargs)
        except TypeError as e:
            raise TypeError(f"Can't construct event {event_class}: {e}") from None
        new_event.mutate(self)
        self._pending_events.append(new_event)

    class Event(DomainEvent, CanMutateAggregate[UUID]):
        """Base of every event that changes an existing aggregate."""

        @staticmethod
        def create_timestamp() -> datetime:
            """Recording time, from the ledger's recording clock."""
            return utc_now()

    class Created(Event, CanInitAggregate[UUID]):
        """Base of every event that creates an aggregate."""

        originator_topic: str
