"""Accountability actions (问责 / 处分): one row per action, and the changes that as-of
questions are answered from.

``rm_actions`` holds each action as it stands now. ``rm_action_states``
has one row per event that changes whether the action counts (decided, or
revoked on appeal) or its kind: an action's state as of effective date D,
as known at time T, is the latest row with effective ≤ D and recorded ≤ T
(its kind, the latest such row that sets one). The year an action counts
in is the year of its decision, which no later event changes.
``rm_headcounts`` keeps every headcount record of every unit, for the 10% rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from ledger.domain.accountability import Action
from ledger.domain.sanctions import ActionKind
from ledger.domain.unit import Unit

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)


class Accountability(Projection):
    """rm_actions, rm_action_states, rm_action_grounds and rm_headcounts."""

    name = "accountability"
    title = "问责处分"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            _actions(metadata, suffix),
            Table(
                f"rm_action_states{suffix}",
                metadata,
                Column("action_id", ID, nullable=False),
                Column("position", BigInteger, nullable=False),
                Column("effective", Date, nullable=False),
                Column("recorded_us", BigInteger, nullable=False),
                Column("counted", Boolean, nullable=False),
                Column("kind", String(40)),
                Column("family", String(20)),
                Index(f"ix_rm_action_states{suffix}_action", "action_id", "position"),
            ),
            Table(
                f"rm_action_grounds{suffix}",
                metadata,
                Column("ref_id", ID, primary_key=True),
                Column("action_id", ID, primary_key=True),
                Column("ref_type", String(10), nullable=False),
            ),
            Table(
                f"rm_headcounts{suffix}",
                metadata,
                Column("unit_id", ID, nullable=False),
                Column("year", Integer, nullable=False),
                Column("headcount", Integer, nullable=False),
                Column("position", BigInteger, nullable=False),
                Column("effective", Date, nullable=False),
                Column("recorded_us", BigInteger, nullable=False),
                Index(f"ix_rm_headcounts{suffix}_unit", "unit_id", "year", "position"),
            ),
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Action.Proposed: self.proposed,
            Action.Decided: self.decided,
            Action.CarriedOut: self.carried_out,
            Action.Appealed: self.appealed,
            Unit.HeadcountRecorded: self.headcount,
        }

    def proposed(self, r: Record, store: Store) -> None:
        s = r.state
        organs, kind = s["organs"], ActionKind(s["kind"])
        store.insert(
            self.tables[0],
            {
                "action_id": r.originator_id,
                "kind": kind.value,
                "family": kind.family.value,
                "subject_type": s["subject_type"],
                "person_id": s["person_id"],
                "subject_name": s["subject_name"],
                "unit_id": s["unit_id"],
                "rank": s["rank"],
                "case_id": s["case_id"],
                "proposing_organ": organs["proposing"],
                "deciding_organ": organs["deciding"],
                "implementing_organ": organs["implementing"],
                "description": s["description"],
                "proposed_on": date.fromisoformat(s["proposed_on"]),
                "decided_on": None,
                "carried_out_on": None,
                "year": None,
                "status": "proposed",
                "counted": False,
                "appeals": 0,
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "position": r.position,
                "version": r.version,
            },
        )
        self._state(r, store, False, kind)
        for ref_type, ids in s["grounds"].items():
            for ref in ids:
                row = {"ref_id": ref, "action_id": r.originator_id, "ref_type": ref_type}
                store.insert(self.tables[2], row)

    def decided(self, r: Record, store: Store) -> None:
        kind, day = ActionKind(r.state["kind"]), date.fromisoformat(r.state["decided_on"])
        values = {"decided_on": day, "year": day.year, "status": "decided", "counted": True}
        self._update(r, store, {**values, "kind": kind.value, "family": kind.family.value})
        self._state(r, store, True, kind)

    def carried_out(self, r: Record, store: Store) -> None:
        day = date.fromisoformat(r.state["carried_out_on"])
        self._update(r, store, {"carried_out_on": day, "status": "carried_out"})

    def appealed(self, r: Record, store: Store) -> None:
        kind = ActionKind(r.state["kind"])
        values: dict[str, Any] = {"kind": kind.value, "family": kind.family.value}
        revoked = r.state["outcome"] == "revoked"
        if revoked:
            values.update(status="revoked", counted=False)
        self._update(r, store, values, add="appeals")
        changed = r.state["outcome"] == "changed"
        self._state(r, store, not revoked, kind if changed else None)

    def headcount(self, r: Record, store: Store) -> None:
        # Every record is kept: the latest known by then, for that year, is the headcount.
        s = r.state
        row = {"unit_id": r.originator_id, "year": s["year"], "headcount": s["headcount"]}
        times = {"position": r.position, "effective": r.effective, "recorded_us": r.recorded_us}
        store.insert(self.tables[3], {**row, **times})

    def _update(
        self, r: Record, store: Store, values: dict[str, Any], add: str | None = None
    ) -> None:
        key = {"action_id": r.originator_id}
        store.update(self.tables[0], key, {**values, "version": r.version}, add=add)

    def _state(self, r: Record, store: Store, counted: bool, kind: ActionKind | None) -> None:
        store.insert(
            self.tables[1],
            {
                "action_id": r.originator_id,
                "position": r.position,
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "counted": counted,
                "kind": None if kind is None else kind.value,
                "family": None if kind is None else kind.family.value,
            },
        )


def _actions(metadata: MetaData, suffix: str) -> Table:
    t = f"rm_actions{suffix}"
    return Table(
        t,
        metadata,
        Column("action_id", ID, primary_key=True),
        Column("kind", String(40), nullable=False),
        Column("family", String(20), nullable=False),
        Column("subject_type", String(20), nullable=False),
        Column("person_id", ID),
        Column("subject_name", String(200), nullable=False),
        Column("unit_id", ID, nullable=False),
        Column("rank", String(50), nullable=False),
        Column("case_id", ID),
        Column("proposing_organ", String(200), nullable=False),
        Column("deciding_organ", String(200), nullable=False),
        Column("implementing_organ", String(200), nullable=False),
        Column("description", Text, nullable=False),
        Column("proposed_on", Date, nullable=False),
        Column("decided_on", Date),
        Column("carried_out_on", Date),
        Column("year", Integer),
        Column("status", String(20), nullable=False),
        Column("counted", Boolean, nullable=False),
        Column("appeals", Integer, nullable=False),
        Column("effective", Date, nullable=False),
        Column("recorded_us", BigInteger, nullable=False),
        Column("position", BigInteger, nullable=False),
        Column("version", Integer, nullable=False),
        # Covering: the counts of a year are read from the index alone (no row lookups).
        Index(
            f"ix_{t}_year",
            *("year", "counted", "family", "kind", "person_id", "case_id", "subject_type"),
            *("unit_id", "rank"),
        ),
        Index(f"ix_{t}_unit", "unit_id", "year"),
        Index(f"ix_{t}_case", "case_id"),
        Index(f"ix_{t}_position", "position"),
    )
