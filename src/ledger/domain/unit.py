"""Units (责任单位) and people: reference data, also recorded as events."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain import rules
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.errors import InvalidInput, InvalidTransition
from ledger.domain.values import UnitLevel


class Unit(Aggregate):
    """A unit: name, parent, administrative level and headcount by year."""

    class Registered(Aggregate.Created):
        """A unit was registered."""

        name: str
        parent_id: UUID | None
        level: UnitLevel

    class Renamed(Aggregate.Event):
        """The unit's name changed."""

        name: str

    class HeadcountRecorded(Aggregate.Event):
        """The unit's staff headcount for one year (for the 10% accountability rule)."""

        year: int
        headcount: int

    @event(Registered)
    def __init__(
        self, envelope: Envelope, name: str, parent_id: UUID | None, level: UnitLevel
    ) -> None:
        self.name = name
        self.parent_id = parent_id
        self.level = level
        self.headcount: dict[int, int] = {}

    @classmethod
    def register(cls, envelope: Envelope, *, name: str, level: str, parent_id: Any = None) -> Unit:
        """Validate and register a unit."""
        parent = None if parent_id is None else rules.uuid("parent_id", parent_id)
        return cls(
            envelope=envelope,
            name=rules.text("name", name),
            parent_id=parent,
            level=rules.enum("level", UnitLevel, level),
        )

    def rename(self, envelope: Envelope, name: str) -> None:
        """Rename the unit; the old name stays in history."""
        new = rules.text("name", name)
        if new == self.name:
            raise InvalidTransition(f"单位名称已是「{new}」", field="name")
        self._renamed(envelope, new)

    @event(Renamed)
    def _renamed(self, envelope: Envelope, name: str) -> None:
        self.name = name

    def record_headcount(self, envelope: Envelope, *, year: Any, headcount: Any) -> None:
        """Record the headcount for a year; a later record for the same year supersedes."""
        y = rules.count("year", year)
        if not 1949 <= y <= 2100:
            raise InvalidInput(f"年份 {y} 不在 1949–2100 之间", field="year")
        self._headcount_recorded(envelope, y, rules.count("headcount", headcount))

    @event(HeadcountRecorded)
    def _headcount_recorded(self, envelope: Envelope, year: int, headcount: int) -> None:
        self.headcount[year] = headcount


class Person(Aggregate):
    """A person who may hold positions in units over time."""

    class Registered(Aggregate.Created):
        """A person was registered."""

        name: str

    class PositionTaken(Aggregate.Event):
        """The person took up a position in a unit."""

        unit_id: UUID
        title: str
        rank: str
        start: date

    class PositionLeft(Aggregate.Event):
        """The person left a position."""

        unit_id: UUID
        title: str
        end: date

    @event(Registered)
    def __init__(self, envelope: Envelope, name: str) -> None:
        self.name = name
        self.positions: dict[tuple[UUID, str], date] = {}

    @classmethod
    def register(cls, envelope: Envelope, *, name: str) -> Person:
        """Validate and register a person."""
        return cls(envelope=envelope, name=rules.text("name", name))

    def take_position(
        self, envelope: Envelope, *, unit_id: Any, title: str, rank: str = "", start: object
    ) -> None:
        """Record that the person holds a position from ``start``."""
        unit = rules.uuid("unit_id", unit_id)
        name = rules.text("title", title)
        if (unit, name) in self.positions:
            raise InvalidTransition(f"已在该单位担任「{name}」", field="title")
        day = rules.day("start", start)
        self._position_taken(envelope, unit, name, rules.text("rank", rank, optional=True), day)

    @event(PositionTaken)
    def _position_taken(
        self, envelope: Envelope, unit_id: UUID, title: str, rank: str, start: date
    ) -> None:
        self.positions[(unit_id, title)] = start

    def leave_position(self, envelope: Envelope, *, unit_id: Any, title: str, end: object) -> None:
        """Record that the person left a position; the end may not precede the start."""
        unit = rules.uuid("unit_id", unit_id)
        start = self.positions.get((unit, title))
        if start is None:
            raise InvalidTransition(f"未在该单位担任「{title}」", field="title")
        day = rules.day("end", end)
        rules.not_before("end", day, start, "任职日期")
        self._position_left(envelope, unit, title, day)

    @event(PositionLeft)
    def _position_left(self, envelope: Envelope, unit_id: UUID, title: str, end: date) -> None:
        del self.positions[(unit_id, title)]
