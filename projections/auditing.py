"""Questions across the ledger, answered from the audit index: every change by an actor,
by a unit, of a kind, in a time window — and late deadline extensions.

Pages are in log order with the last position as cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import ColumnElement

from .reading import QueryError, Reader
from .records import from_us, to_us

MAX_LIMIT = 1000
EXTENDED = "Finding.DeadlineExtended"


@dataclass(frozen=True)
class Filter:
    """What to look for; every field given must hold."""

    actor_id: str | None = None
    unit_id: str | None = None
    record_id: str | None = None
    kind: str | None = None
    since: datetime | None = None  # recorded at or after
    until: datetime | None = None  # recorded before
    effective_from: date | None = None
    effective_to: date | None = None
    late: bool | None = None  # deadline extensions that came after the deadline had passed


@dataclass(frozen=True)
class AuditPage:
    items: list[dict[str, Any]]
    next: int | None


class AuditLog(Reader):
    """The audit index, queried."""

    def changes(self, f: Filter, after: int | None = None, limit: int = 100) -> AuditPage:
        """A page of events matching the filter, oldest first."""
        if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit 须为 1 至 {MAX_LIMIT} 的整数", "limit")
        a = self.t.audit
        query = select(a).where(*self._conditions(f))
        if after is not None:
            query = query.where(a.c.position > after)
        rows = self.rows(query.order_by(a.c.position).limit(limit + 1))
        items = [_item(row) for row in rows[:limit]]
        more = len(rows) > limit
        return AuditPage(items, items[-1]["position"] if more else None)

    def kinds(self) -> list[str]:
        """Every kind of event the index holds."""
        a = self.t.audit
        return [row[0] for row in self.rows(select(a.c.kind).distinct().order_by(a.c.kind))]

    def _conditions(self, f: Filter) -> list[ColumnElement[bool]]:
        a = self.t.audit
        equal = {
            "actor_id": f.actor_id,
            "actor_unit": f.unit_id,
            "record_id": f.record_id,
            "kind": f.kind,
        }
        conditions = [a.c[name] == value for name, value in equal.items() if value is not None]
        if f.since is not None:
            conditions.append(a.c.recorded_us >= _us(f.since, "since"))
        if f.until is not None:
            conditions.append(a.c.recorded_us < _us(f.until, "until"))
        if f.effective_from is not None:
            conditions.append(a.c.effective >= f.effective_from)
        if f.effective_to is not None:
            conditions.append(a.c.effective <= f.effective_to)
        if f.late is not None:
            e = self.t.extensions
            late = select(e.c.position).where(e.c.late == f.late)
            conditions += [a.c.kind == EXTENDED, a.c.position.in_(late)]
        return conditions


def _us(moment: datetime, field: str) -> int:
    if moment.tzinfo is None:
        raise QueryError("时间须带时区", field)
    return to_us(moment)


def _item(row: Any) -> dict[str, Any]:
    item = dict(row._asdict())
    item["recorded_at"] = from_us(item.pop("recorded_us"))
    return item
