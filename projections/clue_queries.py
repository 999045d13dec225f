"""Clue and petition questions: received, concluded, overdue, by disposition, unit, kind
and organ; one clue with its transfers and the cases and actions it led to; the transfer
register of an organ (both sides of every transfer).

As of a moment: received if its receipt is known by then; assigned and
concluded likewise by the times of those events; overdue if assigned and not
concluded by then and its due date is before the day asked about.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.sql import ColumnElement

from ledger.domain.clue import ClueKind, Disposition

from . import paging
from .lists import Page
from .reading import Reader, When, one_of

GROUPS = {"unit": "unit_id", "disposition": "disposition", "kind": "kind", "organ": "organ"}
DISPOSITIONS = [d.value for d in Disposition]
# Where a clue stands by then; "open" is every clue not yet concluded (the 未办结 figure).
STATUSES = ("received", "assigned", "concluded", "open")


class ClueQueries(Reader):
    """Read-only questions on the clue read model."""

    def clue_counts(
        self,
        kind: str | None = None,
        unit_id: Any = None,
        organ: str | None = None,
        when: When | None = None,
    ) -> dict[str, Any]:
        """Received, assigned, concluded, open and overdue, and the concluded by disposition."""
        when = when or When.of()
        c = self.named["rm_clues"]
        query = self._filtered(select(*self._figures(when)), kind, unit_id, organ, when)
        totals = _ints(self.rows(query)[0]._asdict())
        ways = select(c.c.disposition, func.count()).where(self._concluded(when))
        ways = self._filtered(ways, kind, unit_id, organ, when).group_by(c.c.disposition)
        found = {row[0]: row[1] for row in self.rows(ways)}
        return {**totals, "by_disposition": {d: int(found.get(d, 0)) for d in DISPOSITIONS}}

    def clue_rollup(
        self, by: str, kind: str | None = None, when: When | None = None
    ) -> list[dict[str, Any]]:
        """The same figures per unit, disposition, kind or current organ."""
        one_of("by", by, GROUPS, "分组方式")
        when = when or When.of()
        key = self.named["rm_clues"].c[GROUPS[by]]
        query = select(key.label("key"), *self._figures(when)).group_by(key).order_by(key)
        rows = self.rows(self._filtered(query, kind, None, None, when))
        return [{**_ints(row._asdict()), "key": row.key} for row in rows]

    def clues(
        self,
        kind: str | None = None,
        unit_id: Any = None,
        overdue: bool | None = None,
        when: When | None = None,
        after: str | None = None,
        limit: int = 50,
        total: bool = False,
        status: str | None = None,
        disposition: str | None = None,
    ) -> Page:
        """Clues received by then, in the order received, a page at a time; with
        ``total``, how many match in all. ``status`` and ``disposition`` are as of then,
        so each figure of ``clue_counts`` has the list behind it."""
        when, size = when or When.of(), paging.limit_of(limit)
        c = self.named["rm_clues"]
        query = self._filtered(select(c), kind, unit_id, None, when)
        if overdue is not None:
            query = query.where(self._overdue(when) if overdue else ~self._overdue(when))
        query = query.where(*self._stage(status, disposition, when))
        page = query.where(c.c.position > paging.decode(after)).order_by(c.c.position)
        rows = self.rows(page.limit(size + 1))
        items = [self._as_of(row._asdict(), when) for row in rows[:size]]
        more = len(rows) > size
        cursor = paging.encode(items[-1]["position"]) if more else None
        return Page(items, cursor, self.count(query) if total else None)

    def clue(self, clue_id: Any, when: When | None = None) -> dict[str, Any] | None:
        """One clue with its transfers and the cases and actions that cite it; None if unknown."""
        when = when or When.of()
        c = self.named["rm_clues"]
        rows = self.rows(
            self._filtered(select(c), None, None, None, when).where(c.c.clue_id == str(clue_id))
        )
        if not rows:
            return None
        item = self._as_of(rows[0]._asdict(), when)
        t = self.named["rm_clue_transfers"]
        moves = select(t).where(
            t.c.clue_id == str(clue_id), *when.by(t.c.effective, t.c.recorded_us)
        )
        item["transfers"] = [row._asdict() for row in self.rows(moves.order_by(t.c.position))]
        item["cases"], item["actions"] = self._led_to(str(clue_id))
        return item

    def transfers(self, organ: str, when: When | None = None) -> list[dict[str, Any]]:
        """Every transfer in or out of an organ, in log order, with its direction."""
        when = when or When.of()
        t = self.named["rm_clue_transfers"]
        query = select(t).where(
            or_(t.c.from_organ == organ, t.c.to_organ == organ),
            *when.by(t.c.effective, t.c.recorded_us),
        )
        rows = self.rows(query.order_by(t.c.position))
        return [
            {**row._asdict(), "direction": "out" if row.from_organ == organ else "in"}
            for row in rows
        ]

    # --- building blocks ------------------------------------------------------------

    def _stage(
        self, status: str | None, disposition: str | None, when: When
    ) -> list[ColumnElement[bool]]:
        c = self.named["rm_clues"]
        done = self._concluded(when)
        assigned = self._happened(c.c.assigned_on, c.c.assigned_us, when)
        where: list[ColumnElement[bool]] = []
        if status is not None:
            one_of("status", status, STATUSES, "办理状态")
            where.append(
                {
                    "received": and_(~assigned, ~done),
                    "assigned": and_(assigned, ~done),
                    "concluded": done,
                    "open": ~done,
                }[status]
            )
        if disposition is not None:
            one_of("disposition", disposition, DISPOSITIONS, "处置方式")
            where += [done, c.c.disposition == disposition]
        return where

    def _led_to(self, clue_id: str) -> tuple[list[str], list[str]]:
        cc, ca = self.named["rm_case_clues"], self.named["rm_clue_actions"]
        cases = [r[0] for r in self.rows(select(cc.c.case_id).where(cc.c.clue_id == clue_id))]
        a = self.named["rm_actions"]
        cited = select(ca.c.action_id).where(ca.c.clue_id == clue_id)
        in_cases = select(a.c.action_id).where(a.c.case_id.in_(cases)) if cases else None
        actions = {r[0] for r in self.rows(cited)}
        if in_cases is not None:
            actions |= {r[0] for r in self.rows(in_cases)}
        return sorted(cases), sorted(actions)

    def _filtered(
        self, query: Select[Any], kind: Any, unit_id: Any, organ: Any, when: When
    ) -> Select[Any]:
        c = self.named["rm_clues"]
        query = query.where(*when.by(c.c.effective, c.c.recorded_us))
        if kind is not None:
            one_of("kind", kind, [k.value for k in ClueKind], "线索类型")
            query = query.where(c.c.kind == kind)
        if unit_id is not None:
            query = query.where(c.c.unit_id == str(unit_id))
        if organ is not None:
            query = query.where(c.c.organ == organ)
        return query

    def _figures(self, when: When) -> list[Any]:
        c = self.named["rm_clues"]

        def count(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        return [
            func.count().label("received"),
            count(self._happened(c.c.assigned_on, c.c.assigned_us, when)).label("assigned"),
            count(self._concluded(when)).label("concluded"),
            count(~self._concluded(when)).label("open"),
            count(self._overdue(when)).label("overdue"),
        ]

    def _happened(self, day: Any, us: Any, when: When) -> ColumnElement[bool]:
        if when.current:
            return day.is_not(None)  # type: ignore[no-any-return]
        return and_(day.is_not(None), day <= when.as_of, us <= when.known_us)

    def _concluded(self, when: When) -> ColumnElement[bool]:
        c = self.named["rm_clues"]
        return self._happened(c.c.concluded_on, c.c.concluded_us, when)

    def _overdue(self, when: When) -> ColumnElement[bool]:
        c = self.named["rm_clues"]
        assigned = self._happened(c.c.assigned_on, c.c.assigned_us, when)
        late = and_(c.c.due_date.is_not(None), c.c.due_date < when.as_of)
        return and_(assigned, ~self._concluded(when), late)

    def _as_of(self, item: dict[str, Any], when: When) -> dict[str, Any]:
        def seen(day: Any, us: Any) -> bool:
            return day is not None and (when.current or (day <= when.as_of and us <= when.known_us))

        concluded = seen(item["concluded_on"], item["concluded_us"])
        assigned = seen(item["assigned_on"], item["assigned_us"])
        if not concluded:
            item.update(disposition=None, concluded_on=None, concluded_us=None)
            item["status"] = "assigned" if assigned else "received"
        due = item["due_date"]
        item["overdue"] = assigned and not concluded and due is not None and due < when.as_of
        return item


def _ints(item: dict[str, Any]) -> dict[str, Any]:
    return {k: int(v) if k != "key" else v for k, v in item.items()}
