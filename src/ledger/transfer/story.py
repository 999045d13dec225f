"""What exports show of each finding, read from the read models and its own events.

Status, long-term flag and deadline come from the read models as of the
moment asked about; leader and units are current (as the read models keep
them); measures and the latest progress report are replayed from the
finding's events on both time axes, corrections included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import select

from ledger.application.ledger import Ledger
from ledger.domain.finding import Finding
from ledger.domain.values import MeasureKind, beijing_date_of
from ledger.projections.queries import ReadModels, When
from ledger.projections.records import to_us


@dataclass
class Shown:
    """One finding as an export shows it."""

    finding_id: str
    number: str
    category: list[str]
    text: str
    completed: bool
    long_term: bool
    deadline: date | None
    leader: str = ""
    lead: str = ""
    units: list[str] = field(default_factory=list)
    measures: list[tuple[str, str]] = field(default_factory=list)  # (kind label, text)
    progress: str = ""

    @property
    def status(self) -> str:
        """完成情况 as the published reports write it."""
        done = "已完成" if self.completed else "正在整改"
        return f"{done},需长期坚持" if self.long_term else done


def inspections(app: Ledger, when: When, inspection_id: str | None = None) -> list[Any]:
    """The inspections known at ``when`` (counts rows: id, title, inspected body …)."""
    counts: list[Any] = ReadModels(app.projector).counts(inspection_id, when)
    return counts


def shown(app: Ledger, inspection_id: str, when: When) -> list[Shown]:
    """Every finding of one inspection known at ``when``, in recording order."""
    models = ReadModels(app.projector)
    fixed = _fixed(models, inspection_id)
    names = _unit_names(models)
    result: list[Shown] = []
    after = None
    while True:
        page = models.findings(inspection_id, when=when, after=after, limit=1000)
        for item in page.items:
            result.append(_one(app, item, fixed[item["finding_id"]], names, when))
        if page.next is None:
            return result
        after = page.next


def _one(app: Ledger, item: dict[str, Any], fixed: Any, names: dict[str, str], when: When) -> Shown:
    units = [names.get(u, u) for u in orjson.loads(fixed.responsible_units)]
    s = Shown(
        finding_id=item["finding_id"],
        number=item["number"],
        category=item["category"].split(" > "),
        text=item["text"],
        completed=item["completed"],
        long_term=item["long_term"],
        deadline=item["deadline"],
        leader=fixed.responsible_leader,
        lead=names.get(fixed.lead_department or "", ""),
        units=units,
    )
    s.measures, s.progress = _replayed(app, UUID(s.finding_id), when)
    return s


def _replayed(app: Ledger, finding_id: UUID, when: When) -> tuple[list[tuple[str, str]], str]:
    """Measures and the latest progress narrative, from the events known at ``when``."""
    measures: dict[int, tuple[str, str]] = {}
    reports: dict[int, str] = {}
    for event in app.history(finding_id):
        if not _known(event, when):
            continue
        if isinstance(event, Finding.MeasureAdded):
            measures[event.originator_version] = (MeasureKind(event.kind).label, event.text)
        elif isinstance(event, Finding.ProgressReported):
            reports[event.originator_version] = event.narrative
        elif isinstance(event, Finding.Corrected):
            _correct(event, measures, reports)
    progress = reports[max(reports)] if reports else ""
    return [measures[v] for v in sorted(measures)], progress


def _correct(
    event: Finding.Corrected, measures: dict[int, tuple[str, str]], reports: dict[int, str]
) -> None:
    target, changes = event.corrects_version, event.changes
    if target in measures and changes.text is not None:
        measures[target] = (measures[target][0], changes.text)
    if target in reports and changes.narrative is not None:
        reports[target] = changes.narrative


def _known(event: Any, when: When) -> bool:
    if when.current:
        return True
    effective = beijing_date_of(event.envelope.effective_at)
    return bool(effective <= when.as_of and to_us(event.timestamp) <= when.known_us)


def _fixed(models: ReadModels, inspection_id: str) -> dict[str, Any]:
    f = models.t.findings
    query = select(
        f.c.finding_id, f.c.responsible_leader, f.c.lead_department, f.c.responsible_units
    ).where(f.c.inspection_id == str(inspection_id))
    return {row.finding_id: row for row in models.rows(query)}


def _unit_names(models: ReadModels) -> dict[str, str]:
    u = models.t.units
    return {unit_id: name for unit_id, name in models.rows(select(u.c.unit_id, u.c.name))}
