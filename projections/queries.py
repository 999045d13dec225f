"""Questions answered from the read models: counts, lists, rollups and registers.

Every query takes a ``When`` (see ``reading``): without one the current
tables answer; with one, the state as of that effective date and as known
at that recording time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from .lists import FindingLists, Page
from .reading import Figures, QueryError, When, tally
from .registers import Registers
from .rollups import Rollups

__all__ = ["Counts", "Page", "QueryError", "ReadModels", "When"]


@dataclass
class Counts(Figures):
    """The published counts of one inspection (see README: how the counts are counted)."""

    inspection_id: str
    title: str
    inspected_body: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ReadModels(FindingLists, Rollups, Registers):
    """Read-only access to the read models of one database."""

    def counts(self, inspection_id: str | None = None, when: When | None = None) -> list[Counts]:
        """Counts per inspection (or for one), now or as of ``when``."""
        when = when or When.of()
        result = {c.inspection_id: c for c in self._inspections(inspection_id, when)}
        s = self.state(when, *self.of_inspection(inspection_id))
        query = select(s.c.inspection_id, s.c.status, s.c.long_term, s.c.deadline, s.c.sent_back)
        for row in self.rows(query):
            counts = result.get(row.inspection_id)
            if counts is not None:
                tally(counts, row, when.as_of)
        return list(result.values())

    def _inspections(self, inspection_id: str | None, when: When) -> list[Counts]:
        i = self.t.inspections
        query = (
            select(i.c.inspection_id, i.c.title, i.c.inspected_body)
            .where(i.c.opened_on <= when.as_of, i.c.opened_us <= when.known_us)
            .order_by(i.c.opened_us)
        )
        if inspection_id is not None:
            query = query.where(i.c.inspection_id == str(inspection_id))
        return [Counts(*row) for row in self.rows(query)]
