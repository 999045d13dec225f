"""Accountability counts as of any effective date, kept as steps: how much each figure of a
group changes on each day, so that the counts as of day D are one indexed sum over the
group's days up to D instead of a replay of every action.

As of D, an action counts as its latest state effective by D says (the latest by log
position among its decision and appeals with effective date ≤ D, its kind the latest one
set by then), and only once its proposal is effective (the rule of ``accountability``).
So whether an action counts in a group, as a function of D, is a few intervals of days.
``rm_action_steps`` holds, per (year, scope, value, day), the change on that day of the
group's actions, distinct persons, organisations and cases; the figures as of D are the sums
of the changes on days ≤ D.

Distinct counts do not add up: ``rm_action_step_members`` keeps, per group and member (a
person, organisation or case, as in ``action_tallies``), how many counted actions put the
member in the group, as changes by day. A member comes into the group on a day its count
goes from 0 to 1 and leaves it on a day it goes back to 0, whatever order the events came in
(a decision back-dated before an earlier one moves the day the person came in).

Every event adds the difference it makes to the steps, so the rows a rebuild folds equal the
rows kept inline. Only the effective-date axis is kept here: questions "as known at" a
recording time are answered by ``action_known`` and ``action_known_steps``. The read model
registered is ``action_known_steps``, which extends this one (its tables are named
``rm_action_known_step*``) and also keeps each event's differences apart (``stepped``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text

from ledger.domain.accountability import Action

from .action_tallies import ALL_YEARS, FIGURE_OF, group_columns, groups_of, members_of
from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)
FIGURES = ("actions", *FIGURE_OF.values())
Group = tuple[int, str, str]  # (year, scope, value)
Steps = dict[str, int]  # ISO day -> change on that day


class ActionSteps(Projection):
    """rm_action_step_subjects, rm_action_step_members and rm_action_steps."""

    name = "action_steps"
    title = "问责处分统计(按生效日)"
    reads_rows = True  # distinct members and running totals: read, then written

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            *step_tables(metadata, "rm_action_step", suffix),
            steps_table(metadata, f"rm_action_steps{suffix}"),
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Action.Proposed: self.proposed,
            Action.Decided: self.decided,
            Action.Appealed: self.appealed,
        }

    def proposed(self, r: Record, store: Store) -> None:
        s = r.state
        row = {k: s[k] for k in ("subject_type", "person_id", "unit_id", "rank", "case_id")}
        states = [[r.effective.isoformat(), False, s["kind"]]]
        store.insert(
            self.tables[0],
            {"action_id": r.originator_id, **row, "year": None, "states": _dump(states)},
        )

    def decided(self, r: Record, store: Store) -> None:
        year = date.fromisoformat(r.state["decided_on"]).year
        self._change(r, store, True, r.state["kind"], year)

    def appealed(self, r: Record, store: Store) -> None:
        # As in ``accountability``: revoked stops it counting; a changed kind is a new kind.
        outcome = r.state["outcome"]
        kind = r.state["kind"] if outcome == "changed" else None
        self._change(r, store, outcome != "revoked", kind, None)

    def _change(
        self, r: Record, store: Store, counts: bool, kind: str | None, year: int | None
    ) -> None:
        key = {"action_id": r.originator_id}
        before = store.get(self.tables[0], key)
        if before is None:
            return
        states = orjson.loads(before["states"])
        after = {**before, "year": before["year"] if year is None else year}
        after["states"] = _dump([*states, [r.effective.isoformat(), counts, kind]])
        store.update(self.tables[0], key, {"year": after["year"], "states": after["states"]})
        old, new = _indicators(before), _indicators(after)
        changes: dict[Group, dict[str, list[int]]] = {}
        for group in sorted(old.keys() | new.keys()):
            moved = _minus(new.get(group, {}), old.get(group, {}))
            if moved:
                changes[group] = self._moved(store, group, moved, members_of(before))
        self.stepped(r, store, changes)

    def stepped(self, r: Record, store: Store, changes: dict[Group, dict[str, list[int]]]) -> None:
        """Add event ``r``'s changes (by group, then by ISO day: the FIGURES' changes) to
        each group's steps."""
        for group, days in changes.items():
            for day, figures in sorted(days.items()):
                self._add(store, group, day, figures)

    def _moved(
        self, store: Store, group: Group, moved: Steps, members: list[str]
    ) -> dict[str, list[int]]:
        """The figures' changes by day when the group's actions change by ``moved``."""
        days: dict[str, list[int]] = defaultdict(lambda: [0] * len(FIGURES))
        for day, n in moved.items():
            days[day][0] += n
        for member in members:
            key = {"year": group[0], "scope": group[1], "value": group[2], "member": member}
            row = store.get(self.tables[1], key)
            old = {} if row is None else dict(orjson.loads(row["steps"]))
            new = _plus(old, moved)
            steps = _dump(sorted([d, n] for d, n in new.items()))
            if row is None:
                store.insert(self.tables[1], {**key, "steps": steps})
            else:
                store.update(self.tables[1], key, {"steps": steps})
            figure = FIGURES.index(FIGURE_OF[member[0]])
            for day, n in _minus(_presence(new), _presence(old)).items():
                days[day][figure] += n
        return days

    def _add(self, store: Store, group: Group, day: str, figures: list[int]) -> None:
        if not any(figures):
            return
        key = {"year": group[0], "scope": group[1], "value": group[2], "day": _day(day)}
        row = store.get(self.tables[2], key)
        if row is None:
            store.insert(self.tables[2], {**key, **dict(zip(FIGURES, figures, strict=True))})
            return
        sums = {f: int(row[f]) + n for f, n in zip(FIGURES, figures, strict=True)}
        store.update(self.tables[2], key, sums)


def step_tables(metadata: MetaData, prefix: str, suffix: str) -> list[Table]:
    """Each action's states, and each group member's count as changes by day."""
    return [
        Table(
            f"{prefix}_subjects{suffix}",
            metadata,
            Column("action_id", ID, primary_key=True),
            Column("subject_type", String(20), nullable=False),
            Column("person_id", ID),
            Column("unit_id", ID, nullable=False),
            Column("rank", String(50), nullable=False),
            Column("case_id", ID),
            Column("year", Integer),
            # [[effective day, counts, kind or null], …] in log order, the proposal first.
            Column("states", Text, nullable=False),
        ),
        Table(
            f"{prefix}_members{suffix}",
            metadata,
            *group_columns(),
            Column("member", String(40), primary_key=True),
            Column("steps", Text, nullable=False),  # [[day, change of its count], …]
        ),
    ]


def steps_table(metadata: MetaData, name: str) -> Table:
    """Per group and day, how much each figure changes that day."""
    return Table(
        name,
        metadata,
        *group_columns(),
        Column("day", Date, primary_key=True),
        *[Column(f, Integer, nullable=False) for f in FIGURES],
    )


def _dump(value: Any) -> str:
    return orjson.dumps(value).decode()


def _day(iso: str) -> date:
    return date.fromisoformat(iso)


def _segments(states: list[list[Any]]) -> list[tuple[str, str | None]]:
    """(first day, kind it counts as or None) for each run of days on which the action's
    state as of that day is the same: the latest state (by log order) effective by then,
    its kind the latest set by then; nothing before the proposal is effective."""
    known = states[0][0]
    segments: list[tuple[str, str | None]] = []
    for day in sorted({s[0] for s in states}):
        value = None
        if day >= known:
            latest = [s for s in states if s[0] <= day]
            kind = [s[2] for s in latest if s[2] is not None][-1]
            value = kind if latest[-1][1] else None
        if not segments or segments[-1][1] != value:
            segments.append((day, value))
    return segments


def _indicators(action: dict[str, Any]) -> dict[Group, Steps]:
    """For each group the action ever counts in: +1 on the days it comes in, -1 on the days
    it leaves."""
    year = action["year"]
    if year is None:
        return {}
    found: dict[Group, Steps] = {}
    inside: set[tuple[str, str]] = set()
    for day, kind in _segments(orjson.loads(action["states"])):
        now = set() if kind is None else set(groups_of({**action, "kind": kind}))
        for scope_value in now ^ inside:
            n = 1 if scope_value in now else -1
            for y in (year, ALL_YEARS):
                found.setdefault((y, *scope_value), {})[day] = n
        inside = now
    return found


def _plus(a: Steps, b: Steps) -> Steps:
    out = dict(a)
    for day, n in b.items():
        out[day] = out.get(day, 0) + n
        if not out[day]:
            del out[day]
    return out


def _minus(a: Steps, b: Steps) -> Steps:
    return _plus(a, {day: -n for day, n in b.items()})


def _presence(steps: Steps) -> Steps:
    """+1 on the days a count goes from 0 to at least 1, -1 on the days it goes back to 0."""
    out: Steps = {}
    count = 0
    for day in sorted(steps):
        before, count = count, count + steps[day]
        if (before > 0) != (count > 0):
            out[day] = 1 if count > 0 else -1
    return out
