"""What every query shares: the moment asked about, its errors, the tables, a finding's state then.

``as_of`` is an effective date ("as we now know it, on that day");
``known_at`` a recording time ("what the ledger showed then"). Either or
both may be given; without them the current tables answer directly.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Date,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement, Subquery

from ledger.domain.values import BEIJING

from .history import DEADLINE, LONG_TERM, SENT_BACK, STATUS
from .memo import Memo
from .records import to_us
from .runner import Projector

T = TypeVar("T")

COMPLETED = ("verified", "struck_off")
FOREVER = 2**62


class QueryError(ValueError):
    """A query that cannot be answered as asked (e.g. known_at in the future)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def one_of(field: str, value: Any, allowed: Iterable[str], meaning: str) -> None:
    """Refuse a value outside ``allowed``, naming the field and what it may be."""
    choices = list(allowed)
    if value not in choices:
        raise QueryError(f"{field} 不是已知的{meaning}:{value!r};可选:{', '.join(choices)}", field)


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

    @classmethod
    def asked(cls, current: bool) -> When:
        """The moment as bound parameters ``as_of`` and ``known_us``: a statement built
        with it is built and compiled once, then run with each question's ``params()``."""
        as_of: Any = bindparam("as_of", type_=Date)
        known_us: Any = bindparam("known_us", type_=BigInteger)
        return cls(as_of, known_us, current)

    def params(self) -> dict[str, Any]:
        """The values of the parameters of a statement built with ``asked``."""
        return {"as_of": self.as_of, "known_us": self.known_us}

    def by(self, day: Any, recorded_us: Any) -> list[ColumnElement[bool]]:
        """Conditions for a row that took effect on ``day`` and was recorded at ``recorded_us``."""
        if self.current:
            return []
        return [day <= self.as_of, recorded_us <= self.known_us]

    def not_yet(self, day: Any, recorded_us: Any) -> ColumnElement[bool]:
        """A nullable event (e.g. an answer) that had not happened by then."""
        if self.current:
            return day.is_(None)  # type: ignore[no-any-return]
        return or_(day.is_(None), day > self.as_of, recorded_us > self.known_us)


@dataclass(frozen=True)
class Tables:
    """The read models' tables, by short name."""

    findings: Table
    changes: Table
    measures: Table
    finding_units: Table
    inspections: Table
    units: Table
    letters: Table
    extensions: Table
    audit: Table

    @classmethod
    def of(cls, projector: Projector) -> Tables:
        live = {t.name: t for p in projector.projections for t in p.tables}
        names = {"changes": "rm_finding_changes"}
        return cls(**{f.name: live[names.get(f.name, f"rm_{f.name}")] for f in fields(cls)})


class Reader:
    """Read-only access to the read models of one database."""

    def __init__(self, projector: Projector, *, memo: bool = True) -> None:
        self.engine = projector.db.engine
        if projector.db.dialect == "postgres":
            # Each query reads on its own: without a transaction to begin and roll
            # back, one round trip to the server instead of three.
            self.engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        # Answers to the most asked questions, kept until the log moves (memo.py).
        self.memo = Memo(self.engine) if memo else None
        self.t = Tables.of(projector)
        self.prepared: dict[tuple[Any, ...], Any] = {}  # statements built once, by shape
        self.named = {t.name: t for p in projector.projections for t in p.tables}

    def kept(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, or the answer kept under ``key`` if the log has not moved."""
        return compute() if self.memo is None else self.memo.get(key, compute)

    def rows(self, query: Select[Any], values: dict[str, Any] | None = None) -> list[Row[Any]]:
        with self.engine.connect() as conn:
            return list(conn.execute(query, values))

    def count(self, query: Select[Any]) -> int:
        """How many rows ``query`` gives (a list's total, with the list's own filters)."""
        counted = select(func.count()).select_from(query.order_by(None).subquery("listed"))
        return int(self.rows(counted)[0][0])

    def state(self, when: When, *where: ColumnElement[bool]) -> Subquery:
        """Every finding recorded by ``when`` that meets ``where`` (conditions on
        rm_findings' fixed columns: inspection, category, id …).

        Status, long-term flag, deadline and how often it was sent back are as
        of then; the other fields (category, number, text, lead department)
        are current. Filters on the moving fields belong outside.
        """
        f = self.t.findings
        query = select(
            f.c.finding_id,
            f.c.inspection_id,
            f.c.recorded_us,
            f.c.number,
            f.c.category,
            f.c.category_major,
            f.c.category_item,
            f.c.text,
            f.c.lead_department,
            *self._moving(when),
        ).where(*when.by(f.c.recorded_on, f.c.recorded_us), *where)
        if not when.current:
            # A fence (OFFSET 0): each finding's past state is worked out once,
            # not again for every outer condition that mentions it.
            query = query.offset(0)
        return query.subquery("state")

    def of_inspection(self, inspection_id: Any) -> list[ColumnElement[bool]]:
        """The condition for one inspection's findings, if one is asked about."""
        if inspection_id is None:
            return []
        return [self.t.findings.c.inspection_id == str(inspection_id)]

    def _moving(self, when: When) -> list[Any]:
        """The fields that change over time, now or replayed from the change rows."""
        f, ch = self.t.findings, self.t.changes
        if when.current:
            return [f.c.status, f.c.long_term, f.c.deadline, f.c.sent_back]

        def known(flag: int) -> ColumnElement[bool]:
            return and_(
                ch.c.finding_id == f.c.finding_id,
                ch.c.sets.op("&")(flag) != 0,
                *when.by(ch.c.effective, ch.c.recorded_us),
            )

        def latest(column: str, flag: int) -> Any:
            inner = select(ch.c[column]).where(known(flag)).order_by(ch.c.position.desc())
            return inner.limit(1).scalar_subquery().label(column)

        sent_back = select(func.count()).where(known(SENT_BACK)).scalar_subquery()
        return [
            latest("status", STATUS),
            latest("long_term", LONG_TERM),
            latest("deadline", DEADLINE),
            sent_back.label("sent_back"),
        ]


def overdue(state: Subquery, as_of: date) -> ColumnElement[bool]:
    """Ongoing, not long-term, with a deadline before ``as_of`` (never NULL)."""
    return and_(
        state.c.status.not_in(COMPLETED),
        state.c.long_term == false(),
        state.c.deadline.is_not(None),
        state.c.deadline < as_of,
    )


def is_overdue(status: str, long_term: Any, deadline: date | None, as_of: date) -> bool:
    """The same rule as ``overdue``, for one row already read."""
    return status not in COMPLETED and not long_term and deadline is not None and deadline < as_of


@dataclass(kw_only=True)
class Figures:
    """The figures the published reports give, for any group of findings."""

    total: int = 0
    completed: int = 0
    ongoing: int = 0
    long_term: int = 0
    overdue: int = 0
    claimed: int = 0
    struck_off: int = 0
    sent_back: int = 0


def tally(c: Figures, row: Any, as_of: date) -> None:
    """Count one finding (a row with status, long_term, deadline, sent_back) into ``c``."""
    late = is_overdue(row.status, row.long_term, row.deadline, as_of)
    count(c, row.status, row.long_term, late, row.sent_back)


def count(c: Figures, status: str, long_term: Any, late: Any, sent_back: Any, n: int = 1) -> None:
    """Count ``n`` findings alike (status, long-term flag, overdue, ever sent back) into ``c``.

    completed + ongoing = total; long-term overlaps both; a claimed finding is
    still ongoing; a struck-off one stays completed.
    """
    done = status in COMPLETED
    c.total += n
    c.completed += n * done
    c.ongoing += n * (not done)
    c.long_term += n * bool(long_term)
    c.claimed += n * (status == "claimed")
    c.struck_off += n * (status == "struck_off")
    c.sent_back += n * bool(sent_back)
    c.overdue += n * bool(late)


def alike(s: Subquery, as_of: date, *keys: Any) -> Select[Any]:
    """Findings of ``s`` counted in SQL: one row per ``keys`` and (status,
    long-term flag, overdue on ``as_of``, ever sent back), with how many (``n``).

    A count then reads a dozen rows instead of every finding.
    """
    one = select(
        *keys,
        s.c.status,
        s.c.long_term,
        overdue(s, as_of).label("late"),
        (s.c.sent_back > 0).label("sent"),
    ).subquery("finding")
    return select(*one.c, func.count().label("n")).group_by(*one.c)
