"""Inspections and units: the reference rows that counts and rollups group by."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, String, Table

from ledger.domain.inspection import Inspection
from ledger.domain.unit import Unit

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)


class Inspections(Projection):
    """rm_inspections: one row per inspection, with its stage and dates."""

    name = "inspections"
    title = "巡视(考核)"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            Table(
                f"rm_inspections{suffix}",
                metadata,
                Column("inspection_id", ID, primary_key=True),
                Column("kind", String(40), nullable=False),
                Column("title", String(200), nullable=False),
                Column("inspecting_body", String(200), nullable=False),
                Column("inspected_body", String(200), nullable=False),
                Column("on_site_start", Date),
                Column("on_site_end", Date),
                Column("feedback_date", Date),
                Column("stage", String(40), nullable=False),
                Column("opened_on", Date, nullable=False),
                Column("opened_us", BigInteger, nullable=False),
                Column("version", Integer, nullable=False),
            )
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Inspection.Opened: self.opened,
            Inspection.OnSiteBegun: self.stage("on_site"),
            Inspection.FeedbackDelivered: self.feedback,
            Inspection.PlanFiled: self.stage("rectifying"),
            Inspection.ProgressPublished: self.stage("progress_published"),
            Inspection.Closed: self.stage("closed"),
        }

    def opened(self, r: Record, store: Store) -> None:
        s = r.state
        store.insert(
            self.tables[0],
            {
                "inspection_id": r.originator_id,
                "kind": s["kind"],
                "title": s["title"],
                "inspecting_body": s["inspecting_body"],
                "inspected_body": s["inspected_body"],
                "on_site_start": _day(s["on_site_start"]),
                "on_site_end": _day(s["on_site_end"]),
                "feedback_date": None,
                "stage": "opened",
                "opened_on": r.effective,
                "opened_us": r.recorded_us,
                "version": r.version,
            },
        )

    def feedback(self, r: Record, store: Store) -> None:
        self._set(
            r,
            store,
            {"stage": "feedback_delivered", "feedback_date": _day(r.state["feedback_date"])},
        )

    def stage(self, stage: str) -> Handler:
        def handler(r: Record, store: Store) -> None:
            self._set(r, store, {"stage": stage})

        return handler

    def _set(self, r: Record, store: Store, values: dict[str, Any]) -> None:
        key = {"inspection_id": r.originator_id}
        store.update(self.tables[0], key, {**values, "version": r.version})


class Units(Projection):
    """rm_units: name, parent, level and latest headcount of every unit."""

    name = "units"
    title = "单位"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            Table(
                f"rm_units{suffix}",
                metadata,
                Column("unit_id", ID, primary_key=True),
                Column("name", String(200), nullable=False),
                Column("parent_id", ID),
                Column("level", String(20), nullable=False),
                Column("headcount_year", Integer),
                Column("headcount", Integer),
            )
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Unit.Registered: self.registered,
            Unit.Renamed: self.renamed,
            Unit.HeadcountRecorded: self.headcount,
        }

    def registered(self, r: Record, store: Store) -> None:
        s = r.state
        store.insert(
            self.tables[0],
            {
                "unit_id": r.originator_id,
                "name": s["name"],
                "parent_id": s["parent_id"],
                "level": s["level"],
                "headcount_year": None,
                "headcount": None,
            },
        )

    def renamed(self, r: Record, store: Store) -> None:
        store.update(self.tables[0], {"unit_id": r.originator_id}, {"name": r.state["name"]})

    def headcount(self, r: Record, store: Store) -> None:
        # The most recently recorded headcount is the one shown.
        s = r.state
        store.update(
            self.tables[0],
            {"unit_id": r.originator_id},
            {"headcount_year": s["year"], "headcount": s["headcount"]},
        )


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
