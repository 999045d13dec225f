"""Supervision letters (督办函): who was urged, at what level, and whether they answered."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Date, MetaData, String, Table, Text

from ledger.domain.finding import Finding

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)


class Letters(Projection):
    """rm_letters: one row per letter, keyed by finding and letter number.

    A letter is outstanding on a day if it was issued by then and not yet
    answered; both dates and both recording times are kept so that the
    question can be asked on either time axis.
    """

    name = "letters"
    title = "督办函"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            Table(
                f"rm_letters{suffix}",
                metadata,
                Column("finding_id", ID, primary_key=True),
                Column("letter_no", String(50), primary_key=True),
                Column("level", String(20), nullable=False),
                Column("addressed_to", ID),
                Column("due_date", Date),
                Column("issued_on", Date, nullable=False),
                Column("issued_us", BigInteger, nullable=False),
                Column("issued_by", String(200), nullable=False),
                Column("reason", Text, nullable=False),
                Column("answered_on", Date),
                Column("answered_us", BigInteger),
                Column("answer", Text),
            )
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {Finding.LetterIssued: self.issued, Finding.LetterAnswered: self.answered}

    def issued(self, r: Record, store: Store) -> None:
        s = r.state
        store.insert(
            self.tables[0],
            {
                "finding_id": r.originator_id,
                "letter_no": s["letter_no"],
                "level": s["level"],
                "addressed_to": s["addressed_to"],
                "due_date": _day(s["due_date"]),
                "issued_on": r.effective,
                "issued_us": r.recorded_us,
                "issued_by": s["envelope"]["actor"]["name"],
                "reason": s["envelope"]["reason"],
                "answered_on": None,
                "answered_us": None,
                "answer": None,
            },
        )

    def answered(self, r: Record, store: Store) -> None:
        key = {"finding_id": r.originator_id, "letter_no": r.state["letter_no"]}
        values = {"answered_on": r.effective, "answered_us": r.recorded_us}
        store.update(self.tables[0], key, {**values, "answer": r.state["answer"]})


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
