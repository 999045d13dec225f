"""Questions across the ledger, answered from the audit index: every change by an actor,
by a unit, of a kind, in a time window — and late deadline extensions.

Pages are in log order with the last position as cursor. The index is kept
behind the log, not by the commands: each question first catches it up
(``behind``), so it answers up to the head of the log like every other read
model; where the catch-up cannot write, the events not yet applied are folded
in memory and filtered here instead. One record's changes
are found through the events table's own key (originator id, version): the
log positions of that record's events, then the index rows at those positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Uuid, false, select
from sqlalchemy.sql import ColumnElement

from .behind import Reached
from .reading import QueryError, Reader
from .records import from_us, to_us
from .runner import Projector

MAX_LIMIT = 1000
EXTENDED = "Finding.DeadlineExtended"


@dataclass(frozen=True)
class Filter:
    """What to look for; every field given must hold."""

    actor_id: str | None = None
    unit_id: str | None = None
    record_id: str | None = None
    kind: str | None = None
    since: datetime | None = None  # recorded at or after
    until: datetime | None = None  # recorded before
    effective_from: date | None = None
    effective_to: date | None = None
    late: bool | None = None  # deadline extensions that came after the deadline had passed


@dataclass(frozen=True)
class AuditPage:
    items: list[dict[str, Any]]
    next: int | None


class AuditLog(Reader):
    """The audit index, queried."""

    def __init__(self, projector: Projector, *, memo: bool = True) -> None:
        super().__init__(projector, memo=memo)
        self.projector = projector
        self.events = events_table(projector)

    def changes(self, f: Filter, after: int | None = None, limit: int = 100) -> AuditPage:
        """A page of events matching the filter, oldest first, up to the head of the
        log: the index is caught up first (see ``behind``)."""
        if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit 须为 1 至 {MAX_LIMIT} 的整数", "limit")
        a = self.t.audit
        query = select(a).where(*self._conditions(f))
        if after is not None:
            query = query.where(a.c.position > after)
        reached = self.projector.caught_up("audit")
        if not reached.complete:  # exactly the rows up to there, the rest added below
            query = query.where(a.c.position <= reached.position)
        rows = self.rows(query.order_by(a.c.position).limit(limit + 1))
        items = [_item(row._asdict()) for row in rows]
        if not reached.complete and len(items) <= limit:
            items += self._pending(f, after, reached)[: limit + 1 - len(items)]
        more = len(items) > limit
        items = items[:limit]
        return AuditPage(items, items[-1]["position"] if more else None)

    def kinds(self) -> list[str]:
        """Every kind of event the index holds (caught up first)."""
        a = self.t.audit
        reached = self.projector.caught_up("audit")
        query = select(a.c.kind).distinct()
        if not reached.complete:
            query = query.where(a.c.position <= reached.position)
        kinds = {row[0] for row in self.rows(query)}
        if not reached.complete:
            kinds |= {item["kind"] for item in self._pending(Filter(), None, reached)}
        return sorted(kinds)

    def _pending(self, f: Filter, after: int | None, reached: Reached) -> list[dict[str, Any]]:
        """The items of the events the index has not caught up with (it could not be
        written), made by its own handler in memory and filtered here as the
        conditions of ``_conditions`` filter in SQL."""
        audit = self.projector.find("audit")
        since = None if f.since is None else _us(f.since, "since")
        until = None if f.until is None else _us(f.until, "until")
        equal = {"actor_id": f.actor_id, "actor_unit": f.unit_id, "kind": f.kind}
        equal = {k: v for k, v in equal.items() if v is not None}
        if f.record_id is not None:
            equal["record_id"] = f.record_id  # kept in lower case: other spellings find none
        kept = [
            row
            for row in self.projector.behind.pending(audit, reached)
            if all(row[k] == v for k, v in equal.items())
            and (after is None or row["position"] > after)
            and (since is None or row["recorded_us"] >= since)
            and (until is None or row["recorded_us"] < until)
            and (f.effective_from is None or row["effective"] >= f.effective_from)
            and (f.effective_to is None or row["effective"] <= f.effective_to)
        ]
        if f.late is not None and kept:
            e = self.t.extensions
            asked = [row["position"] for row in kept if row["kind"] == EXTENDED]
            late = select(e.c.position).where(e.c.late == f.late, e.c.position.in_(asked))
            found = {row[0] for row in self.rows(late)} if asked else set()
            kept = [row for row in kept if row["kind"] == EXTENDED and row["position"] in found]
        return [_item(dict(row)) for row in kept]

    def _conditions(self, f: Filter) -> list[ColumnElement[bool]]:
        a = self.t.audit
        equal = {
            "actor_id": f.actor_id,
            "actor_unit": f.unit_id,
            "kind": f.kind,
        }
        conditions = [a.c[name] == value for name, value in equal.items() if value is not None]
        if f.record_id is not None:
            conditions.append(self._of_record(f.record_id))
        if f.since is not None:
            conditions.append(a.c.recorded_us >= _us(f.since, "since"))
        if f.until is not None:
            conditions.append(a.c.recorded_us < _us(f.until, "until"))
        if f.effective_from is not None:
            conditions.append(a.c.effective >= f.effective_from)
        if f.effective_to is not None:
            conditions.append(a.c.effective <= f.effective_to)
        if f.late is not None:
            e = self.t.extensions
            late = select(e.c.position).where(e.c.late == f.late)
            conditions += [a.c.kind == EXTENDED, a.c.position.in_(late)]
        return conditions

    def _of_record(self, record_id: str) -> ColumnElement[bool]:
        """The rows of one record: those at the log positions of its events.

        The index keeps a record's id spelt out in lower case (``records.decode``),
        so only that spelling has rows: any other matches none, as before.
        """
        try:
            uuid = UUID(record_id)
        except (TypeError, ValueError, AttributeError):
            return false()
        if str(uuid) != record_id:
            return false()
        e = self.events
        ids: list[Any]
        if "rowid" in e.c:  # SQLite: the position is the rowid, the id 32 hex digits
            position, ids = e.c.rowid, [uuid.hex, record_id]
        else:  # PostgreSQL
            position, ids = e.c.notification_id, [uuid if _is_uuid(e) else record_id]
        of_record = select(position).where(e.c.originator_id.in_(ids))
        return self.t.audit.c.position.in_(of_record)


def events_table(projector: Projector) -> Table:
    """The event store's table, as far as queries here read it: the log position
    and the record's id (SQLite keeps a UUID as 32 hex digits, PostgreSQL in a
    uuid column unless the store was set up with text ids)."""
    name = projector.recorder.events_table_name
    if projector.db.dialect == "sqlite":
        return Table(name, MetaData(), Column("rowid", Integer), Column("originator_id", String))
    typed = getattr(projector.recorder.datastore, "originator_id_type", "uuid") == "uuid"
    originator: Column[Any] = Column("originator_id", Uuid() if typed else String())
    return Table(name, MetaData(), Column("notification_id", BigInteger), originator)


def _is_uuid(events: Table) -> bool:
    return isinstance(events.c.originator_id.type, Uuid)


def _us(moment: datetime, field: str) -> int:
    if moment.tzinfo is None:
        raise QueryError("时间须带时区", field)
    return to_us(moment)


def _item(item: dict[str, Any]) -> dict[str, Any]:
    """An index row as a page gives it (the recording time as a datetime)."""
    item["recorded_at"] = from_us(item.pop("recorded_us"))
    return item
