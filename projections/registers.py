"""Registers: supervision letters and deadline extensions, now or as of any moment.

A letter counts on a day if it was issued by then (effective date and
recording time both), and is outstanding if it had not been answered by
then. An extension counts if it had taken effect, and been recorded, by then.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Row, Select, func, select

from ledger.domain.values import EscalationLevel

from .reading import QueryError, Reader, When, one_of
from .records import from_us

LEVELS = [level.value for level in EscalationLevel]


class Registers(Reader):
    """The supervision-letter register and the deadline-extension register."""

    def letters(
        self,
        level: str | None = None,
        outstanding: bool = True,
        inspection_id: Any = None,
        when: When | None = None,
    ) -> list[dict[str, Any]]:
        """Letters issued by then, in issue order; only the unanswered ones unless
        ``outstanding`` is False. Answers given after the moment asked about are left out."""
        when = when or When.of()
        query = self._letters(when, level, inspection_id, outstanding)
        order = self.t.letters.c
        query = query.order_by(order.issued_on, order.issued_us, order.finding_id, order.letter_no)
        return [_letter(row, when) for row in self.rows(query)]

    def units(self) -> list[dict[str, Any]]:
        """Every unit as it is now (name, level, parent, latest headcount), by name:
        reference data, so names stay current in past views as everywhere else."""
        u = self.t.units
        return [row._asdict() for row in self.rows(select(u).order_by(u.c.name, u.c.unit_id))]

    def letters_by_level(
        self, when: When | None = None, inspection_id: Any = None
    ) -> dict[str, int]:
        """How many letters were outstanding at each escalation level, staff first."""
        when = when or When.of()
        inner = self._letters(when, None, inspection_id, True).subquery()
        query = select(inner.c.level, func.count()).group_by(inner.c.level)
        found = {row[0]: row[1] for row in self.rows(query)}
        return {level: found.get(level, 0) for level in LEVELS}

    def extensions(
        self, finding_id: Any = None, inspection_id: Any = None, when: When | None = None
    ) -> list[dict[str, Any]]:
        """Every extension in force by then, in log order: the original deadline,
        the one it replaced and the new one, who approved it, why, and whether it
        came after the deadline had passed (``late``; ``late_recorded`` if it was
        only entered after that)."""
        when = when or When.of()
        e, f = self.t.extensions, self.t.findings
        query = (
            select(e, f.c.inspection_id, f.c.number, f.c.original_deadline)
            .join(f, f.c.finding_id == e.c.finding_id)
            .where(*when.by(e.c.effective, e.c.recorded_us))
            .order_by(e.c.position)
        )
        if finding_id is not None:
            query = query.where(e.c.finding_id == str(finding_id))
        if inspection_id is not None:
            query = query.where(f.c.inspection_id == str(inspection_id))
        return [_extension(row) for row in self.rows(query)]

    def _letters(
        self, when: When, level: str | None, inspection_id: Any, outstanding: bool
    ) -> Select[Any]:
        if level is not None:
            one_of("level", level, LEVELS, "督办级别")
        if not isinstance(outstanding, bool):
            raise QueryError("outstanding 须为布尔值", "outstanding")
        letter, f = self.t.letters, self.t.findings
        query = (
            select(letter, f.c.inspection_id, f.c.number)
            .join(f, f.c.finding_id == letter.c.finding_id)
            .where(*when.by(letter.c.issued_on, letter.c.issued_us))
        )
        if level is not None:
            query = query.where(letter.c.level == level)
        if inspection_id is not None:
            query = query.where(f.c.inspection_id == str(inspection_id))
        if outstanding:
            query = query.where(when.not_yet(letter.c.answered_on, letter.c.answered_us))
        return query


def _letter(row: Row[Any], when: When) -> dict[str, Any]:
    item = row._asdict()
    answered = item["answered_on"] is not None and (
        when.current or (item["answered_on"] <= when.as_of and item["answered_us"] <= when.known_us)
    )
    if not answered:
        item.update(answered_on=None, answered_us=None, answer=None)
    due: date | None = item["due_date"]
    item.update(
        level_label=EscalationLevel(item["level"]).label,
        outstanding=not answered,
        past_due=not answered and due is not None and due < when.as_of,
    )
    return item


def _extension(row: Row[Any]) -> dict[str, Any]:
    item = row._asdict()
    item.update(
        late=bool(item["late"]),
        late_recorded=bool(item["late_recorded"]),
        recorded_at=from_us(item["recorded_us"]),
    )
    return item
