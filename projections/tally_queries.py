"""Accountability counts read from the kept groups: the present from
``rm_action_known_tallies`` (see action_tallies, action_known), as of an effective date from
``rm_action_known_steps`` (see action_steps, action_known_steps), as known at a recording time
from ``rm_action_known_history`` (see action_known), as of a date and known at a time from
``rm_action_known_step_changes`` (see action_known_steps).

Each function answers the questions the kept groups cover and returns None for the others
(a unit and a family together, several kinds, families other than one or party+government;
as known at a time, also a moment whose known events are not a prefix of the log or take
effect after the date asked); those are counted from the actions themselves. Both ways give
the same figures: the tests ask both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Select, and_, bindparam, exists, func, select
from sqlalchemy.sql import ColumnElement

from ledger.domain.sanctions import ActionKind

from .action_tallies import ALL_YEARS, SANCTIONED
from .reading import FOREVER, Reader, When

FIGURES = ("actions", "persons", "organisations", "cases")


def tallied_counts(
    reader: Reader, by: str, year: int | None, unit_id: str | None, family: str | None
) -> list[dict[str, Any]] | None:
    """The groups of ``action_counts`` (key and figures, in key order), or None."""
    query = tallied_query(reader, by, year, unit_id, family)
    return None if query is None else [row._asdict() for row in reader.rows(query)]


def tallied_query(
    reader: Reader, by: str, year: int | None, unit_id: str | None, family: str | None
) -> Select[Any] | None:
    """The query of ``tallied_counts`` (columns key and FIGURES), or None."""
    found = _where(by, unit_id, family)
    if found is None:
        return None
    scope, values = found
    t = reader.named["rm_action_known_tallies"]
    key: Any = t.c.year if by == "year" else t.c.value
    query = select(key.label("key"), *(t.c[f] for f in FIGURES)).where(
        t.c.scope == scope, t.c.actions > 0, *_years(t, by, year)
    )
    if values is not None:
        query = query.where(t.c.value.in_(values))
    return query.order_by(key)


def tallied_totals(
    reader: Reader,
    year: int | None,
    unit_id: str | None,
    families: list[str] | None,
    kinds: list[str] | None,
) -> dict[str, int] | None:
    """The figures of ``action_totals``, or None."""
    found = _one_group(unit_id, set(families or ()), set(kinds or ()))
    if found is None:
        return None
    t = reader.named["rm_action_known_tallies"]
    scope, value = found
    where = [t.c.year == (ALL_YEARS if year is None else year), t.c.scope == scope]
    query: Select[Any] = select(*(t.c[f] for f in FIGURES)).where(*where, t.c.value == value)
    rows = reader.rows(query)
    return {f: int(rows[0]._mapping[f]) if rows else 0 for f in FIGURES}


def stepped_counts(
    reader: Reader, by: str, year: int | None, unit_id: str | None, family: str | None, when: When
) -> list[dict[str, Any]] | None:
    """The groups of ``action_counts`` as of ``when.as_of`` (everything recorded), or None."""
    query = stepped_query(reader, by, year, unit_id, family, when)
    return None if query is None else [row._asdict() for row in reader.rows(query)]


def stepped_query(
    reader: Reader, by: str, year: int | None, unit_id: str | None, family: str | None, when: When
) -> Select[Any] | None:
    """The query of ``stepped_counts`` (columns key and FIGURES), or None."""
    found = _where(by, unit_id, family)
    if found is None or when.known_us != FOREVER:
        return None
    scope, values = found
    t = reader.named["rm_action_known_steps"]
    key: Any = t.c.year if by == "year" else t.c.value
    sums = [func.sum(t.c[f]).label(f) for f in FIGURES]
    where = [t.c.scope == scope, t.c.day <= when.as_of, *_years(t, by, year)]
    if values is not None:
        where.append(t.c.value.in_(values))
    query = select(key.label("key"), *sums).where(*where).group_by(key)
    return query.having(func.sum(t.c.actions) > 0).order_by(key)


def stepped_totals(
    reader: Reader,
    year: int | None,
    unit_id: str | None,
    families: list[str] | None,
    kinds: list[str] | None,
    when: When,
) -> dict[str, int] | None:
    """The figures of ``action_totals`` as of ``when.as_of`` (everything recorded), or None."""
    found = _one_group(unit_id, set(families or ()), set(kinds or ()))
    if found is None or when.known_us != FOREVER:
        return None
    t = reader.named["rm_action_known_steps"]
    scope, value = found
    where = [t.c.year == (ALL_YEARS if year is None else year), t.c.scope == scope]
    where += [t.c.value == value, t.c.day <= when.as_of]
    row = reader.rows(select(*(func.sum(t.c[f]).label(f) for f in FIGURES)).where(*where))[0]
    return {f: int(row._mapping[f] or 0) for f in FIGURES}


def known_query(
    reader: Reader, by: str, year: int | None, unit_id: str | None, family: str | None, when: When
) -> Select[Any] | None:
    """The groups of ``action_counts`` known at ``when.known_us`` (columns key and FIGURES),
    or None: per group, its figures after the last event recorded by then, or (when some of
    those events take effect after ``when.as_of``) the sums of their changes up to then."""
    found = _where(by, unit_id, family)
    bound = None if found is None else known_bound(reader, when)
    if found is None or bound is None:
        return None
    (scope, values), (position, every_day) = found, bound
    if not every_day:
        c = reader.named["rm_action_known_step_changes"]
        key: Any = c.c.year if by == "year" else c.c.value
        sums = [func.sum(c.c[f]).label(f) for f in FIGURES]
        where = [c.c.scope == scope, c.c.position <= position, c.c.day <= when.as_of]
        query = select(key.label("key"), *sums).where(*where, *_years(c, by, year))
        if values is not None:
            query = query.where(c.c.value.in_(values))
        query = query.group_by(key).having(func.sum(c.c.actions) > 0)
        return query.order_by(key)
    t, h = reader.named["rm_action_known_tallies"], reader.named["rm_action_known_history"]
    group = ("year", "scope", "value")
    before = h.alias("before")
    latest = select(func.max(before.c.position)).where(
        *(before.c[c] == t.c[c] for c in group), before.c.position <= position
    )
    same = [h.c[c] == t.c[c] for c in group]
    joined = t.join(h, and_(*same, h.c.position == latest.correlate(t).scalar_subquery()))
    key = t.c.year if by == "year" else t.c.value
    query = select(key.label("key"), *(h.c[f] for f in FIGURES)).select_from(joined)
    query = query.where(t.c.scope == scope, h.c.actions > 0, *_years(t, by, year))
    if values is not None:
        query = query.where(t.c.value.in_(values))
    return query.order_by(key)


def known_totals(
    reader: Reader,
    year: int | None,
    unit_id: str | None,
    families: list[str] | None,
    kinds: list[str] | None,
    when: When,
) -> dict[str, int] | None:
    """The figures of ``action_totals`` known at ``when.known_us``, or None."""
    found = _one_group(unit_id, set(families or ()), set(kinds or ()))
    bound = None if found is None else known_bound(reader, when)
    if found is None or bound is None:
        return None
    (scope, value), (position, every_day) = found, bound
    kept = "rm_action_known_history" if every_day else "rm_action_known_step_changes"
    h = reader.named[kept]
    where = [h.c.year == (ALL_YEARS if year is None else year), h.c.scope == scope]
    where += [h.c.value == value, h.c.position <= position]
    if every_day:
        query = select(*(h.c[f] for f in FIGURES)).where(*where)
        query = query.order_by(h.c.position.desc()).limit(1)
    else:
        sums = (func.sum(h.c[f]).label(f) for f in FIGURES)
        query = select(*sums).where(*where, h.c.day <= when.as_of)
    rows = reader.rows(query)
    return {f: int(rows[0]._mapping[f] or 0) if rows else 0 for f in FIGURES}


def known_bound(reader: Reader, when: When) -> tuple[int, bool] | None:
    """(p, e): the accountability events recorded by ``when.known_us`` are exactly those up
    to log position p (0: none), and e says whether they all take effect by ``when.as_of``;
    None if they are not a prefix of the log."""
    query = reader.prepared.get(("known_bound",))
    if query is None:
        log, late = (reader.named[f"rm_action_known_{t}"] for t in ("log", "late"))
        query = reader.prepared[("known_bound",)] = _bound(log, late)
    position, last_day, is_late = reader.rows(query, {"known_us": when.known_us})[0]
    if is_late:
        return None
    return int(position or 0), last_day is None or str(last_day) <= when.as_of.isoformat()


def _bound(log: Any, late: Any) -> Select[Any]:
    """The statement of ``known_bound`` (built once): the last event whose time and every
    earlier one's is ≤ ``known_us``, its latest effective day so far, and whether a later
    event was recorded by then."""
    known = bindparam("known_us", type_=BigInteger)

    def last(column: str) -> Any:
        query = select(log.c[column]).where(log.c.high_us <= known)
        query = query.order_by(log.c.high_us.desc(), log.c.position.desc())
        return query.limit(1).scalar_subquery()

    stored_late = exists().where(late.c.recorded_us <= known, late.c.high_us > known)
    return select(last("position"), last("last_day"), stored_late)


def _where(by: str, unit_id: str | None, family: str | None) -> tuple[str, list[str] | None] | None:
    """(scope, values to keep) that hold the groups asked for; None if none does."""
    if unit_id is not None and family is not None:
        return None
    if unit_id is not None:
        return ("unit", [unit_id]) if by in ("unit", "year") else None
    if family is not None:
        if by == "kind":
            return "kind", [k.value for k in ActionKind if k.family.value == family]
        return ("family", [family]) if by in ("family", "year") else None
    return ("all", None) if by == "year" else (by, None)


def _years(t: Any, by: str, year: int | None) -> list[ColumnElement[bool]]:
    if year is not None:
        return [t.c.year == year]
    return [t.c.year != ALL_YEARS] if by == "year" else [t.c.year == ALL_YEARS]


def _one_group(unit_id: str | None, families: set[str], kinds: set[str]) -> tuple[str, str] | None:
    if unit_id is not None:
        return ("unit", unit_id) if not families and not kinds else None
    if kinds:
        return ("kind", next(iter(kinds))) if len(kinds) == 1 and not families else None
    if not families:
        return "all", ""
    if len(families) == 1:
        return "family", next(iter(families))
    return ("sanctioned", "") if families == set(SANCTIONED) else None
