"""The differences between a finding in the file and the same finding in the ledger.

Only what differs is recorded, as the events the ledger has for it:
corrections of the recorded text and category, a new assignment (or a
correction of the leader), a first deadline or an extension, the long-term
flag, new or corrected measures, a new progress report, a send-back or a
verification. What the ledger cannot do (bring a deadline forward, delete a
measure, reopen a struck-off finding) is a problem, not a silent loss.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select

from ledger.domain.errors import DomainError
from ledger.domain.finding import Finding
from ledger.domain.values import FindingStatus
from ledger.transfer.decide import Decider, Refused
from ledger.transfer.rows import Planned
from ledger.transfer.text import clean

Status = FindingStatus
DONE = (Status.VERIFIED, Status.STRUCK_OFF)


def update(d: Decider, p: Planned, f: Finding) -> None:
    """Record what differs between the file's finding ``p`` and the ledger's ``f``."""
    known = {*f.responsible_units, *(m.owner_unit for m in f.measures.values())}
    if f.lead_department is not None:
        known.add(f.lead_department)
    lead, units = d.assignment(p, known)
    _recorded(d, p, f)
    if not p.completed and f.status in DONE:
        if f.status is Status.STRUCK_OFF:
            raise Refused(p.row, d.labels("status"), "该问题已销号,不能改为正在整改")
        d.call(
            p,
            "status",
            "send-back",
            lambda ctx: d.app.send_back(d.actor, f.id, ctx=ctx),
            reason="依据导入的整改台账:整改尚未完成",
        )
    _assignment(d, p, f, lead, units)
    _deadline(d, p, f)
    _measures(d, p, f, lead or (units[0] if units else None))
    latest = max(f.reports.values(), key=lambda r: r.version).narrative if f.reports else ""
    if p.progress and p.progress != clean(latest):
        d.report_progress(p, f.id)
    if p.completed and f.status not in DONE:
        d.complete(p, f.id, f.status)


def _recorded(d: Decider, p: Planned, f: Finding) -> None:
    changes: dict[str, Any] = {}
    if [clean(c) for c in f.category] != p.category:
        changes["category"] = p.category
    if clean(f.text) != p.text:
        changes["text"] = p.text
    if changes:
        d.call(
            p,
            "category" if "category" in changes else "text",
            "correct-recorded",
            lambda ctx: d.app.correct(d.actor, f.id, corrects_version=1, changes=changes, ctx=ctx),
            reason="依据导入的整改台账更正",
        )


def _assignment(d: Decider, p: Planned, f: Finding, lead: UUID | None, units: list[UUID]) -> None:
    if not units:
        if f.responsible_units:
            raise Refused(p.row, d.labels("units"), "台账中该问题已有责任单位,文件中不能为空")
        return
    if (lead, units) != (f.lead_department, f.responsible_units):
        d.assign(p, f.id, lead, units)
    elif clean(f.responsible_leader) != p.leader:
        version = max(v for v, kind in f.history.kinds.items() if kind == "Assigned")
        d.call(
            p,
            "leader",
            "correct-leader",
            lambda ctx: d.app.correct(
                d.actor,
                f.id,
                corrects_version=version,
                changes={"responsible_leader": p.leader},
                ctx=ctx,
            ),
            reason="依据导入的整改台账更正",
        )


def _deadline(d: Decider, p: Planned, f: Finding) -> None:
    if p.long_term != f.long_term:
        d.call(
            p,
            "status",
            "long-term",
            lambda ctx: d.app.mark_long_term(d.actor, f.id, long_term=p.long_term, ctx=ctx),
        )
    if p.deadline is None or p.deadline == f.deadline:
        if p.deadline is None and f.deadline is not None and not p.long_term:
            raise Refused(p.row, d.labels("deadline"), f"整改时限不能删除(台账中为 {f.deadline})")
        return
    if f.deadline is None:
        d.call(
            p,
            "deadline",
            "deadline",
            lambda ctx: d.app.set_deadline(d.actor, f.id, deadline=p.deadline, ctx=ctx),
        )
    elif p.deadline > f.deadline:
        d.call(
            p,
            "deadline",
            "extend",
            lambda ctx: d.app.extend_deadline(
                d.actor, f.id, new_deadline=p.deadline, approver=d.actor.name, ctx=ctx
            ),
            reason="依据导入的整改台账延期",
        )
    else:
        message = f"整改时限只能延后:台账中为 {f.deadline},文件中为 {p.deadline}"
        raise Refused(p.row, d.labels("deadline"), message)


def _measures(d: Decider, p: Planned, f: Finding, owner: UUID | None) -> None:
    existing = sorted(f.measures.values(), key=lambda m: m.version)
    if len(p.measures) < len(existing):
        message = f"整改措施不能删除:台账中有 {len(existing)} 条,文件中只有 {len(p.measures)} 条"
        raise Refused(p.row, d.labels("measure"), message)
    for n, planned in enumerate(p.measures, 1):
        if n > len(existing):
            assert owner is not None  # the rows were refused if a measure had no unit
            d.add_measure(p, f.id, n, planned.row, planned.text, planned.kind, owner)
            continue
        measure = existing[n - 1]
        if measure.kind.value != planned.kind:
            message = f"措施类型不能更改(台账中为 {measure.kind.label})"
            raise Refused(planned.row, d.labels("kind"), message)
        if clean(measure.text) != planned.text:
            _correct_measure(d, p, f, n, measure.version, planned.text, planned.row)


def _correct_measure(
    d: Decider, p: Planned, f: Finding, n: int, version: int, text: str, row: int
) -> None:
    d.call(
        p,
        "measure",
        f"correct-measure:{n}",
        lambda ctx: d.app.correct(
            d.actor, f.id, corrects_version=version, changes={"text": text}, ctx=ctx
        ),
        reason="依据导入的整改台账更正",
        row=row,
    )


def inspection(d: Decider) -> UUID:
    """The inspection the findings belong to: the one named, found by title, or new."""
    options = d.options
    if options.inspection_id is not None:
        try:
            return d.app.get_inspection(options.inspection_id).id
        except DomainError as error:
            raise Refused(0, "", f"--inspection:{error.message}") from None
    new = options.new_inspection
    if new is None:
        raise Refused(0, "", "须用 --inspection 指定已有巡视,或用 --title 等选项新建巡视")
    i = d.models.t.inspections
    query = select(i.c.inspection_id).where(
        i.c.title == new.title, i.c.inspected_body == new.inspected_body
    )
    found = d.models.rows(query.order_by(i.c.opened_us))
    if found:
        return UUID(found[0][0])
    return _open(d)


def _open(d: Decider) -> UUID:
    new = d.options.new_inspection
    assert new is not None
    p = Planned(0, "")
    inspection = d.call(
        p,
        "",
        "open-inspection",
        lambda ctx: d.app.open_inspection(
            d.actor,
            kind=new.kind,
            title=new.title,
            inspecting_body=new.inspecting_body,
            inspected_body=new.inspected_body,
            ctx=ctx,
        ),
    ).id
    if new.feedback_date is not None:
        d.call(
            p,
            "",
            "feedback",
            lambda ctx: d.app.deliver_feedback(
                d.actor, inspection, feedback_date=new.feedback_date, ctx=ctx
            ),
        )
    return inspection
