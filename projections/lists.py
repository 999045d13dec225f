"""Finding lists: one finding in full, filtered pages of findings, the overdue list.

Pages are in recording order, (recorded_us, finding_id): a finding's place
never moves, so a cursor stays valid while findings change status, and new
findings appear on later pages.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Row, Table, desc, func, literal, select, true, tuple_
from sqlalchemy.sql import ColumnElement, Subquery

from .reading import COMPLETED, QueryError, Reader, When, is_overdue, one_of, overdue

MAX_LIMIT = 1000
BAD_CURSOR = "after 不是有效的分页游标(请使用上一页返回的 next)"
MOVING = ("status", "long_term", "deadline", "sent_back")
Condition = ColumnElement[bool]

# What each ``status`` filter matches. "ongoing" is ongoing as the published
# counts count it (正在整改: not yet verified, so claimed findings too), so a
# list sums to the figure it explains; "completed" is verified or struck off.
STATUSES: dict[str, Callable[[Subquery], Condition]] = {
    "ongoing": lambda s: s.c.status.not_in(COMPLETED),
    "claimed": lambda s: s.c.status == "claimed",
    "verified": lambda s: s.c.status == "verified",
    "struck_off": lambda s: s.c.status == "struck_off",
    "completed": lambda s: s.c.status.in_(COMPLETED),
}


@dataclass(frozen=True)
class Page:
    """One page of a list; ``next`` is the cursor of the page after it, if any;
    ``total`` how many items the whole list has (counted only when asked for)."""

    items: list[dict[str, Any]]
    next: str | None
    total: int | None = None


class FindingLists(Reader):
    """Findings one at a time or a page at a time, now or as of any moment."""

    def finding(self, finding_id: Any, when: When | None = None) -> dict[str, Any] | None:
        """Every field of one finding, its measures and its units; None if unknown.

        As of a past moment, status, long-term flag, deadline and send-backs
        are as of then (None if the finding was not yet recorded); the other
        fields, the measures and the units are current.
        """
        when = when or When.of()
        f = self.t.findings
        s = self.state(when, f.c.finding_id == str(finding_id))
        fixed = [c for c in f.c if c.name not in MOVING]
        query = select(*fixed, *(s.c[name] for name in MOVING))
        rows = self.rows(query.join(s, s.c.finding_id == f.c.finding_id))
        if not rows:
            return None
        return {
            **_detail(rows[0], when.as_of),
            "measures": self._measures(str(finding_id)),
            "units": self._units(str(finding_id)),
        }

    def findings(
        self,
        inspection_id: Any = None,
        unit_id: Any = None,
        category: str | None = None,
        status: str | None = None,
        long_term: bool | None = None,
        overdue: bool | None = None,
        when: When | None = None,
        after: str | None = None,
        limit: int = 50,
        sent_back: bool | None = None,
        total: bool = False,
    ) -> Page:
        """A page of findings matching every filter given, in recording order.

        ``category`` matches a 大类, or a 大类 > 项; ``overdue`` is judged on
        the day asked about. With ``total``, the page also says how many
        findings match in all (a COUNT with the same filters, on every page).
        """
        when = when or When.of()
        f = self.t.findings
        fixed = [*self.of_inspection(inspection_id), *self._unit(unit_id), *_category(f, category)]

        def conditions(s: Subquery) -> list[Condition]:
            return [
                *_status(s, status),
                *_flag(long_term, "long_term", s.c.long_term == true()),
                *_flag(overdue, "overdue", _overdue(s, when)),
                *_flag(sent_back, "sent_back", s.c.sent_back > 0),
            ]

        s = self.state(when, *fixed, *_after(f, after))
        page = self._page(s, conditions(s), when, limit)
        if not total:
            return page
        every = self.state(when, *fixed)
        counted = self.rows(select(func.count()).select_from(every).where(*conditions(every)))
        return Page(page.items, page.next, int(counted[0][0]))

    def overdue(
        self,
        inspection_id: Any = None,
        unit_id: Any = None,
        when: When | None = None,
        after: str | None = None,
        limit: int = 50,
        total: bool = False,
    ) -> Page:
        """Findings overdue on the day asked about: ongoing, not long-term, deadline
        before that day, counting only extensions that had taken effect by then."""
        return self.findings(
            inspection_id, unit_id, overdue=True, when=when, after=after, limit=limit, total=total
        )

    def _page(self, s: Subquery, conditions: list[Condition], when: When, limit: int) -> Page:
        limit = _limit(limit)
        query = select(s).where(*conditions).order_by(s.c.recorded_us, s.c.finding_id)
        rows = self.rows(query.limit(limit + 1))
        items = [_item(row, when.as_of) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(items, encode(rows[limit - 1]) if more else None)

    def _unit(self, unit_id: Any) -> list[Condition]:
        if unit_id is None:
            return []
        fu, f = self.t.finding_units, self.t.findings
        return [f.c.finding_id.in_(select(fu.c.finding_id).where(fu.c.unit_id == str(unit_id)))]

    def _measures(self, finding_id: str) -> list[dict[str, Any]]:
        m = self.t.measures
        query = select(m).where(m.c.finding_id == finding_id).order_by(m.c.version)
        return [_without(row, "finding_id") for row in self.rows(query)]

    def _units(self, finding_id: str) -> list[dict[str, Any]]:
        fu, u = self.t.finding_units, self.t.units
        query = (
            select(fu.c.unit_id, u.c.name, u.c.level, fu.c.lead)
            .outerjoin(u, u.c.unit_id == fu.c.unit_id)
            .where(fu.c.finding_id == finding_id)
            .order_by(desc(fu.c.lead), u.c.name, fu.c.unit_id)
        )
        return [{**row._asdict(), "lead": bool(row.lead)} for row in self.rows(query)]


def encode(row: Row[Any]) -> str:
    """The cursor after ``row``: its place in recording order, opaque to callers."""
    raw = orjson.dumps([row.recorded_us, row.finding_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[int, str]:
    """The (recorded_us, finding_id) a cursor stands for; QueryError if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        recorded_us, finding_id = orjson.loads(raw)
    except (TypeError, ValueError, binascii.Error):
        raise QueryError(BAD_CURSOR, "after") from None
    if type(recorded_us) is not int or not isinstance(finding_id, str) or len(finding_id) > 36:
        raise QueryError(BAD_CURSOR, "after")
    return recorded_us, finding_id


def _after(f: Table, cursor: str | None) -> list[Condition]:
    """Findings after the cursor's place in recording order."""
    if cursor is None:
        return []
    recorded_us, finding_id = decode(cursor)
    place = tuple_(f.c.recorded_us, f.c.finding_id)
    return [place > tuple_(literal(recorded_us), literal(finding_id))]


def _limit(limit: Any) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit 须为 1 至 {MAX_LIMIT} 的整数(每页条数)", "limit")
    return limit


def _category(f: Table, category: str | None) -> list[Condition]:
    if category is None:
        return []
    parts = [p.strip() for p in str(category).split(">")]
    if len(parts) == 1:
        return [f.c.category_major == parts[0]]
    if len(parts) == 2:
        return [f.c.category_major == parts[0], f.c.category_item == parts[1]]
    return [f.c.category == " > ".join(parts)]


def _status(s: Subquery, status: str | None) -> list[Condition]:
    if status is None:
        return []
    one_of("status", status, STATUSES, "整改状态")
    return [STATUSES[status](s)]


def _flag(value: bool | None, field: str, condition: Condition) -> list[Condition]:
    if value is None:
        return []
    if not isinstance(value, bool):
        raise QueryError(f"{field} 须为布尔值", field)
    return [condition if value else ~condition]


def _overdue(s: Subquery, when: When) -> Condition:
    return overdue(s, when.as_of)


def _item(row: Row[Any], as_of: date) -> dict[str, Any]:
    return {**_without(row, "recorded_us"), **_judged(row, as_of)}


def _detail(row: Row[Any], as_of: date) -> dict[str, Any]:
    item = {**row._asdict(), **_judged(row, as_of)}
    for name in ("sources", "responsible_units"):
        item[name] = orjson.loads(item[name])
    return item


def _judged(row: Row[Any], as_of: date) -> dict[str, Any]:
    """What follows from the state on the day asked about."""
    late = is_overdue(row.status, row.long_term, row.deadline, as_of)
    return {
        "long_term": bool(row.long_term),
        "completed": row.status in COMPLETED,
        "overdue": late,
        "days_overdue": (as_of - row.deadline).days if late else None,
    }


def _without(row: Row[Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in row._asdict().items() if k not in names}
