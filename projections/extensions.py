"""The deadline-extension register (延期登记): every new deadline, who approved it, and when."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Date, Index, MetaData, String, Table, Text

from ledger.domain.finding import Finding
from ledger.domain.values import BEIJING

from .base import Handler, Projection
from .records import Record, from_us
from .store import Store


class Extensions(Projection):
    """rm_extensions: append-only, one row per extension, in log order.

    The first extension's ``previous_deadline`` is the original deadline.
    ``late`` says the extension took effect after the deadline it replaced
    had passed; ``late_recorded`` says it was entered into the ledger after
    that (a back-dated extension is late_recorded but not late).
    """

    name = "extensions"
    title = "延期登记"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            Table(
                f"rm_extensions{suffix}",
                metadata,
                Column("finding_id", String(36), nullable=False),
                Column("position", BigInteger, nullable=False),
                Column("previous_deadline", Date, nullable=False),
                Column("new_deadline", Date, nullable=False),
                Column("approver", String(200), nullable=False),
                Column("reason", Text, nullable=False),
                Column("basis", String(200), nullable=False),
                Column("actor", String(200), nullable=False),
                Column("effective", Date, nullable=False),
                Column("recorded_us", BigInteger, nullable=False),
                Column("late", Boolean, nullable=False),
                Column("late_recorded", Boolean, nullable=False),
                Index(f"ix_rm_extensions{suffix}_finding", "finding_id", "position"),
            )
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {Finding.DeadlineExtended: self.extended}

    def extended(self, r: Record, store: Store) -> None:
        s, envelope = r.state, r.state["envelope"]
        previous = date.fromisoformat(s["previous_deadline"])
        store.insert(
            self.tables[0],
            {
                "finding_id": r.originator_id,
                "position": r.position,
                "previous_deadline": previous,
                "new_deadline": date.fromisoformat(s["new_deadline"]),
                "approver": s["approver"],
                "reason": envelope["reason"],
                "basis": envelope["basis"],
                "actor": envelope["actor"]["name"],
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "late": r.effective > previous,
                "late_recorded": recorded_day(r.recorded_us) > previous,
            },
        )


def recorded_day(us: int) -> date:
    """The Beijing date of a recording time in microseconds since the epoch."""
    return from_us(us).astimezone(BEIJING).date()
