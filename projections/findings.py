"""Finding status: every current field of a finding, its measures and its units."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
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

from ledger.domain.finding import Finding

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)


class FindingStatus(Projection):
    """rm_findings (one row per finding), rm_measures, rm_finding_units."""

    name = "findings"
    title = "问题整改状态"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        findings = Table(
            f"rm_findings{suffix}",
            metadata,
            Column("finding_id", ID, primary_key=True),
            Column("inspection_id", ID, nullable=False),
            Column("category", String(400), nullable=False),
            Column("category_major", String(200), nullable=False),
            Column("category_item", String(200), nullable=False),
            Column("number", String(50), nullable=False),
            Column("text", Text, nullable=False),
            Column("sources", Text, nullable=False),
            Column("responsible_leader", String(200), nullable=False),
            Column("lead_department", ID),
            Column("responsible_units", Text, nullable=False),
            Column("deadline", Date),
            Column("original_deadline", Date),
            Column("long_term", Boolean, nullable=False),
            Column("status", String(20), nullable=False),
            Column("sent_back", Integer, nullable=False),
            Column("extensions", Integer, nullable=False),
            Column("reports", Integer, nullable=False),
            Column("measures", Integer, nullable=False),
            Column("recorded_on", Date, nullable=False),
            Column("recorded_us", BigInteger, nullable=False),
            Column("claimed_on", Date),
            Column("verified_on", Date),
            Column("struck_off_on", Date),
            Column("last_report_on", Date),
            Column("version", Integer, nullable=False),
            Index(f"ix_rm_findings{suffix}_inspection", "inspection_id", "status"),
            # Lists are in recording order, within an inspection or across all.
            Index(f"ix_rm_findings{suffix}_listed", "inspection_id", "recorded_us", "finding_id"),
            Index(f"ix_rm_findings{suffix}_recorded", "recorded_us", "finding_id"),
        )
        measures = Table(
            f"rm_measures{suffix}",
            metadata,
            Column("finding_id", ID, primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("measure_id", ID, nullable=False),
            Column("kind", String(20), nullable=False),
            Column("text", Text, nullable=False),
            Column("owner_unit", ID, nullable=False),
            Column("deadline", Date),
            Column("long_term", Boolean, nullable=False),
            Column("reports", Integer, nullable=False),
        )
        units = Table(
            f"rm_finding_units{suffix}",
            metadata,
            Column("finding_id", ID, primary_key=True),
            Column("unit_id", ID, primary_key=True),
            Column("lead", Boolean, nullable=False),
            Index(f"ix_rm_finding_units{suffix}_unit", "unit_id"),
        )
        return [findings, measures, units]

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Finding.Recorded: self.recorded,
            Finding.Assigned: self.assigned,
            Finding.DeadlineSet: self.deadline_set,
            Finding.DeadlineExtended: self.deadline_extended,
            Finding.LongTermMarked: self.long_term_marked,
            Finding.MeasureAdded: self.measure_added,
            Finding.ProgressReported: self.progress_reported,
            Finding.CompletionClaimed: self.status("claimed", "claimed_on"),
            Finding.CompletionVerified: self.status("verified", "verified_on"),
            Finding.SentBack: self.sent_back,
            Finding.StruckOff: self.status("struck_off", "struck_off_on"),
            Finding.Corrected: self.corrected,
        }

    def recorded(self, r: Record, store: Store) -> None:
        s = r.state
        category = s["category"]
        store.insert(
            self.tables[0],
            {
                "finding_id": r.originator_id,
                "inspection_id": s["inspection_id"],
                "category": " > ".join(category),
                "category_major": category[0],
                "category_item": category[1] if len(category) > 1 else "",
                "number": s["number"],
                "text": s["text"],
                "sources": _json(s["sources"]),
                "responsible_leader": "",
                "lead_department": None,
                "responsible_units": "[]",
                "deadline": _day(s["deadline"]),
                "original_deadline": _day(s["deadline"]),
                "long_term": s["long_term"],
                "status": "ongoing",
                "sent_back": 0,
                "extensions": 0,
                "reports": 0,
                "measures": 0,
                "recorded_on": r.effective,
                "recorded_us": r.recorded_us,
                "claimed_on": None,
                "verified_on": None,
                "struck_off_on": None,
                "last_report_on": None,
                "version": r.version,
            },
        )

    def assigned(self, r: Record, store: Store) -> None:
        s = r.state
        units = s["responsible_units"]
        self._set(
            r,
            store,
            {
                "responsible_leader": s["responsible_leader"],
                "lead_department": s["lead_department"],
                "responsible_units": _json(units),
            },
        )
        table = self.tables[2]
        store.delete(table, r.originator_id)
        lead = s["lead_department"]
        for unit in dict.fromkeys([*([lead] if lead else []), *units]):
            store.insert(
                table, {"finding_id": r.originator_id, "unit_id": unit, "lead": unit == lead}
            )

    def deadline_set(self, r: Record, store: Store) -> None:
        day = _day(r.state["deadline"])
        self._set(r, store, {"deadline": day, "original_deadline": day})

    def deadline_extended(self, r: Record, store: Store) -> None:
        self._set(r, store, {"deadline": _day(r.state["new_deadline"])}, add="extensions")

    def long_term_marked(self, r: Record, store: Store) -> None:
        self._set(r, store, {"long_term": r.state["long_term"]})

    def measure_added(self, r: Record, store: Store) -> None:
        s = r.state
        store.insert(
            self.tables[1],
            {
                "finding_id": r.originator_id,
                "version": r.version,
                "measure_id": s["measure_id"],
                "kind": s["kind"],
                "text": s["text"],
                "owner_unit": s["owner_unit"],
                "deadline": _day(s["deadline"]),
                "long_term": s["long_term"],
                "reports": 0,
            },
        )
        self._set(r, store, {}, add="measures")

    def progress_reported(self, r: Record, store: Store) -> None:
        self._set(r, store, {"last_report_on": r.effective}, add="reports")

    def status(self, status: str, column: str) -> Handler:
        def handler(r: Record, store: Store) -> None:
            self._set(r, store, {"status": status, column: r.effective})

        return handler

    def sent_back(self, r: Record, store: Store) -> None:
        self._set(
            r,
            store,
            {"status": "ongoing", "verified_on": None, "claimed_on": None},
            add="sent_back",
        )

    def corrected(self, r: Record, store: Store) -> None:
        s = r.state
        changes = {k: v for k, v in s["changes"].items() if v is not None}
        target = s["corrects_event"]
        if target == "MeasureAdded" and "text" in changes:
            key = {"finding_id": r.originator_id, "version": s["corrects_version"]}
            store.update(self.tables[1], key, {"text": changes["text"]})
        elif target in ("Recorded", "Assigned"):
            self._set(r, store, _finding_changes(changes))
        else:
            self._set(r, store, {})

    def _set(self, r: Record, store: Store, values: dict[str, Any], add: str | None = None) -> None:
        key = {"finding_id": r.originator_id}
        store.update(self.tables[0], key, {**values, "version": r.version}, add)


def _finding_changes(changes: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("number", "text", "responsible_leader"):
        if name in changes:
            values[name] = changes[name]
    if "sources" in changes:
        values["sources"] = _json(changes["sources"])
    if "category" in changes:
        category = changes["category"]
        values["category"] = " > ".join(category)
        values["category_major"] = category[0]
        values["category_item"] = category[1] if len(category) > 1 else ""
    return values


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
