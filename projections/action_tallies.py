"""Accountability counts kept up to date: actions, distinct persons, organisations and cases
per year and group, so that the figures of a year are a few rows, not a count over its actions.

Distinct counts do not add up (a person sanctioned twice in a year is one person), so for
every group this read model also keeps who is in it: ``rm_action_members`` has one row per
(year, scope, value, member) with how many counted actions put the member there. A group's
``persons`` goes up when a person's row goes from 0 to 1 and down when it goes back to 0.

A scope is what the counts are grouped by: ``all`` (value ''), ``kind``, ``family``,
``unit``, ``rank``, and ``sanctioned`` (party and government sanctions together, the
"党纪政务处分 N 人" figure). Year 0 holds every year together (distinct over all of them).
Only the present is kept here: as-of dates are answered from ``action_steps``. The read
model registered is ``action_known``, which extends this one (its tables are named
``rm_action_known_*``) with the figures after each event, for questions "as known at".

The read model keeps its own copy of what each action is (``rm_action_subjects``): a
projection reads only events and its own tables, so it can be rebuilt on its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table

from ledger.domain.accountability import Action
from ledger.domain.sanctions import ActionFamily, ActionKind

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)
ALL_YEARS = 0
SANCTIONED = (ActionFamily.PARTY.value, ActionFamily.GOVERNMENT.value)
# Member prefixes: which figure a member counts in.
FIGURE_OF = {"p": "persons", "o": "organisations", "c": "cases"}


class ActionTallies(Projection):
    """rm_action_subjects, rm_action_members and rm_action_tallies."""

    name = "action_tallies"
    title = "问责处分统计"
    reads_rows = True  # distinct members and running totals: read, then written

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return tally_tables(metadata, "rm_action", suffix)

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Action.Proposed: self.proposed,
            Action.Decided: self.decided,
            Action.Appealed: self.appealed,
        }

    def proposed(self, r: Record, store: Store) -> None:
        s = r.state
        row = {"action_id": r.originator_id, "kind": s["kind"], "subject_type": s["subject_type"]}
        fixed = {k: s[k] for k in ("person_id", "unit_id", "rank", "case_id")}
        store.insert(self.tables[0], {**row, **fixed, "year": None, "counted": False})

    def decided(self, r: Record, store: Store) -> None:
        year = date.fromisoformat(r.state["decided_on"]).year
        self._change(r, store, {"kind": r.state["kind"], "year": year, "counted": True})

    def appealed(self, r: Record, store: Store) -> None:
        values: dict[str, Any] = {"kind": r.state["kind"]}
        if r.state["outcome"] == "revoked":
            values["counted"] = False
        self._change(r, store, values)

    def _change(self, r: Record, store: Store, values: dict[str, Any]) -> None:
        key = {"action_id": r.originator_id}
        before = store.get(self.tables[0], key)
        if before is None:
            return
        moved: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._count(store, before, -1, moved)
        self._count(store, {**before, **values}, +1, moved)
        store.update(self.tables[0], key, values)
        self.tallied(r, store, list(moved.values()))

    def _count(
        self, store: Store, action: dict[str, Any], sign: int, moved: dict[Any, dict[str, Any]]
    ) -> None:
        """Add (sign 1) or take away (-1) one action's place in every group it counts in;
        each group's figures then go into ``moved``, by group."""
        if not action["counted"]:
            return
        members = members_of(action)
        for year in (action["year"], ALL_YEARS):
            for scope, value in groups_of(action):
                group = {"year": year, "scope": scope, "value": value}
                tally = self._tally(store, group)
                tally["actions"] += sign
                for member in members:
                    if self._member(store, {**group, "member": member}, sign):
                        tally[FIGURE_OF[member[0]]] += sign
                changes = {f: tally[f] for f in ("actions", *FIGURE_OF.values())}
                store.update(self.tables[2], group, changes)
                moved[(year, scope, value)] = {**group, **changes}

    def tallied(self, r: Record, store: Store, moved: list[dict[str, Any]]) -> None:
        """Called once per event ``r`` with the figures of each group it moved (a group's
        key and figures a row): here, nothing more is kept."""

    def _tally(self, store: Store, group: dict[str, Any]) -> dict[str, Any]:
        tally = store.get(self.tables[2], group)
        if tally is None:
            tally = {**group, "actions": 0, **dict.fromkeys(FIGURE_OF.values(), 0)}
            store.insert(self.tables[2], tally)
        return tally

    def _member(self, store: Store, key: dict[str, Any], sign: int) -> bool:
        """Move one member's count by ``sign``; True if it came in (0→1) or left (1→0)."""
        row = store.get(self.tables[1], key)
        if row is None:
            store.insert(self.tables[1], {**key, "n": sign})
            return True
        n = int(row["n"]) + sign
        store.update(self.tables[1], key, {"n": n})
        return n == (1 if sign > 0 else 0)


def tally_tables(metadata: MetaData, prefix: str, suffix: str) -> list[Table]:
    """Each action as it counts now, each group's members, each group's figures."""
    return [
        Table(
            f"{prefix}_subjects{suffix}",
            metadata,
            Column("action_id", ID, primary_key=True),
            Column("kind", String(40), nullable=False),
            Column("subject_type", String(20), nullable=False),
            Column("person_id", ID),
            Column("unit_id", ID, nullable=False),
            Column("rank", String(50), nullable=False),
            Column("case_id", ID),
            Column("year", Integer),
            Column("counted", Boolean, nullable=False),
        ),
        Table(
            f"{prefix}_members{suffix}",
            metadata,
            *group_columns(),
            Column("member", String(40), primary_key=True),
            Column("n", Integer, nullable=False),
        ),
        Table(
            f"{prefix}_tallies{suffix}",
            metadata,
            *group_columns(),
            *[Column(f, Integer, nullable=False) for f in ("actions", *FIGURE_OF.values())],
        ),
    ]


def group_columns() -> list[Column[Any]]:
    """A group's key: the year, the grouping (scope) and the group within it (value)."""
    return [
        Column("year", Integer, primary_key=True),
        Column("scope", String(20), primary_key=True),
        Column("value", String(50), primary_key=True),
    ]


def groups_of(action: dict[str, Any]) -> list[tuple[str, str]]:
    family = ActionKind(action["kind"]).family.value
    groups = [
        ("all", ""),
        ("kind", action["kind"]),
        ("family", family),
        ("unit", action["unit_id"]),
        ("rank", action["rank"]),
    ]
    if family in SANCTIONED:
        groups.append(("sanctioned", ""))
    return groups


def members_of(action: dict[str, Any]) -> list[str]:
    members = []
    if action["person_id"] is not None:
        members.append(f"p:{action['person_id']}")
    if action["subject_type"] == "organisation":
        members.append(f"o:{action['unit_id']}")
    if action["case_id"] is not None:
        members.append(f"c:{action['case_id']}")
    return members
