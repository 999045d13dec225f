"""The parts a finding is made of: measures, progress reports, letters, corrections.

These are values carried by Finding events (``Frozen``) or plain state kept
on the aggregate; none of them is stored on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from ledger.domain import rules
from ledger.domain.errors import InvalidInput
from ledger.domain.values import EscalationLevel, Evidence, Figure, Frozen, MeasureKind


@dataclass
class Measure:
    """A rectification measure (整改措施) of a finding."""

    id: UUID
    kind: MeasureKind
    text: str
    owner_unit: UUID
    deadline: date | None
    long_term: bool
    version: int


@dataclass
class Report:
    """A progress report (整改进展) on a finding or one of its measures."""

    id: UUID
    measure_id: UUID | None
    narrative: str
    figures: list[Figure]
    evidence: list[Evidence]
    version: int


@dataclass
class Letter:
    """A supervision letter (督办函) and whether it has been answered."""

    letter_no: str
    level: EscalationLevel
    addressed_to: UUID | None
    due_date: date | None
    answered: bool = False


@dataclass
class Extension:
    """One deadline extension: the old date stays in history."""

    previous: date
    new: date
    approver: str
    reason: str


class Changes(Frozen):
    """The corrected values of an earlier event; unset fields are unchanged."""

    category: list[str] | None = None
    number: str | None = None
    text: str | None = None
    sources: list[str] | None = None
    responsible_leader: str | None = None
    narrative: str | None = None
    figures: list[Figure] | None = None
    evidence: list[Evidence] | None = None


# Which fields of which event may be corrected by a later Corrected event.
CORRECTABLE: dict[str, frozenset[str]] = {
    "Recorded": frozenset({"category", "number", "text", "sources"}),
    "Assigned": frozenset({"responsible_leader"}),
    "ProgressReported": frozenset({"narrative", "figures", "evidence"}),
    "MeasureAdded": frozenset({"text"}),
}


@dataclass
class History:
    """Version → event name, so corrections can name their target."""

    kinds: dict[int, str] = field(default_factory=dict)


def figures(values: Any) -> list[Figure]:
    """Validate reported figures: name, exact value, optional total."""
    result = []
    for i, v in enumerate(_items("figures", values)):
        where = f"figures[{i}]"
        value = rules.decimal(f"{where}.value", v.get("value"))
        total = v.get("of_total")
        of_total = None if total is None else rules.decimal(f"{where}.of_total", total)
        if of_total is not None and value > of_total:
            raise InvalidInput(f"数值 {value} 大于总数 {of_total}", field=f"{where}.value")
        result.append(
            Figure(
                name=rules.text(f"{where}.name", v.get("name")),
                value=value,
                unit=rules.text(f"{where}.unit", v.get("unit"), max_len=20, optional=True),
                of_total=of_total,
            )
        )
    return result


def evidence(values: Any) -> list[Evidence]:
    """Validate evidence references; a given sha256 must be 64 hex digits."""
    result = []
    for i, v in enumerate(_items("evidence", values)):
        where = f"evidence[{i}]"
        digest = rules.text(f"{where}.sha256", v.get("sha256"), max_len=64, optional=True).lower()
        if digest and (len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)):
            raise InvalidInput("sha256 必须是 64 位十六进制摘要", field=f"{where}.sha256")
        result.append(
            Evidence(
                title=rules.text(f"{where}.title", v.get("title")),
                document_no=rules.text(f"{where}.document_no", v.get("document_no"), optional=True),
                sha256=digest,
                location=rules.text(f"{where}.location", v.get("location"), optional=True),
            )
        )
    return result


def _items(field_name: str, values: Any) -> list[dict[str, Any]]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise InvalidInput("必须是列表", field=field_name)
    items = [v.model_dump() if isinstance(v, Frozen) else v for v in values]
    for i, v in enumerate(items):
        if not isinstance(v, dict):
            raise InvalidInput("每项必须是对象", field=f"{field_name}[{i}]")
    if len(items) > rules.MAX_ITEMS:
        raise InvalidInput(f"过多:{len(items)} 项", field=field_name)
    return items
