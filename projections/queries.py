"""Questions answered from the read models: counts, now or as of any past moment.

``as_of`` is an effective date ("as we now know it, on that day");
``known_at`` a recording time ("what the ledger showed then"). Either or
both may be given; without them the current tables answer directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.sql import ColumnElement

from ledger.domain.values import BEIJING

from .history import DEADLINE, LONG_TERM, SENT_BACK, STATUS
from .records import to_us
from .runner import Projector

COMPLETED = ("verified", "struck_off")
FOREVER = 2**62


class QueryError(ValueError):
    """A query that cannot be answered as asked (e.g. known_at in the future)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class When:
    """The moment a question is asked about, on both time axes."""

    as_of: date
    known_us: int
    current: bool

    @classmethod
    def of(cls, as_of: date | None = None, known_at: datetime | None = None) -> When:
        now = datetime.now(BEIJING)
        if known_at is not None:
            if known_at.tzinfo is None:
                raise QueryError("known_at 须带时区", "known_at")
            if known_at > now:
                raise QueryError("known_at 不能晚于当前时间", "known_at")
        day = as_of or now.date()
        known = FOREVER if known_at is None else to_us(known_at)
        return cls(day, known, as_of is None and known_at is None)


@dataclass
class Counts:
    """The published counts of one inspection (see README: how the counts are counted)."""

    inspection_id: str
    title: str
    inspected_body: str
    total: int = 0
    completed: int = 0
    ongoing: int = 0
    long_term: int = 0
    overdue: int = 0
    claimed: int = 0
    struck_off: int = 0
    sent_back: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ReadModels:
    """Read-only access to the read models of one database."""

    def __init__(self, projector: Projector) -> None:
        self.engine = projector.db.engine
        tables = {t.name: t for p in projector.projections for t in p.tables}
        self.findings = tables["rm_findings"]
        self.changes = tables["rm_finding_changes"]
        self.inspections = tables["rm_inspections"]
        self.units = tables["rm_units"]
        self.finding_units = tables["rm_finding_units"]

    def counts(self, inspection_id: str | None = None, when: When | None = None) -> list[Counts]:
        """Counts per inspection (or for one), now or as of ``when``."""
        when = when or When.of()
        result = {c.inspection_id: c for c in self._inspections(inspection_id, when)}
        rows = (
            self._current(inspection_id, when) if when.current else self._past(inspection_id, when)
        )
        for row in rows:
            counts = result.get(row.inspection_id)
            if counts is not None:
                _tally(counts, row.status, bool(row.long_term), row.deadline, row.sent_back, when)
        return list(result.values())

    def _inspections(self, inspection_id: str | None, when: When) -> list[Counts]:
        i = self.inspections
        query = (
            select(i.c.inspection_id, i.c.title, i.c.inspected_body)
            .where(i.c.opened_on <= when.as_of, i.c.opened_us <= when.known_us)
            .order_by(i.c.opened_us)
        )
        if inspection_id is not None:
            query = query.where(i.c.inspection_id == inspection_id)
        with self.engine.connect() as conn:
            return [Counts(*row) for row in conn.execute(query)]

    def _current(self, inspection_id: str | None, when: When) -> list[Any]:
        f = self.findings
        query = select(
            f.c.inspection_id,
            f.c.status,
            f.c.long_term,
            f.c.deadline,
            (f.c.sent_back > 0).label("sent_back"),
        )
        if inspection_id is not None:
            query = query.where(f.c.inspection_id == inspection_id)
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    def _past(self, inspection_id: str | None, when: When) -> list[Any]:
        f, ch = self.findings, self.changes

        def known(flag: int) -> ColumnElement[bool]:
            return and_(
                ch.c.finding_id == f.c.finding_id,
                ch.c.sets.op("&")(flag) != 0,
                ch.c.effective <= when.as_of,
                ch.c.recorded_us <= when.known_us,
            )

        def latest(column: str, flag: int) -> Any:
            inner = select(ch.c[column]).where(known(flag)).order_by(ch.c.position.desc())
            return inner.limit(1).scalar_subquery()

        sent_back = select(func.count()).where(known(SENT_BACK)).scalar_subquery()
        query = select(
            f.c.inspection_id,
            latest("status", STATUS).label("status"),
            latest("long_term", LONG_TERM).label("long_term"),
            latest("deadline", DEADLINE).label("deadline"),
            (sent_back > 0).label("sent_back"),
        ).where(f.c.recorded_on <= when.as_of, f.c.recorded_us <= when.known_us)
        if inspection_id is not None:
            query = query.where(f.c.inspection_id == inspection_id)
        with self.engine.connect() as conn:
            return list(conn.execute(query))


def _tally(
    c: Counts, status: str, long_term: bool, deadline: Any, sent_back: Any, when: When
) -> None:
    done = status in COMPLETED
    c.total += 1
    c.completed += done
    c.ongoing += not done
    c.long_term += long_term
    c.claimed += status == "claimed"
    c.struck_off += status == "struck_off"
    c.sent_back += bool(sent_back)
    c.overdue += (not done) and (not long_term) and deadline is not None and deadline < when.as_of
