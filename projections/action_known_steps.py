"""Accountability counts as of an effective date AND as known at a recording time, kept: the
changes each event made to the steps of ``action_steps``, by log position, so that the
counts as of day D known at time T are one indexed sum over a group's changes with position
up to the last event recorded by T and day ≤ D.

This is the read model that keeps the as-of counts: the steps as ``action_steps`` keeps
them (``rm_action_known_step_subjects``, ``_step_members``, ``_steps``; that class is the
base, no longer registered on its own), which adds each event's difference to its groups'
steps (how much each figure changes on each day; distinct persons, organisations and cases
from each member's count by day), in log order. The same differences are also kept apart,
one row per event, group and day (``rm_action_known_step_changes``): the steps of the log's
first p events are the sums of the rows with position ≤ p. Which position the events
recorded by T end at, and whether they are a prefix of the log at all, is read from
``action_known``'s log of recording times; a moment for which they are not is replayed
(``accountability_queries``).

Only the questions whose known events are not all effective by D come here: the others
are read from ``action_known``'s figures, one row per group.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, Table

from .action_steps import FIGURES, ActionSteps, Group, step_tables, steps_table
from .action_tallies import group_columns
from .records import Record
from .store import APPEND_ONLY, Store


class ActionKnownSteps(ActionSteps):
    """rm_action_known_step_subjects, _members (as in action_steps) and _changes."""

    name = "action_known_steps"
    title = "问责处分统计(按生效日与记录时间)"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            *step_tables(metadata, "rm_action_known_step", suffix),
            steps_table(metadata, f"rm_action_known_steps{suffix}"),
            Table(
                f"rm_action_known_step_changes{suffix}",
                metadata,
                *group_columns(),
                Column("position", BigInteger, primary_key=True),
                Column("day", Date, primary_key=True),
                *[Column(f, Integer, nullable=False) for f in FIGURES],
                # SQLite keeps the rows in key order: a group's changes are read together.
                sqlite_with_rowid=False,
                info={APPEND_ONLY: True},  # one row per event, group and day, in log order
            ),
        ]

    def stepped(self, r: Record, store: Store, changes: dict[Group, dict[str, list[int]]]) -> None:
        super().stepped(r, store, changes)
        for (year, scope, value), days in changes.items():
            for day, figures in sorted(days.items()):
                if any(figures):
                    row: dict[str, Any] = {"year": year, "scope": scope, "value": value}
                    row.update(position=r.position, day=date.fromisoformat(day))
                    store.insert(
                        self.tables[3], {**row, **dict(zip(FIGURES, figures, strict=True))}
                    )
