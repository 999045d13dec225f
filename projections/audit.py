"""The audit index (审计索引): one row per event of every kind, for questions across the
ledger — every change by an actor, by a unit, in a time window, of a kind.

It holds only what those questions filter on (actor, unit, kind, both
times); everything shown about a change — name, role, reason, basis,
field-level changes — is replayed from the event store
(``ledger.application.replay``), which is exact for every kind of record.
One row per event is on the append and rebuild paths, so it stays narrow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, String, Table

from ledger.domain.accountability import Action, Case
from ledger.domain.base import Aggregate
from ledger.domain.clue import Clue
from ledger.domain.finding import Finding
from ledger.domain.fund import Fund
from ledger.domain.inspection import Inspection
from ledger.domain.unit import Person, Unit

from .base import Handler, Projection
from .records import Record
from .store import APPEND_ONLY, Store

ID = String(36)
# Every aggregate whose events the index covers (a new aggregate is added here).
AGGREGATES = (
    Finding,
    Inspection,
    Unit,
    Person,
    Action,
    Case,
    Clue,
    Fund,
)


class AuditIndex(Projection):
    """rm_audit: keyed by log position; indexed by actor, unit, kind and time.

    A record's rows need no index of their own: the events table's key
    (originator id, version) finds that record's log positions, and these rows
    are keyed by position (``AuditLog`` asks that way). One index fewer to keep
    on every write, and the one whose pages are the most scattered.

    Kept behind the log: the command's transaction does not write it; a query
    catches it up first (``behind``), so it still sees every event before it.
    """

    name = "audit"
    title = "审计索引"
    # Not written by commands: caught up before each audit query (``behind``).
    behind = True

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        t = f"rm_audit{suffix}"
        return [
            Table(
                t,
                metadata,
                # On SQLite an INTEGER primary key is the rowid itself: no second
                # B-tree to keep beside the table.
                Column(
                    "position",
                    BigInteger().with_variant(Integer, "sqlite"),
                    primary_key=True,
                    autoincrement=False,
                ),
                Column("record_id", ID, nullable=False),
                Column("version", Integer, nullable=False),
                Column("kind", String(80), nullable=False),
                Column("actor_id", String(200), nullable=False),
                Column("actor_unit", ID),
                Column("recorded_us", BigInteger, nullable=False),
                Column("effective", Date, nullable=False),
                Index(f"ix_{t}_actor", "actor_id", "position"),
                Index(f"ix_{t}_unit", "actor_unit", "position"),
                Index(f"ix_{t}_kind", "kind", "position"),
                Index(f"ix_{t}_recorded", "recorded_us"),
                info={APPEND_ONLY: True},
            )
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {cls: self.indexed for cls in event_classes()}

    def indexed(self, r: Record, store: Store) -> None:
        actor = r.actor
        kind = r.topic.partition(":")[2]
        store.insert(
            self.tables[0],
            {
                "position": r.position,
                "record_id": r.originator_id,
                "version": r.version,
                "kind": kind,
                "actor_id": actor["id"],
                "actor_unit": actor.get("unit"),
                "recorded_us": r.recorded_us,
                "effective": r.effective,
            },
        )

    def fill(self, dialect: str, events: str, copy: str) -> str | None:
        """On SQLite, the rows ``indexed`` makes, made by SQLite itself from the stored
        JSON: several times faster than decoding a million events in Python. The
        rebuild test compares the result row for row with the rows kept inline."""
        if dialect != "sqlite":
            return None
        topics = ", ".join("'" + t.replace("'", "''") + "'" for t in sorted(self.handlers))
        return _SQLITE_FILL.format(copy=copy, events=events, topics=topics)


# The id as text (SQLite keeps it as 32 hex digits); the recording time in
# microseconds since the epoch: the mapper writes it with six decimals or none,
# and strftime would round the decimals, so they are added apart (any other
# layout gives NULL, which the NOT NULL column refuses: the rebuild fails
# rather than differ); the effective time's Beijing date, as
# ``records.beijing_day`` takes it (without decimals, which date would round).
_SQLITE_FILL = """
INSERT INTO {copy}
  (position, record_id, version, kind, actor_id, actor_unit, recorded_us, effective)
SELECT position,
  CASE WHEN length(id) = 32 THEN lower(
    substr(id, 1, 8) || '-' || substr(id, 9, 4) || '-' || substr(id, 13, 4) || '-' ||
    substr(id, 17, 4) || '-' || substr(id, 21)) ELSE id END,
  version,
  substr(topic, instr(topic, ':') + 1),
  json_extract(doc, '$.envelope.actor.id'),
  json_extract(doc, '$.envelope.actor.unit'),
  CASE WHEN substr(recorded, 20, 1) = '.' AND substr(recorded, 27, 1) IN ('+', '-', 'Z')
    THEN strftime('%s', substr(recorded, 1, 19) || substr(recorded, 27)) * 1000000
      + CAST(substr(recorded, 21, 6) AS INTEGER)
    WHEN substr(recorded, 20, 1) IN ('+', '-', 'Z') THEN strftime('%s', recorded) * 1000000
  END,
  CASE WHEN effective LIKE '%+08:00' THEN substr(effective, 1, 10)
    WHEN substr(effective, 20, 1) = '.'
    THEN date(substr(effective, 1, 19) || substr(effective, 27), '+8 hours')
    ELSE date(effective, '+8 hours') END
FROM (
  SELECT rowid AS position, originator_id AS id, originator_version AS version, topic,
    CAST(state AS TEXT) AS doc,
    json_extract(CAST(state AS TEXT), '$.timestamp') AS recorded,
    json_extract(CAST(state AS TEXT), '$.envelope.effective_at') AS effective
  FROM {events} WHERE rowid BETWEEN ? AND ? AND topic IN ({topics})
  ORDER BY rowid
)
"""


def event_classes() -> list[type[Any]]:
    """Every concrete event class of every aggregate the ledger knows."""
    found: list[type[Any]] = []
    for aggregate in AGGREGATES:
        for value in vars(aggregate).values():
            if isinstance(value, type) and issubclass(value, Aggregate.Event):
                found.append(value)
    return found
