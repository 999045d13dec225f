"""Progress over time: an inspection's counts at each month end, from the status history.

Each point equals ``counts`` asked as of that day (and as known at the same
recording time), but the series is computed in one sweep instead of one
query per point: the change rows are read once, in order of effective date,
and each finding's contribution to the figures is updated as its rows take
effect. A row replaces a field's value only if it comes later in the log
than the value it would replace, so the state on each day is, field by
field, the latest row in log order among those effective by then, as the
as-of queries define it. Overdue depends on the day itself, so it is
counted per point from the deadlines of the findings that could be overdue.
"""

from __future__ import annotations

from calendar import monthrange
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from .history import DEADLINE, LONG_TERM, SENT_BACK, STATUS
from .reading import COMPLETED, Figures, Reader, When

MAX_POINTS = 120


@dataclass
class Point(Figures):
    """The figures of one inspection as of ``day``."""

    day: date = date.min


@dataclass
class _Tracked:
    """One finding's fields so far: (log position, value) per field, and a send-back seen."""

    status: tuple[int, Any] = (-1, None)
    long_term: tuple[int, Any] = (-1, None)
    deadline: tuple[int, Any] = (-1, None)
    sent_back: bool = False

    def apply(self, row: Any) -> None:
        for flag, name in ((STATUS, "status"), (LONG_TERM, "long_term"), (DEADLINE, "deadline")):
            if row.sets & flag and row.position > getattr(self, name)[0]:
                setattr(self, name, (row.position, getattr(row, name)))
        self.sent_back = self.sent_back or bool(row.sets & SENT_BACK)


@dataclass
class _Sweep:
    """Running figures (without overdue) and the deadlines that may fall overdue."""

    figures: Counter[str] = field(default_factory=Counter)
    deadlines: Counter[date] = field(default_factory=Counter)

    def add(self, t: _Tracked, sign: int) -> None:
        status, long_term, deadline = t.status[1], bool(t.long_term[1]), t.deadline[1]
        done = status in COMPLETED
        self.figures.update(
            {
                "total": sign,
                "completed": sign * done,
                "ongoing": sign * (not done),
                "long_term": sign * long_term,
                "claimed": sign * (status == "claimed"),
                "struck_off": sign * (status == "struck_off"),
                "sent_back": sign * t.sent_back,
            }
        )
        if not done and not long_term and deadline is not None:
            self.deadlines[deadline] += sign

    def point(self, day: date) -> Point:
        overdue = sum(n for deadline, n in self.deadlines.items() if deadline < day)
        return Point(day=day, overdue=overdue, **{k: v for k, v in self.figures.items()})


class Progress(Reader):
    """Counts of one inspection at successive days."""

    def progress(self, inspection_id: Any, when: When | None = None) -> list[Point]:
        """The counts at each month end from the inspection's opening to ``when.as_of``
        (which is the last point), as known at ``when``; empty if not opened by then."""
        when = when or When.of()
        opened = self._opened(str(inspection_id), when)
        if opened is None:
            return []
        days = month_ends(opened, when.as_of)
        return self._sweep(str(inspection_id), when, days)

    def _opened(self, inspection_id: str, when: When) -> date | None:
        i = self.t.inspections
        query = select(i.c.opened_on).where(
            i.c.inspection_id == inspection_id,
            i.c.opened_on <= when.as_of,
            i.c.opened_us <= when.known_us,
        )
        rows = self.rows(query)
        return rows[0].opened_on if rows else None

    def _sweep(self, inspection_id: str, when: When, days: list[date]) -> list[Point]:
        arrivals, rows = self._findings(inspection_id, when), self._changes(inspection_id, when)
        tracked: dict[str, _Tracked] = {}
        existing: set[str] = set()
        sweep = _Sweep()
        a = r = 0
        points = []
        for day in days:
            while r < len(rows) and rows[r].effective <= day:
                row = rows[r]
                t = tracked.setdefault(row.finding_id, _Tracked())
                if row.finding_id in existing:
                    sweep.add(t, -1)
                t.apply(row)
                if row.finding_id in existing:
                    sweep.add(t, +1)
                r += 1
            while a < len(arrivals) and arrivals[a].recorded_on <= day:
                existing.add(arrivals[a].finding_id)
                sweep.add(tracked.setdefault(arrivals[a].finding_id, _Tracked()), +1)
                a += 1
            points.append(sweep.point(day))
        return points

    def _findings(self, inspection_id: str, when: When) -> list[Any]:
        f = self.t.findings
        query = (
            select(f.c.finding_id, f.c.recorded_on)
            .where(f.c.inspection_id == inspection_id, f.c.recorded_us <= when.known_us)
            .order_by(f.c.recorded_on)
        )
        return self.rows(query)

    def _changes(self, inspection_id: str, when: When) -> list[Any]:
        f, ch = self.t.findings, self.t.changes
        query = (
            select(ch)
            .join(f, f.c.finding_id == ch.c.finding_id)
            .where(f.c.inspection_id == inspection_id, ch.c.recorded_us <= when.known_us)
            .order_by(ch.c.effective, ch.c.position)
        )
        return self.rows(query)


def month_ends(start: date, end: date) -> list[date]:
    """The last day of each month from ``start``'s to ``end``'s, with ``end`` itself last;
    thinned to at most MAX_POINTS (keeping ``end``) for long spans."""
    days = []
    month = date(start.year, start.month, 1)
    while True:
        last = month.replace(day=monthrange(month.year, month.month)[1])
        if last >= end:  # before stepping on: the month after 9999-12 does not exist
            break
        days.append(last)
        month = last + timedelta(days=1)
    step = -(-len(days) // (MAX_POINTS - 1)) if days else 1
    kept = days[::-1][::step][::-1]
    return [*kept, end]
