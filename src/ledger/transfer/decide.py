"""Deciding what an imported file means for the ledger: new findings, or only the differences.

Every command goes through the application as any user's would (roles,
rules, one event each), inside the caller's ``Ledger.batch()``. Its basis is
the file's sha256. One idempotency key names the file and the inspection
(``Decider._file_key``), written with the import's events: a second import of
the same file into the same inspection records nothing (it is refused if the
ledger has changed since), and of two concurrent imports of one file only one
can write. The commands that do not belong to one finding (opening the
inspection, registering a unit) keep a key each, as before. A refusal becomes
a problem at the row and column it concerns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select

from ledger.application import keys
from ledger.application.context import CommandContext, Receipt
from ledger.application.core import Step as Decision
from ledger.application.findings import claiming, recording, reporting, verifying
from ledger.application.ledger import Ledger
from ledger.domain.errors import DomainError
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.values import Actor, FindingStatus
from ledger.infrastructure.idempotency import Idempotency
from ledger.projections.queries import ReadModels
from ledger.transfer.rows import Planned, Problem
from ledger.transfer.text import clean, key, split_names

if TYPE_CHECKING:
    from ledger.transfer.importer import ImportOptions, ImportReport, Step

# A refused command's field → the column to blame (else the step's own column).
COLUMNS = {
    "category": "category",
    "number": "number",
    "deadline": "deadline",
    "new_deadline": "deadline",
    "long_term": "status",
    "responsible_leader": "leader",
    "lead_department": "lead",
    "responsible_units": "units",
    "owner_unit": "lead",
    "kind": "kind",
    "narrative": "progress",
}
Command = Callable[[CommandContext], Receipt]
# Steps keyed on their own: the inspection's and new units' (all else is under the file's key).
SHARED = ("open-inspection", "feedback", "unit:")
IMPORTED = (
    "该文件此前已导入本巡视(文件 sha256 相同),此后台账又有变化:重复导入不会再记录任何内容。"
    "如需依据文件更新台账,请先导出最新台账,在其上修改后再导入"
)
CLAIM = "依据导入的整改台账:已完成整改"  # the summary of an imported completion claim
VERIFY = "依据导入的整改台账确认已完成"  # the opinion of its verification
# Findings decided between two hand-overs to the batch's writer, if it has one.
DRAIN = 100


class Refused(Exception):
    """A finding that cannot be imported as the file states it."""

    def __init__(self, row: int, column: str, message: str) -> None:
        super().__init__(message)
        self.row, self.column, self.message = row, column, message


class Decider:
    """Turns planned findings into commands on one inspection."""

    def __init__(self, app: Ledger, options: ImportOptions, report: ImportReport) -> None:
        self.app, self.options, self.report = app, options, report
        self.actor = Actor(id=options.actor_id, name=options.actor_name, role="inspection_office")
        self.models = ReadModels(app.projector)
        self.units = self._known_units()
        self.prefix = f"import:{report.sha256[:24]}"  # the batch reads its keys up front
        self.inspection: UUID | None = None
        self.record: Inspection | None = None  # the inspection itself
        # Every command of an import has the same context but for its key (see ``call``).
        self.ctx = CommandContext(
            effective_at=options.effective, basis=f"sha256:{report.sha256}"
        ).checked()
        self.labels: Callable[[str], str] = lambda name: name

    def run(self, planned: list[Planned], step: Step | None, labels: Callable[[str], str]) -> None:
        """Decide every valid finding; problems go into the report."""
        self.labels = labels
        self.inspection = self._inspection()
        if self.inspection is None:
            return
        self.report.inspection_id = str(self.inspection)
        existing = self._existing()
        # A file imported before records nothing new: nothing to hand over early.
        stream = self.app.stored_key(self.key("", "file")) is None
        for n, p in enumerate(planned, 1):
            if p.valid:
                self._finding(p, existing.get(p.number))
            if step is not None:
                step(n, len(planned))
            if stream and n % DRAIN == 0 and not self.report.problems:
                self.app.drain()  # (a refused import is rolled back: handing over stops)
        self._file_key()

    def _file_key(self) -> None:
        """Store the file's key with its events, or refuse a file imported before whose
        differences would be recorded now (nothing new is recorded for the same file)."""
        key = self.key("", "file")
        if self.app.stored_key(key) is not None:
            if self.report.events:
                self.problem(0, "", IMPORTED)
            return
        if not self.report.events or self.report.problems:
            return
        assert self.inspection is not None
        record = self.app.consult(Inspection, self.inspection, "inspection_id")
        args = {"sha256": self.report.sha256, "inspection": str(self.inspection)}
        digest = keys.fingerprint("import", self.actor, {**args, **vars(self.options)})
        receipt = Receipt(record.id, record.version, UUID(self.report.sha256[:32]))
        self.app.store_key(Idempotency(key, digest, keys.dump(receipt)))

    # --- one finding --------------------------------------------------------------------

    def _finding(self, p: Planned, finding_id: str | None) -> None:
        before = self.report.events
        try:
            if finding_id is None:
                self._create(p)
            else:
                from ledger.transfer.update import update

                update(self, p, self.app.get_finding(finding_id))
        except Refused as refused:
            self.problem(refused.row, refused.column, refused.message)
            return
        if finding_id is None:
            self.report.created += 1
        elif self.report.events > before:
            self.report.changed += 1
        else:
            self.report.unchanged += 1

    def _create(self, p: Planned) -> None:
        """A new finding: the same commands, decided on the records in hand (``held``)."""
        if self.record is None:  # consulted once: an import does not change it
            self.record = self.app.consult(Inspection, self.inspection, "inspection_id")
        step = recording(
            category=p.category,
            number=p.number,
            text=p.text,
            deadline=p.deadline,
            long_term=p.long_term,
        )
        finding_id = self.held(p, "text", self.record, step).id
        finding = self.app.consult(Finding, finding_id, "finding_id")
        lead, units = self.assignment(p)
        if units:
            step = self.app.assigning(
                responsible_leader=p.leader, lead_department=lead, units=units
            )
            self.held(p, "units", finding, step)
        for m in p.measures:
            step = self.app.adding_measure(
                self.actor,
                kind=m.kind,
                text=m.text,
                owner_unit=lead or units[0],
                deadline=p.deadline,
                long_term=p.long_term,
            )
            self.held(p, "measure", finding, step, row=m.row)
        if p.progress:
            self.held(p, "progress", finding, reporting(self.actor, narrative=p.progress))
        if p.completed:
            self.held(p, "status", finding, claiming(CLAIM))
            self.held(p, "status", finding, verifying(VERIFY))

    # --- commands, each one event -------------------------------------------------------

    def call(
        self, p: Planned, column: str, step: str, command: Command, reason: str = "", row: int = 0
    ) -> Receipt:
        """Run one command for finding ``p``; a refusal becomes ``Refused`` at its column."""
        shared = step.startswith(SHARED)
        ctx = CommandContext(
            effective_at=self.options.effective,
            reason=reason,
            basis=f"sha256:{self.report.sha256}",
            idempotency_key=self.key(p.number, step) if shared else None,
        )
        return self._counted(p, column, row, lambda: command(ctx))

    def held(self, p: Planned, column: str, record: Any, step: Decision, row: int = 0) -> Receipt:
        """Decide one command on a record in hand (``Ledger.decide_held``): the same rules
        and envelope as ``call``, without the per-command plumbing (a finding's steps are
        under the file's key)."""
        return self._counted(
            p, column, row, lambda: self.app.decide_held(self.actor, self.ctx, None, record, step)
        )

    def _counted(self, p: Planned, column: str, row: int, decide: Callable[[], Receipt]) -> Receipt:
        """Run one decision: a refusal becomes ``Refused`` at its column; a new event counts."""
        try:
            receipt = decide()
        except DomainError as error:
            where = COLUMNS.get(error.field or "", column)
            raise Refused(row or p.row, self.labels(where), error.message) from None
        if not receipt.replayed:
            self.report.events += 1
        return receipt

    def key(self, number: str, step: str) -> str:
        """The idempotency key of one step (the file, the inspection, the finding, the
        step), or of the whole file (``key("", "file")``)."""
        name = hashlib.sha256(f"{self.inspection}|{number}|{step}".encode()).hexdigest()[:32]
        return f"{self.prefix}:{step.partition(':')[0]}:{name}"

    def assign(self, p: Planned, finding: Any, lead: UUID | None, units: list[UUID]) -> None:
        self.call(
            p,
            "units",
            "assign",
            lambda ctx: self.app.assign(
                self.actor,
                finding,
                responsible_leader=p.leader,
                lead_department=lead,
                units=units,
                ctx=ctx,
            ),
        )

    def add_measure(
        self, p: Planned, finding: Any, n: int, row: int, text: str, kind: str, owner: UUID
    ) -> None:
        self.call(
            p,
            "measure",
            f"measure:{n}",
            lambda ctx: self.app.add_measure(
                self.actor,
                finding,
                kind=kind,
                text=text,
                owner_unit=owner,
                deadline=p.deadline,
                long_term=p.long_term,
                ctx=ctx,
            ),
            row=row,
        )

    def report_progress(self, p: Planned, finding: Any) -> None:
        self.call(
            p,
            "progress",
            "progress",
            lambda ctx: self.app.report_progress(
                self.actor, finding, narrative=p.progress, ctx=ctx
            ),
        )

    def complete(self, p: Planned, finding: Any, status: FindingStatus) -> None:
        """Claim (unless already claimed) and verify: 已完成 means verified."""
        if status is FindingStatus.ONGOING:
            self.call(
                p,
                "status",
                "claim",
                lambda ctx: self.app.claim_completion(self.actor, finding, summary=CLAIM, ctx=ctx),
            )
        self.call(
            p,
            "status",
            "verify",
            lambda ctx: self.app.verify(self.actor, finding, opinion=VERIFY, ctx=ctx),
        )

    # --- reference data -----------------------------------------------------------------

    def assignment(
        self, p: Planned, prefer: Collection[UUID] = ()
    ) -> tuple[UUID | None, list[UUID]]:
        """(lead department, responsible units) as unit ids; units default to the lead.

        Where several units share a name, one in ``prefer`` (the units the
        finding already has) is taken, else the first.
        """
        leads = split_names(p.lead, self.units)
        if len(leads) > 1:
            message = f"牵头单位只能有一个,现有 {len(leads)} 个:{'、'.join(leads)}"
            raise Refused(p.row, self.labels("lead"), message)
        lead = self.unit(p, leads[0], prefer) if leads else None
        names = split_names(p.units, self.units)
        units = [self.unit(p, name, prefer) for name in names] or ([lead] if lead else [])
        return lead, units

    def unit(self, p: Planned, name: str, prefer: Collection[UUID] = ()) -> UUID:
        """The unit of that name, registered by the import if the ledger has none."""
        candidates = self.units.get(name)
        if candidates:
            return next((u for u in candidates if u in prefer), candidates[0])
        found = self.call(
            p,
            "units",
            f"unit:{name}",
            lambda ctx: self.app.register_unit(
                self.actor, name=name, level=self.options.unit_level, ctx=ctx
            ),
        ).id
        self.units[name] = [found]
        self.report.units_created += 1
        return found

    def problem(self, row: int, column: str, message: str) -> None:
        self.report.problems.append(Problem(self.report.sheet, row, column, message))

    def _known_units(self) -> dict[str, list[UUID]]:
        u = self.models.t.units
        rows = self.models.rows(select(u.c.name, u.c.unit_id).order_by(u.c.unit_id))
        result: dict[str, list[UUID]] = {}
        for name, unit_id in rows:
            result.setdefault(clean(name), []).append(UUID(unit_id))
        return result

    def _existing(self) -> dict[str, str]:
        f = self.models.t.findings
        query = select(f.c.number, f.c.finding_id).where(f.c.inspection_id == str(self.inspection))
        return {key(number): finding_id for number, finding_id in self.models.rows(query)}

    def _inspection(self) -> UUID | None:
        from ledger.transfer.update import inspection

        try:
            return inspection(self)
        except Refused as refused:
            self.problem(refused.row, refused.column, refused.message)
            return None
