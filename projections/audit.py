"""The audit index (审计索引): one row per event of every kind, for questions across the
ledger — every change by an actor, by a unit, in a time window, of a kind.

It holds only what those questions filter on (actor, unit, kind, both
times); everything shown about a change — name, role, reason, basis,
field-level changes — is replayed from the event store
(``ledger.application.replay``), which is exact for every kind of record.
One row per event is on the append and rebuild paths, so it stays narrow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, String, Table

from ledger.domain.accountability import Action, Case
from ledger.domain.base import Aggregate
from ledger.domain.clue import Clue
from ledger.domain.finding import Finding
from ledger.domain.fund import Fund
from ledger.domain.inspection import Inspection
from ledger.domain.unit import Person, Unit

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)
# Every aggregate whose events the index covers (a new aggregate is added here).
AGGREGATES = (
    Finding,
    Inspection,
    Unit,
    Person,
    Action,
    Case,
    Clue,
    Fund,
)


class AuditIndex(Projection):
    """rm_audit: keyed by log position; indexed by record, actor, unit, kind and time."""

    name = "audit"
    title = "审计索引"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        t = f"rm_audit{suffix}"
        return [
            Table(
                t,
                metadata,
                Column("position", BigInteger, primary_key=True, autoincrement=False),
                Column("record_id", ID, nullable=False),
                Column("version", Integer, nullable=False),
                Column("kind", String(80), nullable=False),
                Column("actor_id", String(200), nullable=False),
                Column("actor_unit", ID),
                Column("recorded_us", BigInteger, nullable=False),
                Column("effective", Date, nullable=False),
                Index(f"ix_{t}_record", "record_id", "version"),
                Index(f"ix_{t}_actor", "actor_id", "position"),
                Index(f"ix_{t}_unit", "actor_unit", "position"),
                Index(f"ix_{t}_kind", "kind", "position"),
                Index(f"ix_{t}_recorded", "recorded_us"),
            )
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {cls: self.indexed for cls in event_classes()}

    def indexed(self, r: Record, store: Store) -> None:
        actor = r.state["envelope"]["actor"]
        kind = r.topic.partition(":")[2]
        store.insert(
            self.tables[0],
            {
                "position": r.position,
                "record_id": r.originator_id,
                "version": r.version,
                "kind": kind,
                "actor_id": actor["id"],
                "actor_unit": actor.get("unit"),
                "recorded_us": r.recorded_us,
                "effective": r.effective,
            },
        )


def event_classes() -> list[type[Any]]:
    """Every concrete event class of every aggregate the ledger knows."""
    found: list[type[Any]] = []
    for aggregate in AGGREGATES:
        for value in vars(aggregate).values():
            if isinstance(value, type) and issubclass(value, Aggregate.Event):
                found.append(value)
    return found
