"""Replay one record's events: its timeline with field-level changes, its state at any
point on both time axes, and the difference between two points.

Everything here is computed from the event store alone, so it answers for
any kind of record (finding, inspection, unit, person, and whatever comes
later) exactly as the events say, with no read model in between.

A point is (``as_of`` effective date, ``known_at`` recorded time). The state
at a point folds, in version order, the events recorded by ``known_at``
whose effective date is on or before ``as_of``. On the recorded axis alone
that is a prefix of the record's history; on the effective axis a
back-filled event may apply although a later version does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from ledger.domain import rules
from ledger.domain.errors import NotFound
from ledger.domain.values import beijing_date_of

HIDDEN = {"_id", "_version", "_created_on", "_modified_on", "_pending_events", "history"}


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after (``None`` where it did not exist)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Entry:
    """One event of a record's timeline: who, when, why, and what it changed."""

    record_id: UUID
    version: int
    kind: str
    actor_id: str
    actor_name: str
    actor_role: str
    actor_unit: UUID | None
    recorded_at: datetime
    effective_at: datetime
    reason: str
    basis: str
    correlation_id: UUID
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class Point:
    """A moment on both axes; ``None`` means "no limit" on that axis."""

    as_of: date | None = None
    known_at: datetime | None = None

    def holds(self, event: Any) -> bool:
        if self.known_at is not None and event.timestamp > self.known_at:
            return False
        return self.as_of is None or beijing_date_of(event.envelope.effective_at) <= self.as_of


@dataclass(frozen=True)
class Difference:
    """What differs between two points, and the events that make the difference."""

    changes: list[FieldChange]
    added: list[Entry]
    removed: list[Entry]


def events_of(app: Any, record_id: Any) -> list[Any]:
    """Every event of one record, oldest first; NotFound if there are none."""
    uid = rules.uuid("record_id", record_id)
    events = list(app.events.get(uid))
    if not events:
        raise NotFound(f"没有编号为 {record_id} 的记录", field="record_id")
    return events


def timeline(app: Any, record_id: Any, point: Point | None = None) -> list[Entry]:
    """Each event with its envelope and the fields it changed.

    At a ``point``, only the events that hold there, each with the changes it
    made to the state folded so far (as :func:`fold` builds it); empty if the
    record did not exist yet at that point.
    """
    entries: list[Entry] = []
    before: dict[str, Any] = {}  # flattened: each snapshot is flattened once, not twice
    aggregate = None
    for event in events_of(app, record_id):
        if point is not None and not point.holds(event):
            continue
        if aggregate is not None:
            aggregate.version = event.originator_version - 1  # skipped events leave gaps
        elif event.originator_version != 1:
            return []  # the creating event is not known at this point
        aggregate = event.mutate(aggregate)
        after = flatten(snapshot(aggregate))
        entries.append(entry(event, _changed(before, after)))
        before = after
    return entries


def state_at(app: Any, record_id: Any, point: Point) -> dict[str, Any] | None:
    """The record's fields at ``point`` (``None`` if it did not exist yet)."""
    return fold(events_of(app, record_id), point)


def difference(app: Any, record_id: Any, old: Point, new: Point) -> Difference:
    """Field changes from ``old`` to ``new`` and the events in one point but not the other."""
    events = events_of(app, record_id)
    before, after = fold(events, old) or {}, fold(events, new) or {}
    added = [entry(e) for e in events if new.holds(e) and not old.holds(e)]
    removed = [entry(e) for e in events if old.holds(e) and not new.holds(e)]
    return Difference(diff(before, after), added, removed)


def fold(events: Iterable[Any], point: Point) -> dict[str, Any] | None:
    """Apply, in version order, the events that hold at ``point``."""
    aggregate = None
    for event in events:
        if not point.holds(event):
            continue
        if aggregate is not None:
            aggregate.version = event.originator_version - 1  # skipped events leave gaps
        elif event.originator_version != 1:
            return None  # the creating event is not known at this point
        aggregate = event.mutate(aggregate)
    return None if aggregate is None else snapshot(aggregate)


def entry(event: Any, changes: list[FieldChange] | None = None) -> Entry:
    envelope = event.envelope
    actor = envelope.actor
    return Entry(
        record_id=event.originator_id,
        version=event.originator_version,
        kind=type(event).__qualname__,
        actor_id=actor.id,
        actor_name=actor.name,
        actor_role=actor.role.value,
        actor_unit=actor.unit,
        recorded_at=event.timestamp,
        effective_at=envelope.effective_at,
        reason=envelope.reason,
        basis=envelope.basis,
        correlation_id=envelope.correlation_id,
        changes=changes or [],
    )


def snapshot(aggregate: Any) -> dict[str, Any]:
    """The aggregate's fields as plain, comparable JSON-like values."""
    fields = {k: v for k, v in vars(aggregate).items() if k not in HIDDEN}
    return {"id": str(aggregate.id), "version": aggregate.version, **plain(fields)}


_LEAVES = frozenset({str, int, bool, float, type(None)})  # exact types: not enums


def plain(value: Any) -> Any:
    if type(value) in _LEAVES:  # most values: skip the probing below
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return plain(vars(value))
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Leaf-level changes between two snapshots, as dotted paths (``measures.<id>.text``)."""
    return _changed(flatten(before), flatten(after))


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(path, old.get(path), new.get(path))
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path) and path != "version"
    ]


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts become dotted paths; lists of records get their index.

    Empty dicts and lists have no leaves: a field that goes from empty to
    holding something shows as its new leaves, not as a vanished container.
    """
    if isinstance(value, dict | list) and not value:
        return {}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}
