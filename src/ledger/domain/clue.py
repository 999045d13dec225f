"""Problem clues and petitions (问题线索 / 信访件): received → assigned (交办) → urged (催办) /
supervised (督办) → concluded (办结) with one of five dispositions; transfers between organs
keep both sides' records.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain import rules
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.errors import InvalidInput, InvalidTransition
from ledger.domain.values import EscalationLevel, LabelledEnum, beijing_date_of


class ClueKind(LabelledEnum):
    """A clue about a problem, or a petition from the people."""

    CLUE = "clue", "问题线索"
    PETITION = "petition", "信访件"


class Disposition(LabelledEnum):
    """The five ways to dispose of a clue (Inner Mongolia 2019)."""

    DIG_DEEP = "dig_deep", "深挖细查"
    RECTIFY = "rectify", "重点整治"
    PIN_RESPONSIBILITY = "pin_responsibility", "压实到人"
    RESOLVE = "resolve", "妥善解决"
    CLARIFY = "clarify", "查清澄清"


class ClueStatus(LabelledEnum):
    """Where a clue stands."""

    RECEIVED = "received", "已受理"
    ASSIGNED = "assigned", "已交办"
    CONCLUDED = "concluded", "已办结"


Status = ClueStatus
LEVELS = list(EscalationLevel)


class Clue(Aggregate):
    """A clue or petition, held by one organ at a time."""

    class Received(Aggregate.Created):
        """A clue or petition was received by an organ."""

        kind: ClueKind
        number: str
        summary: str
        organ: str
        unit_id: UUID | None

    class Assigned(Aggregate.Event):
        """The clue was assigned (交办) to a unit, to be handled by a due date."""

        unit_id: UUID
        due_date: date

    class Urged(Aggregate.Event):
        """The handling unit was urged (催办)."""

        note: str

    class Supervised(Aggregate.Event):
        """The clue was put under supervision (督办) at an escalation level."""

        level: EscalationLevel

    class Transferred(Aggregate.Event):
        """The clue moved from one organ to another (e.g. 纪委监委 → 信访局)."""

        from_organ: str
        to_organ: str

    class Concluded(Aggregate.Event):
        """The clue was concluded (办结) with a disposition."""

        disposition: Disposition
        summary: str

    @event(Received)
    def __init__(
        self,
        envelope: Envelope,
        kind: ClueKind,
        number: str,
        summary: str,
        organ: str,
        unit_id: UUID | None,
    ) -> None:
        self.kind = kind
        self.number = number
        self.summary = summary
        self.organ = organ
        self.unit_id = unit_id
        self.status = Status.RECEIVED
        self.due_date: date | None = None
        self.level: EscalationLevel | None = None
        self.disposition: Disposition | None = None

    @classmethod
    def receive(
        cls,
        envelope: Envelope,
        *,
        kind: Any,
        number: Any,
        summary: Any,
        organ: Any,
        unit_id: UUID | None = None,
    ) -> Clue:
        """Validate and receive a clue or petition."""
        return cls(
            envelope=envelope,
            kind=rules.enum("kind", ClueKind, kind),
            number=rules.text("number", number, max_len=50),
            summary=rules.text("summary", summary, max_len=rules.MAX_TEXT),
            organ=rules.text("organ", organ),
            unit_id=unit_id,
        )

    def assign(self, envelope: Envelope, *, unit_id: UUID, due_date: Any) -> None:
        """Assign the clue to a unit with a due date (again after a transfer)."""
        self._open("assign")
        due = rules.day("due_date", due_date)
        rules.not_before("due_date", due, beijing_date_of(envelope.effective_at), "交办日期")
        self._assigned(envelope, unit_id, due)

    @event(Assigned)
    def _assigned(self, envelope: Envelope, unit_id: UUID, due_date: date) -> None:
        self.unit_id = unit_id
        self.due_date = due_date
        self.status = Status.ASSIGNED

    def urge(self, envelope: Envelope, *, note: Any = "") -> None:
        """Urge the unit the clue is assigned to."""
        self._assigned_only("urge")
        self._urged(envelope, rules.text("note", note, max_len=rules.MAX_TEXT, optional=True))

    @event(Urged)
    def _urged(self, envelope: Envelope, note: str) -> None:
        pass

    def supervise(self, envelope: Envelope, *, level: Any) -> None:
        """Supervise the clue at a level; a level may only go up."""
        self._assigned_only("supervise")
        new = rules.enum("level", EscalationLevel, level)
        if self.level is not None and LEVELS.index(new) <= LEVELS.index(self.level):
            raise InvalidTransition(f"督办层级只能提高,当前为「{self.level.label}」", field="level")
        self._supervised(envelope, new)

    @event(Supervised)
    def _supervised(self, envelope: Envelope, level: EscalationLevel) -> None:
        self.level = level

    def transfer(self, envelope: Envelope, *, to_organ: Any) -> None:
        """Hand the clue to another organ; it is received there again."""
        self._open("transfer")
        to = rules.text("to_organ", to_organ)
        if to == self.organ:
            raise InvalidInput(f"该件已由「{to}」办理", field="to_organ")
        self._transferred(envelope, self.organ, to)

    @event(Transferred)
    def _transferred(self, envelope: Envelope, from_organ: str, to_organ: str) -> None:
        self.organ = to_organ
        self.status = Status.RECEIVED

    def conclude(self, envelope: Envelope, *, disposition: Any, summary: Any = "") -> None:
        """Conclude the clue; a disposition is required."""
        self._open("conclude")
        if disposition is None or disposition == "":
            raise InvalidInput("办结须给出处置方式", field="disposition")
        way = rules.enum("disposition", Disposition, disposition)
        text = rules.text("summary", summary, max_len=rules.MAX_TEXT, optional=True)
        self._concluded(envelope, way, text)

    @event(Concluded)
    def _concluded(self, envelope: Envelope, disposition: Disposition, summary: str) -> None:
        self.disposition = disposition
        self.status = Status.CONCLUDED

    def _open(self, command: str) -> None:
        if self.status is Status.CONCLUDED:
            raise InvalidTransition(f"{command}: 该件已办结", field="clue_id")

    def _assigned_only(self, command: str) -> None:
        if self.status is not Status.ASSIGNED:
            raise InvalidTransition(
                f"{command}: 该件当前为「{self.status.label}」,须先交办", field="clue_id"
            )
