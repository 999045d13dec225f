"""Problem clues and petitions (问题线索 / 信访件): their state, transfers, and what they led to.

``rm_clues`` holds each clue now, with the effective date and recording
time of its first assignment and of its conclusion, so that received,
assigned, concluded and overdue can be asked on either time axis.
``rm_clue_transfers`` keeps one row per transfer, seen from both organs.
``rm_clue_actions`` links clues to the accountability actions that cite them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, String, Table, Text

from ledger.domain.accountability import Action
from ledger.domain.clue import Clue

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)


class Clues(Projection):
    """rm_clues, rm_clue_transfers and rm_clue_actions."""

    name = "clues"
    title = "问题线索与信访件"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        t = f"rm_clues{suffix}"
        return [
            Table(
                t,
                metadata,
                Column("clue_id", ID, primary_key=True),
                Column("kind", String(20), nullable=False),
                Column("number", String(50), nullable=False),
                Column("summary", Text, nullable=False),
                Column("received_by", String(200), nullable=False),
                Column("organ", String(200), nullable=False),
                Column("unit_id", ID),
                Column("due_date", Date),
                Column("status", String(20), nullable=False),
                Column("disposition", String(30)),
                Column("level", String(20)),
                Column("urged", Integer, nullable=False),
                Column("effective", Date, nullable=False),
                Column("recorded_us", BigInteger, nullable=False),
                Column("position", BigInteger, nullable=False),
                Column("assigned_on", Date),
                Column("assigned_us", BigInteger),
                Column("concluded_on", Date),
                Column("concluded_us", BigInteger),
                Index(f"ix_{t}_position", "position"),
                Index(f"ix_{t}_unit", "unit_id"),
            ),
            Table(
                f"rm_clue_transfers{suffix}",
                metadata,
                Column("clue_id", ID, nullable=False),
                Column("position", BigInteger, nullable=False),
                Column("from_organ", String(200), nullable=False),
                Column("to_organ", String(200), nullable=False),
                Column("effective", Date, nullable=False),
                Column("recorded_us", BigInteger, nullable=False),
                Column("actor", String(200), nullable=False),
                Column("reason", Text, nullable=False),
                Index(f"ix_rm_clue_transfers{suffix}_clue", "clue_id", "position"),
            ),
            Table(
                f"rm_clue_actions{suffix}",
                metadata,
                Column("clue_id", ID, primary_key=True),
                Column("action_id", ID, primary_key=True),
            ),
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Clue.Received: self.received,
            Clue.Assigned: self.assigned,
            Clue.Urged: self.urged,
            Clue.Supervised: self.supervised,
            Clue.Transferred: self.transferred,
            Clue.Concluded: self.concluded,
            Action.Proposed: self.cited,
        }

    def received(self, r: Record, store: Store) -> None:
        s = r.state
        store.insert(
            self.tables[0],
            {
                "clue_id": r.originator_id,
                "kind": s["kind"],
                "number": s["number"],
                "summary": s["summary"],
                "received_by": s["organ"],
                "organ": s["organ"],
                "unit_id": s["unit_id"],
                "due_date": None,
                "status": "received",
                "disposition": None,
                "level": None,
                "urged": 0,
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "position": r.position,
                "assigned_on": None,
                "assigned_us": None,
                "concluded_on": None,
                "concluded_us": None,
            },
        )

    def assigned(self, r: Record, store: Store) -> None:
        # A clue assigned again (after a transfer) takes the latest unit, due date and time.
        values = {
            "unit_id": r.state["unit_id"],
            "due_date": date.fromisoformat(r.state["due_date"]),
            "status": "assigned",
            "assigned_on": r.effective,
            "assigned_us": r.recorded_us,
        }
        self._set(r, store, values)

    def urged(self, r: Record, store: Store) -> None:
        store.update(self.tables[0], {"clue_id": r.originator_id}, {}, add="urged")

    def supervised(self, r: Record, store: Store) -> None:
        self._set(r, store, {"level": r.state["level"]})

    def transferred(self, r: Record, store: Store) -> None:
        s, envelope = r.state, r.state["envelope"]
        store.insert(
            self.tables[1],
            {
                "clue_id": r.originator_id,
                "position": r.position,
                "from_organ": s["from_organ"],
                "to_organ": s["to_organ"],
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "actor": envelope["actor"]["name"],
                "reason": envelope["reason"],
            },
        )
        self._set(r, store, {"organ": s["to_organ"], "status": "received"})

    def concluded(self, r: Record, store: Store) -> None:
        values = {
            "status": "concluded",
            "disposition": r.state["disposition"],
            "concluded_on": r.effective,
            "concluded_us": r.recorded_us,
        }
        self._set(r, store, values)

    def cited(self, r: Record, store: Store) -> None:
        for clue in r.state["grounds"]["clues"]:
            store.insert(self.tables[2], {"clue_id": clue, "action_id": r.originator_id})

    def _set(self, r: Record, store: Store, values: dict[str, Any]) -> None:
        store.update(self.tables[0], {"clue_id": r.originator_id}, values)
