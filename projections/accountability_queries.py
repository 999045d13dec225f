"""Accountability questions: counts by kind, family, unit, rank and year (cases and persons
counted separately), the list of actions, and the consequence rule.

An action counts from its decision until an appeal revokes it, in the year
it was decided. The present counts of the usual groups are read from the
counts kept by ``action_tallies``, as of an effective date from the steps
kept by ``action_steps``, as known at a recording time from the figures kept
after each event by ``action_known`` (see ``tally_queries``); the other
questions count the actions. Counted, as of a date and known at a time,
whether an action counts and its kind are replayed from ``rm_action_states``;
who, which unit, rank, case and year are fixed when it is proposed and decided.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, distinct, false, func, null, select, true
from sqlalchemy.sql import ColumnElement, Subquery

from ledger.domain.sanctions import ActionFamily, ActionKind

from . import paging
from .lists import Page
from .reading import FOREVER, QueryError, Reader, When, one_of
from .tally_queries import (
    known_query,
    known_totals,
    stepped_query,
    stepped_totals,
    tallied_query,
    tallied_totals,
)

BY = {"kind": "kind", "family": "family", "unit": "unit_id", "rank": "rank", "year": "year"}
FIGURES = ("actions", "persons", "organisations", "cases")


class AccountabilityQueries(Reader):
    """Read-only questions on rm_actions and friends."""

    def action_counts(
        self,
        by: str,
        year: int | None = None,
        unit_id: Any = None,
        family: str | None = None,
        when: When | None = None,
    ) -> list[dict[str, Any]]:
        """Counted actions grouped ``by`` kind, family, unit, rank or year, each group with
        its actions, distinct persons, distinct organisations and distinct cases."""
        one_of("by", by, BY, "分组方式")
        when = when or When.of()
        unit = None if unit_id is None else str(unit_id)
        key = ("action_counts", by, year, unit, family, when)
        groups = self.kept(key, lambda: self._action_counts(by, year, unit, family, when))
        return [dict(group) for group in groups]  # kept answers are shared: hand out copies

    def _action_counts(
        self, by: str, year: int | None, unit_id: Any, family: str | None, when: When
    ) -> list[dict[str, Any]]:
        _check(year, family)
        if when.current:
            query = tallied_query(self, by, year, unit_id, family)
        elif when.known_us == FOREVER:
            query = stepped_query(self, by, year, unit_id, family, when)
        else:
            query = known_query(self, by, year, unit_id, family, when)
        if query is None:
            s = self.counted(when, year, unit_id, family)
            key = s.c[BY[by]]
            query = select(key.label("key"), *_figures(s)).group_by(key).order_by(key)
        if by == "unit":  # the units' names in the same query (up to 1,000 groups)
            groups = query.subquery("groups")
            u = self.t.units
            named = groups.outerjoin(u, u.c.unit_id == groups.c.key)
            query = select(groups, u.c.name).select_from(named).order_by(groups.c.key)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_group(by, row) for row in rows]

    def action_totals(
        self,
        year: int | None = None,
        unit_id: Any = None,
        families: list[str] | None = None,
        kinds: list[str] | None = None,
        when: When | None = None,
    ) -> dict[str, int]:
        """Actions, distinct persons, organisations and cases among the counted actions of
        the given families or kinds ("党纪政务处分126人": families party and government)."""
        when = when or When.of()
        unit = None if unit_id is None else str(unit_id)
        chosen = (tuple(families or ()), tuple(kinds or ()))
        key = ("action_totals", year, unit, chosen, when)
        totals = self.kept(key, lambda: self._action_totals(year, unit, families, kinds, when))
        return dict(totals)

    def _action_totals(
        self,
        year: int | None,
        unit_id: Any,
        families: list[str] | None,
        kinds: list[str] | None,
        when: When,
    ) -> dict[str, int]:
        _check(year, None)
        for f in families or ():
            one_of("family", f, [x.value for x in ActionFamily], "问责类别")
        for k in kinds or ():
            one_of("kind", k, [x.value for x in ActionKind], "问责方式")
        if when.current:
            kept = tallied_totals(self, year, unit_id, families, kinds)
        elif when.known_us == FOREVER:
            kept = stepped_totals(self, year, unit_id, families, kinds, when)
        else:
            kept = known_totals(self, year, unit_id, families, kinds, when)
        if kept is not None:
            return kept
        s = self.counted(when, year, unit_id, None)
        where: list[ColumnElement[bool]] = []
        if families:
            where.append(s.c.family.in_(families))
        if kinds:
            where.append(s.c.kind.in_(kinds))
        row = self.rows(select(*_figures(s)).where(*where))[0]
        return _plain(row)

    def actions(
        self,
        year: int | None = None,
        unit_id: Any = None,
        family: str | None = None,
        case_id: Any = None,
        person_id: Any = None,
        counted_only: bool = False,
        when: When | None = None,
        after: str | None = None,
        limit: int = 50,
        total: bool = False,
    ) -> Page:
        """Actions known by then, in the order they were proposed (a page at a time);
        with ``total``, how many match in all."""
        when, size = when or When.of(), paging.limit_of(limit)
        s = self.action_state(when, shown=True)
        query = select(s)
        filters = {"unit_id": unit_id, "case_id": case_id, "person_id": person_id}
        for column, value in filters.items():
            if value is not None:
                query = query.where(s.c[column] == str(value))
        query = _year_family(query, s, year, family)
        if counted_only:
            query = query.where(s.c.counted == true())
        page = query.where(s.c.position > paging.decode(after)).order_by(s.c.position)
        rows = self.rows(page.limit(size + 1))
        items = [_action(row._asdict()) for row in rows[:size]]
        more = len(rows) > size
        cursor = paging.encode(items[-1]["position"]) if more else None
        return Page(items, cursor, self.count(query) if total else None)

    def action(self, action_id: Any, when: When | None = None) -> dict[str, Any] | None:
        """One action as the list shows it, known by then; None if unknown (then)."""
        s = self.action_state(when or When.of(), shown=True)
        rows = self.rows(select(s).where(s.c.action_id == str(action_id)))
        return _action(rows[0]._asdict()) if rows else None

    def consequences(self, year: int, when: When | None = None) -> dict[str, Any]:
        """The consequence rule for one year: every person held accountable loses that year's
        excellence rating; a unit where they are 10% or more of its headcount is flagged."""
        if isinstance(year, bool) or not isinstance(year, int):
            raise QueryError("year 须为整数", "year")
        when = when or When.of()
        s = self.counted(when, year, None, None)
        person = s.c.subject_type == "person"
        query = select(s.c.person_id, s.c.subject_name, s.c.unit_id).where(person).distinct()
        persons = [row._asdict() for row in self.rows(query.order_by(s.c.person_id))]
        per_unit = select(s.c.unit_id, func.count(distinct(s.c.person_id)).label("persons"))
        counts = self.rows(per_unit.where(person).group_by(s.c.unit_id).order_by(s.c.unit_id))
        heads = self._headcounts(year, when)
        names = self._names([row.unit_id for row in counts])
        units = [_unit(row.unit_id, row.persons, heads.get(row.unit_id), names) for row in counts]
        return {"year": year, "persons": persons, "units": units}

    def case_counts(self, year: int | None = None, when: When | None = None) -> dict[str, int]:
        """Cases opened (in ``year``, by its opening date) and how many of them were closed."""
        when = when or When.of()
        c = self.named["rm_cases"]
        query = select(c.c.closed_on, c.c.closed_effective, c.c.closed_us).where(
            *when.by(c.c.effective, c.c.recorded_us)
        )
        if year is not None:
            query = query.where(func.extract("year", c.c.opened_on) == year)
        opened = closed = 0
        for row in self.rows(query):
            opened += 1
            closed += row.closed_on is not None and (
                when.current
                or (row.closed_effective <= when.as_of and row.closed_us <= when.known_us)
            )
        return {"opened": opened, "closed": closed}

    # --- the state of every action, now or then ---------------------------------------

    def counted(self, when: When, year: Any, unit_id: Any, family: str | None) -> Subquery:
        """The actions that count by then, in ``year`` and ``unit_id`` if given."""
        a = self.named["rm_actions"]
        # Unit and year never change once decided (and an action counts only once decided):
        # choose the actions first, so that only theirs are replayed as of then.
        chosen = [] if unit_id is None else [a.c.unit_id == str(unit_id)]
        chosen += [] if year is None else [a.c.year == year]
        s = self.action_state(when, chosen=chosen)
        query = _year_family(select(s).where(s.c.counted == true()), s, year, family)
        return query.subquery("counted")

    def action_state(
        self, when: When, shown: bool = False, chosen: list[ColumnElement[bool]] | None = None
    ) -> Subquery:
        """Every action known by then with its kind, family and whether it counts, as of then.
        With ``shown`` (lists), its status, dates, year and appeals are as of then too.
        ``chosen``: conditions on the columns that do not move (unit, person, case …)."""
        a = self.named["rm_actions"]
        moving = ("kind", "family", "counted", *(SHOWN if shown else ()))
        fixed = [c for c in a.c if c.name not in moving]
        if when.current:
            return (
                select(*fixed, *(a.c[name] for name in moving))
                .where(*chosen or ())
                .subquery("state")
            )
        st = self.named["rm_action_states"]
        known = and_(st.c.action_id == a.c.action_id, *when.by(st.c.effective, st.c.recorded_us))

        def latest(column: str, *extra: ColumnElement[bool]) -> Any:
            inner = select(st.c[column]).where(known, *extra).order_by(st.c.position.desc())
            return inner.limit(1).scalar_subquery()

        counted = latest("counted")
        columns = [
            latest("kind", st.c.kind.is_not(None)).label("kind"),
            latest("family", st.c.family.is_not(None)).label("family"),
            counted.label("counted"),
        ]
        if shown:
            columns += _shown(a, select(func.count()).where(known).scalar_subquery(), counted, when)
        query = select(*fixed, *columns).where(
            *when.by(a.c.effective, a.c.recorded_us), *chosen or ()
        )
        return query.offset(0).subquery("state")

    def _headcounts(self, year: int, when: When) -> dict[str, int]:
        h = self.named["rm_headcounts"]
        query = select(h.c.unit_id, h.c.headcount).where(
            h.c.year == year, *when.by(h.c.effective, h.c.recorded_us)
        )
        return {row.unit_id: row.headcount for row in self.rows(query.order_by(h.c.position))}

    def _names(self, unit_ids: list[Any]) -> dict[str, str]:
        if not unit_ids:
            return {}
        u = self.t.units
        query = select(u.c.unit_id, u.c.name).where(u.c.unit_id.in_([str(x) for x in unit_ids]))
        return {row.unit_id: row.name for row in self.rows(query)}


# Shown in lists, as of then: replayed from the state rows (one when proposed, one when
# decided, one per appeal), so a decision or appeal not yet made or known is not shown. The
# carrying out has no state row: it is shown from its (effective) date.
SHOWN = ("status", "decided_on", "carried_out_on", "year", "appeals")


def _shown(a: Any, rows: Any, counted: Any, when: When) -> list[Any]:
    decided = rows >= 2
    carried = and_(decided, a.c.carried_out_on.is_not(None), a.c.carried_out_on <= when.as_of)
    status = case(
        (~decided, "proposed"),
        (counted == false(), "revoked"),
        (carried, "carried_out"),
        else_="decided",
    )
    return [
        status.label("status"),
        case((decided, a.c.decided_on), else_=null()).label("decided_on"),
        case((carried, a.c.carried_out_on), else_=null()).label("carried_out_on"),
        case((decided, a.c.year), else_=null()).label("year"),
        case((rows > 2, rows - 2), else_=0).label("appeals"),
    ]


def _year_family(query: Select[Any], s: Any, year: Any, family: str | None) -> Select[Any]:
    _check(year, family)
    if year is not None:
        query = query.where(s.c.year == year)
    if family is not None:
        query = query.where(s.c.family == family)
    return query


def _check(year: Any, family: str | None) -> None:
    """Refuse a year that is not a whole number and a family that is not one."""
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise QueryError("year 须为整数", "year")
    if family is not None:
        one_of("family", family, [f.value for f in ActionFamily], "问责类别")


def _figures(s: Subquery) -> list[Any]:
    organisation = case((s.c.subject_type == "organisation", s.c.unit_id))
    return [
        func.count().label("actions"),
        func.count(distinct(s.c.person_id)).label("persons"),
        func.count(distinct(organisation)).label("organisations"),
        func.count(distinct(s.c.case_id)).label("cases"),
    ]


def _plain(row: Any) -> dict[str, int]:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return {name: int(get(name) or 0) for name in FIGURES}


def _group(by: str, row: Any) -> dict[str, Any]:
    """One group of ``action_counts`` from a row (key, the FIGURES[, unit name])."""
    key, actions, persons, organisations, cases = row[:5]
    group: dict[str, Any] = {
        "key": None if key is None else str(key),
        "actions": int(actions or 0),
        "persons": int(persons or 0),
        "organisations": int(organisations or 0),
        "cases": int(cases or 0),
    }
    if key is None or by not in ("kind", "family", "unit"):
        group["label"] = str(key or "")
    elif by == "unit":
        group["label"] = row[5] or ""
    else:
        group["label"] = (ActionKind(key) if by == "kind" else ActionFamily(key)).label
    return group


def _action(item: dict[str, Any]) -> dict[str, Any]:
    kind = ActionKind(item["kind"])
    item.update(kind_label=kind.label, family_label=kind.family.label)
    item["counted"] = bool(item["counted"])
    return item


def _unit(
    unit_id: str, persons: int, headcount: int | None, names: dict[str, str]
) -> dict[str, Any]:
    share = None if not headcount else round(persons / headcount, 4)
    return {
        "unit_id": unit_id,
        "name": names.get(unit_id, ""),
        "persons": persons,
        "headcount": headcount,
        "share": share,
        "flagged": bool(headcount) and persons * 10 >= (headcount or 0),
    }
