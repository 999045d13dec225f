"""Reference data commands: units and people."""

from __future__ import annotations

from typing import Any

from ledger.application.context import NO_CONTEXT, CommandContext, Receipt
from ledger.application.core import LedgerCore
from ledger.domain.base import Envelope
from ledger.domain.unit import Person, Unit
from ledger.domain.values import Actor

C = NO_CONTEXT


class UnitCommands(LedgerCore):
    """Register units and people and keep them current."""

    def register_unit(
        self, actor: Actor, *, name: str, level: str, parent_id: Any = None, ctx: CommandContext = C
    ) -> Receipt:
        """Register a unit under an optional parent; returns its id."""
        args = {"name": name, "level": level, "parent_id": parent_id}

        def work(envelope: Envelope) -> tuple[Any, ...]:
            if parent_id is not None:
                self._load(Unit, parent_id, "parent_id")
            unit = Unit.register(envelope, name=name, level=level, parent_id=parent_id)
            return unit.id, [unit]

        return self._run("register_unit", actor, ctx, args, work)

    def rename_unit(
        self, actor: Actor, unit_id: Any, *, name: str, ctx: CommandContext = C
    ) -> Receipt:
        """Rename a unit."""
        return self._change(
            Unit,
            "unit_id",
            "rename_unit",
            actor,
            ctx,
            unit_id,
            {"name": name},
            lambda u, e: u.rename(e, name),
        )

    def record_headcount(
        self, actor: Actor, unit_id: Any, *, year: Any, headcount: Any, ctx: CommandContext = C
    ) -> Receipt:
        """Record a unit's headcount for a year."""
        return self._change(
            Unit,
            "unit_id",
            "record_headcount",
            actor,
            ctx,
            unit_id,
            {"year": year, "headcount": headcount},
            lambda u, e: u.record_headcount(e, year=year, headcount=headcount),
        )

    def register_person(self, actor: Actor, *, name: str, ctx: CommandContext = C) -> Receipt:
        """Register a person; returns their id."""

        def work(envelope: Envelope) -> tuple[Any, ...]:
            person = Person.register(envelope, name=name)
            return person.id, [person]

        return self._run("register_person", actor, ctx, {"name": name}, work)

    def take_position(
        self,
        actor: Actor,
        person_id: Any,
        *,
        unit_id: Any,
        title: str,
        rank: str = "",
        start: Any,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Record that a person holds a position in a unit from ``start``."""

        def change(p: Person, e: Envelope) -> None:
            self._load(Unit, unit_id, "unit_id")
            p.take_position(e, unit_id=unit_id, title=title, rank=rank, start=start)

        args = {"unit_id": unit_id, "title": title, "rank": rank, "start": start}
        return self._change(
            Person, "person_id", "take_position", actor, ctx, person_id, args, change
        )

    def leave_position(
        self,
        actor: Actor,
        person_id: Any,
        *,
        unit_id: Any,
        title: str,
        end: Any,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Record that a person left a position."""
        return self._change(
            Person,
            "person_id",
            "leave_position",
            actor,
            ctx,
            person_id,
            {"unit_id": unit_id, "title": title, "end": end},
            lambda p, e: p.leave_position(e, unit_id=unit_id, title=title, end=end),
        )

    def get_unit(self, unit_id: Any) -> Unit:
        """The current state of one unit."""
        return self.read(Unit, unit_id, "unit_id")

    def get_person(self, person_id: Any) -> Person:
        """The current state of one person."""
        return self.read(Person, person_id, "person_id")
