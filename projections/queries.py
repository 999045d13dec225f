"""Questions answered from the read models: counts, lists, rollups and registers.

Every query takes a ``When`` (see ``reading``): without one the current
tables answer; with one, the state as of that effective date and as known
at that recording time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Select, bindparam, select

from .accountability_queries import AccountabilityQueries
from .clue_queries import ClueQueries
from .fund_queries import FundQueries
from .lists import FindingLists, Page
from .progress import Point, Progress
from .reading import Figures, QueryError, When, alike, count
from .registers import Registers
from .rollups import Rollups

__all__ = ["Counts", "Page", "Point", "QueryError", "ReadModels", "When"]


@dataclass
class Counts(Figures):
    """The published counts of one inspection (see README: how the counts are counted)."""

    inspection_id: str
    title: str
    inspected_body: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ReadModels(
    FindingLists, Rollups, Registers, Progress, AccountabilityQueries, FundQueries, ClueQueries
):
    """Read-only access to the read models of one database."""

    def counts(self, inspection_id: str | None = None, when: When | None = None) -> list[Counts]:
        """Counts per inspection (or for one), now or as of ``when``. The objects may be
        shared with other callers: read them, do not change them."""
        when = when or When.of()
        one = None if inspection_id is None else str(inspection_id)
        return list(self.kept(("counts", one, when), lambda: self._counts(one, when)))

    def counts_kept(
        self, inspection_id: str | None = None, when: When | None = None, at: int | None = None
    ) -> list[Counts] | None:
        """The counts if an answer is kept and still right, else None: a caller that
        must not wait on a query (the event loop) asks this first, with the read
        models' position ``at`` if it knows it (else that is looked up)."""
        when = when or When.of()
        one = None if inspection_id is None else str(inspection_id)
        found = None if self.memo is None else self.memo.peek(("counts", one, when), at)
        return None if found is None else list(found)

    def _counts(self, inspection_id: str | None, when: When) -> tuple[Counts, ...]:
        query = self._counts_query(inspection_id is not None, when.current)
        values = {**when.params(), "inspection_id": str(inspection_id)}
        result: dict[str, Counts] = {}
        for row in self.rows(query, values):
            counts = result.get(row.inspection_id)
            if counts is None:
                counts = result[row.inspection_id] = Counts(*row[:3])
            if row.n:  # an inspection without findings (yet) has one row of NULLs
                count(counts, row.status, row.long_term, row.late, row.sent, row.n)
        return tuple(result.values())

    def _counts_query(self, one: bool, current: bool) -> Select[Any]:
        """One statement per shape of question, built once: each inspection opened by
        then, with its findings grouped alike (see ``alike``), in opening order."""
        key = ("counts", one, current)
        if key not in self.prepared:
            when = When.asked(current)
            i, f = self.t.inspections, self.t.findings
            which = [f.c.inspection_id == bindparam("inspection_id")] if one else []
            s = self.state(when, *which)
            g = alike(s, when.as_of, s.c.inspection_id).subquery("alike")
            query = (
                select(i.c.inspection_id, i.c.title, i.c.inspected_body, *list(g.c)[1:])
                .select_from(i.outerjoin(g, g.c.inspection_id == i.c.inspection_id))
                .where(i.c.opened_on <= when.as_of, i.c.opened_us <= when.known_us)
                .order_by(i.c.opened_us, i.c.inspection_id)
            )
            if one:
                query = query.where(i.c.inspection_id == bindparam("inspection_id"))
            self.prepared[key] = query
        found: Select[Any] = self.prepared[key]
        return found
