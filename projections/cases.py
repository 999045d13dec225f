"""Cases (立案): when each was opened and closed, and the clues behind it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, MetaData, String, Table

from ledger.domain.accountability import Case

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)


class Cases(Projection):
    """rm_cases: one row per case; rm_case_clues: which clues each case came from."""

    name = "cases"
    title = "立案"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        t = f"rm_cases{suffix}"
        return [
            Table(
                t,
                metadata,
                Column("case_id", ID, primary_key=True),
                Column("case_no", String(50), nullable=False),
                Column("title", String(200), nullable=False),
                Column("unit_id", ID, nullable=False),
                Column("opened_on", Date, nullable=False),
                Column("effective", Date, nullable=False),
                Column("recorded_us", BigInteger, nullable=False),
                Column("position", BigInteger, nullable=False),
                Column("closed_on", Date),
                Column("closed_effective", Date),
                Column("closed_us", BigInteger),
                Index(f"ix_{t}_opened", "opened_on"),
            ),
            Table(
                f"rm_case_clues{suffix}",
                metadata,
                Column("clue_id", ID, primary_key=True),
                Column("case_id", ID, primary_key=True),
            ),
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {Case.Opened: self.opened, Case.Closed: self.closed}

    def opened(self, r: Record, store: Store) -> None:
        s = r.state
        store.insert(
            self.tables[0],
            {
                "case_id": r.originator_id,
                "case_no": s["case_no"],
                "title": s["title"],
                "unit_id": s["unit_id"],
                "opened_on": date.fromisoformat(s["opened_on"]),
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "position": r.position,
                "closed_on": None,
                "closed_effective": None,
                "closed_us": None,
            },
        )
        for clue in s["clue_ids"]:
            store.insert(self.tables[1], {"clue_id": clue, "case_id": r.originator_id})

    def closed(self, r: Record, store: Store) -> None:
        values = {
            "closed_on": date.fromisoformat(r.state["closed_on"]),
            "closed_effective": r.effective,
            "closed_us": r.recorded_us,
        }
        store.update(self.tables[0], {"case_id": r.originator_id}, values)
