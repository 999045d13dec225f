"""Accountability counts as known at a past recording time, kept: every group's figures
after each event that moved them, so that the counts known at time T are, per group, the
latest such row at or before the last event recorded by T, one indexed look-up each.

This is the read model that keeps the accountability counts: the present counts as
``action_tallies`` keeps them (``rm_action_known_subjects``, ``_members``, ``_tallies``; that
class is the base, no longer registered on its own), and after each event the figures of
every group it moved are written again, keyed by the event's log position
(``rm_action_known_history``). Events are applied in log order, so the figures at position
p are those of the log's first p events.

"Known at T" means the events recorded by T. That is a prefix of the log when the recording
times of the accountability events increase with their positions, which is how a ledger is
written (the clock is read as a command runs) but not a law: concurrent commands, a clock set
back or an import may store a later time before an earlier one. So the read model also keeps
``rm_action_known_log``, a row per accountability event with its recording time, the highest
recording time so far (``high_us``) and the latest effective day so far, and
``rm_action_known_late``, the events whose recording time came in lower than an earlier
one's. The events recorded by T are exactly the events up to the last one with ``high_us``
≤ T unless a late event was recorded by T and stored after one recorded later (its
``recorded_us`` ≤ T < its ``high_us``); and as of day D they are the same set when no event
up to there takes effect after D. A question for which either fails is answered by the replay
(``accountability_queries``), never from these rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, String, Table

from ledger.domain.accountability import Action

from .action_tallies import FIGURE_OF, ActionTallies, group_columns, tally_tables
from .base import Handler
from .records import Record
from .store import APPEND_ONLY, Store

FIGURES = ("actions", *FIGURE_OF.values())
HEAD = {"name": "head"}


class ActionKnown(ActionTallies):
    """rm_action_known_subjects, _members, _tallies (as in action_tallies), _history, _log,
    _head (the log's latest row) and _late."""

    name = "action_known"
    title = "问责处分统计(按记录时间)"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        log = f"rm_action_known_log{suffix}"
        return [
            *tally_tables(metadata, "rm_action_known", suffix),
            Table(
                f"rm_action_known_history{suffix}",
                metadata,
                *group_columns(),
                Column("position", BigInteger, primary_key=True),
                *[Column(f, Integer, nullable=False) for f in FIGURES],
                # SQLite keeps the rows in key order: a group's latest figures by then are
                # one look-up in the key, with no second one into the table.
                sqlite_with_rowid=False,
                info={APPEND_ONLY: True},  # one row per group an event moved, in log order
            ),
            Table(
                log,
                metadata,
                Column("position", BigInteger, primary_key=True),
                Column("recorded_us", BigInteger, nullable=False),
                Column("high_us", BigInteger, nullable=False),
                Column("last_day", Date, nullable=False),
                Index(f"ix_{log}_high", "high_us", "position"),
                info={APPEND_ONLY: True},
            ),
            Table(
                f"rm_action_known_head{suffix}",
                metadata,
                Column("name", String(10), primary_key=True),
                Column("high_us", BigInteger, nullable=False),
                Column("last_day", String(10), nullable=False),  # ISO
            ),
            # The late events alone (few): a table of their own, so no plan reads the log.
            Table(
                f"rm_action_known_late{suffix}",
                metadata,
                Column("position", BigInteger, primary_key=True),
                Column("recorded_us", BigInteger, nullable=False),
                Column("high_us", BigInteger, nullable=False),
                info={APPEND_ONLY: True},
            ),
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {
            Action.Proposed: self.logged(self.proposed),
            Action.Decided: self.logged(self.decided),
            Action.Appealed: self.logged(self.appealed),
        }

    def logged(self, handler: Handler) -> Handler:
        """The handler, after which the event's times are logged."""

        def handle(r: Record, store: Store) -> None:
            handler(r, store)
            self._log(r, store)

        return handle

    def tallied(self, r: Record, store: Store, moved: list[dict[str, Any]]) -> None:
        for row in moved:
            store.insert(self.tables[3], {**row, "position": r.position})

    def _log(self, r: Record, store: Store) -> None:
        head = store.get(self.tables[5], HEAD)
        high, last = r.recorded_us, r.effective.isoformat()  # ISO days compare as days
        if head is not None:
            high, last = max(high, int(head["high_us"])), max(last, str(head["last_day"]))
        row = {"position": r.position, "recorded_us": r.recorded_us, "high_us": high}
        store.insert(self.tables[4], {**row, "last_day": date.fromisoformat(last)})
        if r.recorded_us < high:
            store.insert(self.tables[6], row)
        if head is None:
            store.insert(self.tables[5], {**HEAD, "high_us": high, "last_day": last})
        else:
            store.update(self.tables[5], HEAD, {"high_us": high, "last_day": last})
