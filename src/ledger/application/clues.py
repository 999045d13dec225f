"""Clue and petition commands: receive, assign (交办), urge (催办), supervise (督办),
transfer between organs, conclude (办结)."""

from __future__ import annotations

from typing import Any

from ledger.application.context import NO_CONTEXT, CommandContext, Receipt
from ledger.application.core import LedgerCore
from ledger.domain.base import Envelope
from ledger.domain.clue import Clue
from ledger.domain.unit import Unit
from ledger.domain.values import Actor

C = NO_CONTEXT


class ClueCommands(LedgerCore):
    """The life of a problem clue or petition."""

    def receive_clue(
        self,
        actor: Actor,
        *,
        kind: str,
        number: str,
        summary: str,
        organ: str,
        unit_id: Any = None,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Receive a clue or petition at an organ, optionally about a unit; returns its id."""
        args = dict(kind=kind, number=number, summary=summary, organ=organ, unit_id=unit_id)

        def work(envelope: Envelope) -> tuple[Any, ...]:
            unit = None
            if unit_id is not None:
                unit = self._load(Unit, unit_id, "unit_id", reference=True).id
            clue = Clue.receive(
                envelope, kind=kind, number=number, summary=summary, organ=organ, unit_id=unit
            )
            return clue.id, [clue]

        return self._run("receive_clue", actor, ctx, args, work)

    def assign_clue(
        self, actor: Actor, clue_id: Any, *, unit_id: Any, due_date: Any, ctx: CommandContext = C
    ) -> Receipt:
        """Assign (交办) a clue to a unit with a due date."""

        def change(clue: Clue, e: Envelope) -> None:
            unit = self._load(Unit, unit_id, "unit_id", reference=True)
            clue.assign(e, unit_id=unit.id, due_date=due_date)

        args = {"unit_id": unit_id, "due_date": due_date}
        return self._change(Clue, "clue_id", "assign_clue", actor, ctx, clue_id, args, change)

    def urge_clue(
        self, actor: Actor, clue_id: Any, *, note: str = "", ctx: CommandContext = C
    ) -> Receipt:
        """Urge (催办) the unit handling a clue."""
        return self._change(
            Clue,
            "clue_id",
            "urge_clue",
            actor,
            ctx,
            clue_id,
            {"note": note},
            lambda c, e: c.urge(e, note=note),
        )

    def supervise_clue(
        self, actor: Actor, clue_id: Any, *, level: str, ctx: CommandContext = C
    ) -> Receipt:
        """Put a clue under supervision (督办) at a higher escalation level."""
        return self._change(
            Clue,
            "clue_id",
            "supervise_clue",
            actor,
            ctx,
            clue_id,
            {"level": level},
            lambda c, e: c.supervise(e, level=level),
        )

    def transfer_clue(
        self, actor: Actor, clue_id: Any, *, to_organ: str, ctx: CommandContext = C
    ) -> Receipt:
        """Transfer a clue to another organ (e.g. 纪委监委 → 信访局); both keep the record."""
        return self._change(
            Clue,
            "clue_id",
            "transfer_clue",
            actor,
            ctx,
            clue_id,
            {"to_organ": to_organ},
            lambda c, e: c.transfer(e, to_organ=to_organ),
        )

    def conclude_clue(
        self,
        actor: Actor,
        clue_id: Any,
        *,
        disposition: Any,
        summary: str = "",
        ctx: CommandContext = C,
    ) -> Receipt:
        """Conclude (办结) a clue with one of the five dispositions."""
        return self._change(
            Clue,
            "clue_id",
            "conclude_clue",
            actor,
            ctx,
            clue_id,
            {"disposition": disposition, "summary": summary},
            lambda c, e: c.conclude(e, disposition=disposition, summary=summary),
        )

    def get_clue(self, clue_id: Any) -> Clue:
        """The current state of one clue."""
        return self.read(Clue, clue_id, "clue_id")
