"""Rollups: the published counts grouped by category, item, responsible unit or unit level.

The counts are as of the moment asked about, but the groups use current
values: a finding's current category (after any correction), its current
lead department and responsible units, and those units' current names and
levels. A finding with several units counts once under each of them, and
once per level under ``level``; a finding not yet assigned counts under a
unit (and level) of None. Groups come in the order of their first finding
(document order for categories); levels from the top down.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.sql import Subquery

from ledger.domain.values import UnitLevel

from .reading import Figures, Reader, When, one_of, tally

DIMENSIONS = ("category", "item", "unit", "level")
LEVELS = [level.value for level in UnitLevel]


@dataclass
class Rollup(Figures):
    """The counts of one group; ``key`` holds the grouping fields."""

    key: dict[str, Any]
    seen: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        figures = asdict(self)
        del figures["key"], figures["seen"]
        return {**self.key, **figures}


class Rollups(Reader):
    """Counts by category, item, unit or unit level."""

    def rollup(
        self, by: str, inspection_id: Any = None, when: When | None = None
    ) -> list[dict[str, Any]]:
        """One row per group: its key fields, then total, completed, ongoing, long_term,
        overdue, claimed, struck_off and sent_back, counted as ``counts`` counts them."""
        one_of("by", by, DIMENSIONS, "汇总维度")
        when = when or When.of()
        s = self.state(when, *self.of_inspection(inspection_id))
        query, keys = self._grouped(by, s)
        groups: dict[tuple[Any, ...], Rollup] = {}
        for row in self.rows(query):
            key = tuple(getattr(row, k) for k in keys)
            group = groups.setdefault(key, Rollup(_key(by, keys, key)))
            if row.finding_id not in group.seen:  # once per level, not once per unit
                group.seen.add(row.finding_id)
                tally(group, row, when.as_of)
        return [g.as_dict() for g in _ordered(by, list(groups.values()))]

    def _grouped(self, by: str, s: Subquery) -> tuple[Select[Any], list[str]]:
        figures = [s.c.finding_id, s.c.status, s.c.long_term, s.c.deadline, s.c.sent_back]
        order = [s.c.recorded_us, s.c.finding_id]
        if by in ("category", "item"):
            keys = [s.c.category_major.label("category")]
            if by == "item":
                keys.append(s.c.category_item.label("item"))
            return select(*keys, *figures).order_by(*order), [k.name for k in keys]
        fu, u = self.t.finding_units, self.t.units
        joined = s.outerjoin(fu, fu.c.finding_id == s.c.finding_id).outerjoin(
            u, u.c.unit_id == fu.c.unit_id
        )
        unit = [fu.c.unit_id, u.c.name, u.c.level] if by == "unit" else [u.c.level]
        query = select(*unit, *figures).select_from(joined).order_by(*order, fu.c.unit_id)
        return query, [c.name for c in unit]


def _key(by: str, names: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
    key = dict(zip(names, values, strict=True))
    if by == "level":
        level = key["level"]
        key["label"] = UnitLevel(level).label if level in LEVELS else None
    return key


def _ordered(by: str, groups: list[Rollup]) -> list[Rollup]:
    if by != "level":
        return groups
    rank = {level: n for n, level in enumerate(LEVELS)}
    return sorted(groups, key=lambda g: rank.get(g.key["level"], len(rank)))
