"""Accountability commands: cases (立案) and actions — propose, decide, carry out, appeal."""

from __future__ import annotations

from typing import Any

from ledger.application.context import NO_CONTEXT, CommandContext, Receipt
from ledger.application.core import LedgerCore
from ledger.domain import rules
from ledger.domain.accountability import Action, Case, Grounds, Organs
from ledger.domain.base import Envelope
from ledger.domain.clue import Clue
from ledger.domain.finding import Finding
from ledger.domain.unit import Person, Unit
from ledger.domain.values import Actor

C = NO_CONTEXT


class AccountabilityCommands(LedgerCore):
    """Open and close cases; record what happens to people and organisations."""

    def open_case(
        self,
        actor: Actor,
        *,
        case_no: str,
        title: str,
        unit_id: Any,
        opened_on: Any,
        clue_ids: Any = (),
        ctx: CommandContext = C,
    ) -> Receipt:
        """Open a case (立案) about a unit, from the clues behind it; returns its id."""
        args = {"case_no": case_no, "title": title, "unit_id": unit_id, "opened_on": opened_on}

        def work(envelope: Envelope) -> tuple[Any, ...]:
            unit = self._load(Unit, unit_id, "unit_id", reference=True)
            clues = self._references(Clue, "clue_ids", clue_ids)
            case = Case.open(
                envelope,
                case_no=case_no,
                title=title,
                unit_id=unit.id,
                opened_on=opened_on,
                clue_ids=clues,
            )
            return case.id, [case]

        return self._run("open_case", actor, ctx, {**args, "clue_ids": clue_ids}, work)

    def close_case(
        self,
        actor: Actor,
        case_id: Any,
        *,
        closed_on: Any,
        conclusion: str,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Conclude a case (结案)."""
        return self._change(
            Case,
            "case_id",
            "close_case",
            actor,
            ctx,
            case_id,
            {"closed_on": closed_on, "conclusion": conclusion},
            lambda c, e: c.close(e, closed_on=closed_on, conclusion=conclusion),
        )

    def propose_action(
        self,
        actor: Actor,
        *,
        kind: str,
        unit_id: Any,
        proposing_organ: str,
        deciding_organ: str,
        implementing_organ: str,
        proposed_on: Any,
        person_id: Any = None,
        rank: str = "",
        case_id: Any = None,
        findings: Any = (),
        clues: Any = (),
        cases: Any = (),
        description: str = "",
        ctx: CommandContext = C,
    ) -> Receipt:
        """Propose an action against a person of a unit (or the unit itself); returns its id."""
        args = dict(
            kind=kind,
            unit_id=unit_id,
            organs=[proposing_organ, deciding_organ, implementing_organ],
            proposed_on=proposed_on,
            person_id=person_id,
            rank=rank,
            case_id=case_id,
            grounds=[findings, clues, cases],
            description=description,
        )

        def work(envelope: Envelope) -> tuple[Any, ...]:
            unit = self._load(Unit, unit_id, "unit_id", reference=True)
            person = None
            if person_id is not None:
                person = self._load(Person, person_id, "person_id", reference=True)
            case = None if case_id is None else self._load(Case, case_id, "case_id", reference=True)
            action = Action.propose(
                envelope,
                kind=kind,
                person_id=None if person is None else person.id,
                subject_name=unit.name if person is None else person.name,
                unit_id=unit.id,
                rank=rank,
                organs=_organs(proposing_organ, deciding_organ, implementing_organ),
                proposed_on=proposed_on,
                case_id=None if case is None else case.id,
                grounds=self._grounds(findings, clues, cases),
                description=description,
            )
            return action.id, [action]

        return self._run("propose_action", actor, ctx, args, work)

    def decide_action(
        self,
        actor: Actor,
        action_id: Any,
        *,
        decided_on: Any,
        kind: Any = None,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Record the decision on a proposed action (optionally of another kind)."""
        return self._change(
            Action,
            "action_id",
            "decide_action",
            actor,
            ctx,
            action_id,
            {"decided_on": decided_on, "kind": kind},
            lambda a, e: a.decide(e, decided_on=decided_on, kind=kind),
        )

    def carry_out_action(
        self, actor: Actor, action_id: Any, *, carried_out_on: Any, ctx: CommandContext = C
    ) -> Receipt:
        """Record that a decided action was carried out."""
        return self._change(
            Action,
            "action_id",
            "carry_out_action",
            actor,
            ctx,
            action_id,
            {"carried_out_on": carried_out_on},
            lambda a, e: a.carry_out(e, carried_out_on=carried_out_on),
        )

    def appeal_action(
        self,
        actor: Actor,
        action_id: Any,
        *,
        outcome: str,
        decided_on: Any,
        kind: Any = None,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Record how an appeal (申诉) ended: upheld, changed to ``kind``, or revoked."""
        return self._change(
            Action,
            "action_id",
            "appeal_action",
            actor,
            ctx,
            action_id,
            {"outcome": outcome, "decided_on": decided_on, "kind": kind},
            lambda a, e: a.appeal(e, outcome=outcome, decided_on=decided_on, kind=kind),
        )

    def get_action(self, action_id: Any) -> Action:
        """The current state of one action."""
        return self.read(Action, action_id, "action_id")

    def _grounds(self, findings: Any, clues: Any, cases: Any) -> Grounds:
        return Grounds(
            findings=self._references(Finding, "findings", findings),
            clues=self._references(Clue, "clues", clues),
            cases=self._references(Case, "cases", cases),
        )

    def _references(self, cls: type[Any], field: str, ids: Any) -> list[Any]:
        """Distinct ids of existing records of one class, order kept."""
        found = rules.uuids(field, ids)
        for i, uid in enumerate(found):
            self._load(cls, uid, f"{field}[{i}]", reference=True)
        return found


def _organs(proposing: Any, deciding: Any, implementing: Any) -> Organs:
    return Organs(
        proposing=rules.text("proposing_organ", proposing),
        deciding=rules.text("deciding_organ", deciding),
        implementing=rules.text("implementing_organ", implementing),
    )
