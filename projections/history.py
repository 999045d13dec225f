"""Status history: the changes that as-of questions are answered from.

One row per event that changes what the counts depend on: status, the
long-term flag, the deadline, or a send-back. Each row carries only the
values its event sets (``sets`` says which), its effective date and its
recording time. The state of a finding as of effective date D, as known at
time T, is, field by field, the value of the latest row (in log order) with
effective ≤ D and recorded ≤ T.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Date, Index, Integer, MetaData, String, Table

from ledger.domain.finding import Finding

from .base import Handler, Projection
from .records import Record
from .store import Store

STATUS, LONG_TERM, DEADLINE, CREATED, SENT_BACK = 1, 2, 4, 8, 16


class StatusHistory(Projection):
    """rm_finding_changes: append-only, indexed by finding and log position (the
    index holds every column the as-of questions read).

    Which inspection a finding belongs to is read from the finding-status
    read model at query time; this one needs only events.
    """

    name = "history"
    title = "状态变更历史"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            Table(
                f"rm_finding_changes{suffix}",
                metadata,
                Column("finding_id", String(36), nullable=False),
                Column("position", BigInteger, nullable=False),
                Column("effective", Date, nullable=False),
                Column("recorded_us", BigInteger, nullable=False),
                Column("sets", Integer, nullable=False),
                Column("status", String(20)),
                Column("long_term", Boolean),
                Column("deadline", Date),
                # Covering: a finding's state as of any moment is read from the
                # index alone, its rows side by side, never from the table.
                Index(
                    f"ix_rm_finding_changes{suffix}_replay",
                    "finding_id",
                    "position",
                    "sets",
                    "effective",
                    "recorded_us",
                    "status",
                    "long_term",
                    "deadline",
                ),
            )
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Finding.Recorded: self.recorded,
            Finding.DeadlineSet: self.change(DEADLINE, "deadline"),
            Finding.DeadlineExtended: self.change(DEADLINE, "new_deadline"),
            Finding.LongTermMarked: self.change(LONG_TERM, "long_term"),
            Finding.CompletionClaimed: self.status("claimed"),
            Finding.CompletionVerified: self.status("verified"),
            Finding.SentBack: self.status("ongoing", SENT_BACK),
            Finding.StruckOff: self.status("struck_off"),
        }

    def recorded(self, r: Record, store: Store) -> None:
        s = r.state
        self._row(
            r,
            store,
            CREATED | STATUS | LONG_TERM | DEADLINE,
            status="ongoing",
            long_term=s["long_term"],
            deadline=_day(s["deadline"]),
        )

    def change(self, flag: int, field: str) -> Handler:
        column = {DEADLINE: "deadline", LONG_TERM: "long_term"}[flag]

        def handler(r: Record, store: Store) -> None:
            value = r.state[field]
            self._row(r, store, flag, **{column: _day(value) if flag == DEADLINE else value})

        return handler

    def status(self, status: str, extra: int = 0) -> Handler:
        def handler(r: Record, store: Store) -> None:
            self._row(r, store, STATUS | extra, status=status)

        return handler

    def _row(self, r: Record, store: Store, sets: int, **values: Any) -> None:
        store.insert(
            self.tables[0],
            {
                "finding_id": r.originator_id,
                "position": r.position,
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "sets": sets,
                "status": values.get("status"),
                "long_term": values.get("long_term"),
                "deadline": values.get("deadline"),
            },
        )


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
