"""Accountability action (问责 / 处分): what happens to a person or an organisation.

An action is proposed by one organ, decided by another and carried out by a
third; appeals (申诉) uphold, change or revoke it as new events. It cites
its basis (findings, clues, cases) and may belong to a case.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain import rules
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.errors import InvalidInput, InvalidTransition
from ledger.domain.sanctions import (
    ActionKind,
    ActionStatus,
    AppealOutcome,
    SubjectType,
)
from ledger.domain.values import Frozen

Status = ActionStatus


class Organs(Frozen):
    """The organs that propose (建议), decide (决定) and carry out (实施) an action."""

    proposing: str
    deciding: str
    implementing: str


class Grounds(Frozen):
    """What an action rests on: findings, problem clues and cases."""

    findings: list[UUID]
    clues: list[UUID]
    cases: list[UUID]


class Action(Aggregate):
    """One accountability action against one subject."""

    class Proposed(Aggregate.Created):
        """An action was proposed against a person (with unit and rank) or an organisation."""

        kind: ActionKind
        subject_type: SubjectType
        person_id: UUID | None
        subject_name: str
        unit_id: UUID
        rank: str
        organs: Organs
        proposed_on: date
        case_id: UUID | None
        grounds: Grounds
        description: str

    class Decided(Aggregate.Event):
        """The deciding organ decided the action (its kind may differ from the proposal)."""

        kind: ActionKind
        decided_on: date

    class CarriedOut(Aggregate.Event):
        """The implementing organ carried the action out."""

        carried_out_on: date

    class Appealed(Aggregate.Event):
        """An appeal was decided: the action upheld, changed to another kind, or revoked."""

        outcome: AppealOutcome
        previous_kind: ActionKind
        kind: ActionKind
        appeal_decided_on: date

    @event(Proposed)
    def __init__(
        self,
        envelope: Envelope,
        kind: ActionKind,
        subject_type: SubjectType,
        person_id: UUID | None,
        subject_name: str,
        unit_id: UUID,
        rank: str,
        organs: Organs,
        proposed_on: date,
        case_id: UUID | None,
        grounds: Grounds,
        description: str,
    ) -> None:
        self.kind = kind
        self.subject_type = subject_type
        self.person_id = person_id
        self.subject_name = subject_name
        self.unit_id = unit_id
        self.rank = rank
        self.organs = organs
        self.proposed_on = proposed_on
        self.case_id = case_id
        self.grounds = grounds
        self.description = description
        self.status = Status.PROPOSED
        self.decided_on: date | None = None
        self.carried_out_on: date | None = None

    @classmethod
    def propose(
        cls,
        envelope: Envelope,
        *,
        kind: Any,
        person_id: UUID | None,
        subject_name: str,
        unit_id: UUID,
        rank: Any = "",
        organs: Organs,
        proposed_on: Any,
        case_id: UUID | None = None,
        grounds: Grounds,
        description: Any = "",
    ) -> Action:
        """Validate and propose an action (references were checked by the caller)."""
        subject = SubjectType.ORGANISATION if person_id is None else SubjectType.PERSON
        return cls(
            envelope=envelope,
            kind=rules.enum("kind", ActionKind, kind),
            subject_type=subject,
            person_id=person_id,
            subject_name=rules.text("subject_name", subject_name),
            unit_id=unit_id,
            rank=rules.text("rank", rank, max_len=50, optional=True),
            organs=organs,
            proposed_on=rules.day("proposed_on", proposed_on),
            case_id=case_id,
            grounds=grounds,
            description=rules.text(
                "description", description, max_len=rules.MAX_TEXT, optional=True
            ),
        )

    def decide(self, envelope: Envelope, *, decided_on: Any, kind: Any = None) -> None:
        """Record the decision; it may not precede the proposal."""
        self._require("decide", Status.PROPOSED)
        day = rules.day("decided_on", decided_on)
        rules.not_before("decided_on", day, self.proposed_on, "提出日期")
        final = self.kind if kind is None else rules.enum("kind", ActionKind, kind)
        self._decided(envelope, final, day)

    @event(Decided)
    def _decided(self, envelope: Envelope, kind: ActionKind, decided_on: date) -> None:
        self.kind = kind
        self.decided_on = decided_on
        self.status = Status.DECIDED

    def carry_out(self, envelope: Envelope, *, carried_out_on: Any) -> None:
        """Record that the action was carried out; not before the decision."""
        self._require("carry_out", Status.DECIDED)
        day = rules.day("carried_out_on", carried_out_on)
        rules.not_before("carried_out_on", day, self.decided_on, "决定日期")
        self._carried_out(envelope, day)

    @event(CarriedOut)
    def _carried_out(self, envelope: Envelope, carried_out_on: date) -> None:
        self.carried_out_on = carried_out_on
        self.status = Status.CARRIED_OUT

    def appeal(
        self, envelope: Envelope, *, outcome: Any, decided_on: Any, kind: Any = None
    ) -> None:
        """Record the outcome of an appeal against a decided action."""
        self._require("appeal", Status.DECIDED, Status.CARRIED_OUT)
        result = rules.enum("outcome", AppealOutcome, outcome)
        day = rules.day("decided_on", decided_on)
        rules.not_before("decided_on", day, self.decided_on, "原决定日期")
        self._appealed(envelope, result, self.kind, self._new_kind(result, kind), day)

    def _new_kind(self, outcome: AppealOutcome, kind: Any) -> ActionKind:
        if outcome is not AppealOutcome.CHANGED:
            if kind is not None:
                raise InvalidInput("只有变更时才给出新的问责方式", field="kind")
            return self.kind
        if kind is None:
            raise InvalidInput("变更须给出新的问责方式", field="kind")
        new = rules.enum("kind", ActionKind, kind)
        if new is self.kind:
            raise InvalidInput(f"新的问责方式与原方式相同:{new.label}", field="kind")
        return new

    @event(Appealed)
    def _appealed(
        self,
        envelope: Envelope,
        outcome: AppealOutcome,
        previous_kind: ActionKind,
        kind: ActionKind,
        appeal_decided_on: date,
    ) -> None:
        self.kind = kind
        if outcome is AppealOutcome.REVOKED:
            self.status = Status.REVOKED

    def _require(self, command: str, *allowed: ActionStatus) -> None:
        if self.status not in allowed:
            wanted = "、".join(s.label for s in allowed)
            raise InvalidTransition(
                f"{command}: 该问责当前为「{self.status.label}」,此操作仅在「{wanted}」时可用",
                field="action_id",
            )


class Case(Aggregate):
    """A case opened for investigation (立案), from clues; closed when concluded."""

    class Opened(Aggregate.Created):
        """A case was opened: number, title, unit concerned, date, the clues behind it."""

        case_no: str
        title: str
        unit_id: UUID
        opened_on: date
        clue_ids: list[UUID]

    class Closed(Aggregate.Event):
        """The case was concluded (结案)."""

        closed_on: date
        conclusion: str

    @event(Opened)
    def __init__(
        self,
        envelope: Envelope,
        case_no: str,
        title: str,
        unit_id: UUID,
        opened_on: date,
        clue_ids: list[UUID],
    ) -> None:
        self.case_no = case_no
        self.title = title
        self.unit_id = unit_id
        self.opened_on = opened_on
        self.clue_ids = clue_ids
        self.closed_on: date | None = None

    @classmethod
    def open(
        cls,
        envelope: Envelope,
        *,
        case_no: Any,
        title: Any,
        unit_id: UUID,
        opened_on: Any,
        clue_ids: list[UUID],
    ) -> Case:
        """Validate and open a case (the unit and clues were checked by the caller)."""
        return cls(
            envelope=envelope,
            case_no=rules.text("case_no", case_no, max_len=50),
            title=rules.text("title", title),
            unit_id=unit_id,
            opened_on=rules.day("opened_on", opened_on),
            clue_ids=clue_ids,
        )

    def close(self, envelope: Envelope, *, closed_on: Any, conclusion: Any) -> None:
        """Conclude the case; not before it was opened, and only once."""
        if self.closed_on is not None:
            raise InvalidTransition(f"该案件已于 {self.closed_on} 结案", field="case_id")
        day = rules.day("closed_on", closed_on)
        rules.not_before("closed_on", day, self.opened_on, "立案日期")
        self._closed(envelope, day, rules.text("conclusion", conclusion, max_len=rules.MAX_TEXT))

    @event(Closed)
    def _closed(self, envelope: Envelope, closed_on: date, conclusion: str) -> None:
        self.closed_on = closed_on
