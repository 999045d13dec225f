"""Finding commands: record, plan, report, claim, verify, send back, strike off."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.application.context import NO_CONTEXT, CommandContext, Receipt
from ledger.application.core import LedgerCore, Step
from ledger.domain import policy, rules
from ledger.domain.base import Envelope
from ledger.domain.errors import InvalidTransition
from ledger.domain.finding import Finding
from ledger.domain.ids import uuid4
from ledger.domain.inspection import Inspection
from ledger.domain.unit import Unit
from ledger.domain.values import Actor

C = NO_CONTEXT


class FindingCommands(LedgerCore):
    """Commands on findings; a unit actor may act only on findings assigned to it."""

    def record_finding(
        self,
        actor: Actor,
        inspection_id: Any,
        *,
        category: Any,
        number: str,
        text: str,
        sources: Any = (),
        deadline: Any = None,
        long_term: bool = False,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Record a finding of an open inspection; returns the finding's id."""
        step = recording(
            category=category,
            number=number,
            text=text,
            sources=sources,
            deadline=deadline,
            long_term=long_term,
        )

        def work(envelope: Envelope) -> tuple[Any, ...]:
            inspection = self._load(Inspection, inspection_id, "inspection_id", reference=True)
            finding = step.change(inspection, envelope)
            return finding.id, [finding]

        args = {step.subject: str(inspection_id), **step.args}
        return self._run(step.command, actor, ctx, args, work)

    def assign(
        self,
        actor: Actor,
        finding_id: Any,
        *,
        responsible_leader: str = "",
        lead_department: Any = None,
        units: Any,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Assign responsibility for a finding to a leader, a lead department and units."""
        step = self.assigning(
            responsible_leader=responsible_leader, lead_department=lead_department, units=units
        )
        return self._step(Finding, "finding_id", actor, ctx, finding_id, step)

    def assigning(
        self, *, responsible_leader: str = "", lead_department: Any = None, units: Any
    ) -> Step:
        """The ``assign`` command as a step (see ``Step``)."""

        def change(f: Finding, e: Envelope) -> None:
            self._require_units([lead_department], "lead_department")
            self._require_units(rules.uuids("responsible_units", units), "responsible_units")
            f.assign(
                e,
                responsible_leader=responsible_leader,
                lead_department=lead_department,
                units=units,
            )

        args = {"leader": responsible_leader, "lead": lead_department, "units": units}
        return Step("assign", args, change)

    def set_deadline(
        self, actor: Actor, finding_id: Any, *, deadline: Any, ctx: CommandContext = C
    ) -> Receipt:
        """Set the first deadline of a finding."""
        return self._change(
            Finding,
            "finding_id",
            "set_deadline",
            actor,
            ctx,
            finding_id,
            {"deadline": deadline},
            lambda f, e: f.set_deadline(e, deadline),
        )

    def extend_deadline(
        self,
        actor: Actor,
        finding_id: Any,
        *,
        new_deadline: Any,
        approver: str,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Extend a deadline; the reason goes in ``ctx.reason`` and is required."""
        return self._change(
            Finding,
            "finding_id",
            "extend_deadline",
            actor,
            ctx,
            finding_id,
            {"new_deadline": new_deadline, "approver": approver},
            lambda f, e: f.extend_deadline(e, new_deadline=new_deadline, approver=approver),
        )

    def mark_long_term(
        self, actor: Actor, finding_id: Any, *, long_term: bool = True, ctx: CommandContext = C
    ) -> Receipt:
        """Set or clear the long-term flag (需长期坚持)."""
        return self._change(
            Finding,
            "finding_id",
            "mark_long_term",
            actor,
            ctx,
            finding_id,
            {"long_term": long_term},
            lambda f, e: f.mark_long_term(e, long_term),
        )

    def add_measure(
        self,
        actor: Actor,
        finding_id: Any,
        *,
        kind: str,
        text: str,
        owner_unit: Any,
        deadline: Any = None,
        long_term: bool = False,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Add a measure owned by one unit; the receipt's ``item_id`` is the measure's id."""
        step = self.adding_measure(
            actor,
            kind=kind,
            text=text,
            owner_unit=owner_unit,
            deadline=deadline,
            long_term=long_term,
        )
        return self._step(Finding, "finding_id", actor, ctx, finding_id, step)

    def adding_measure(
        self,
        actor: Actor,
        *,
        kind: str,
        text: str,
        owner_unit: Any,
        deadline: Any = None,
        long_term: bool = False,
    ) -> Step:
        """The ``add_measure`` command as a step (see ``Step``)."""
        measure_id = uuid4()

        def change(f: Finding, e: Envelope) -> UUID:
            self._require_units([owner_unit], "owner_unit")
            policy.require_own_unit(actor, rules.uuid("owner_unit", owner_unit))
            f.add_measure(
                e,
                measure_id=measure_id,
                kind=kind,
                text=text,
                owner_unit=owner_unit,
                deadline=deadline,
                long_term=long_term,
            )
            return measure_id

        args = dict(
            kind=kind, text=text, owner_unit=owner_unit, deadline=deadline, long_term=long_term
        )
        return Step("add_measure", args, change)

    def report_progress(
        self,
        actor: Actor,
        finding_id: Any,
        *,
        narrative: str,
        measure_id: Any = None,
        figures: Any = None,
        evidence: Any = None,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Report progress with figures and evidence; ``item_id`` is the report's id."""
        step = reporting(
            actor, narrative=narrative, measure_id=measure_id, figures=figures, evidence=evidence
        )
        return self._step(Finding, "finding_id", actor, ctx, finding_id, step)

    def claim_completion(
        self, actor: Actor, finding_id: Any, *, summary: str, ctx: CommandContext = C
    ) -> Receipt:
        """The responsible unit claims the rectification complete."""
        return self._step(Finding, "finding_id", actor, ctx, finding_id, claiming(summary))

    def verify(
        self, actor: Actor, finding_id: Any, *, opinion: str = "", ctx: CommandContext = C
    ) -> Receipt:
        """The office verifies a claimed completion (验收)."""
        return self._step(Finding, "finding_id", actor, ctx, finding_id, verifying(opinion))

    def send_back(self, actor: Actor, finding_id: Any, *, ctx: CommandContext = C) -> Receipt:
        """Send a claimed or verified finding back; the reason goes in ``ctx.reason``."""
        return self._change(
            Finding,
            "finding_id",
            "send_back",
            actor,
            ctx,
            finding_id,
            {},
            lambda f, e: f.send_back(e),
        )

    def strike_off(self, actor: Actor, finding_id: Any, *, ctx: CommandContext = C) -> Receipt:
        """Strike off (销号) a verified finding."""
        return self._change(
            Finding,
            "finding_id",
            "strike_off",
            actor,
            ctx,
            finding_id,
            {},
            lambda f, e: f.strike_off(e),
        )

    def issue_letter(
        self,
        actor: Actor,
        finding_id: Any,
        *,
        letter_no: str,
        level: str,
        addressed_to: Any = None,
        due_date: Any = None,
        ctx: CommandContext = C,
    ) -> Receipt:
        """Issue a supervision letter (督办函) with an escalation level."""

        def change(f: Finding, e: Envelope) -> None:
            if addressed_to is not None:
                self._require_units([addressed_to], "addressed_to")
            f.issue_letter(
                e, letter_no=letter_no, level=level, addressed_to=addressed_to, due_date=due_date
            )

        args = dict(letter_no=letter_no, level=level, addressed_to=addressed_to, due_date=due_date)
        return self._change(
            Finding, "finding_id", "issue_letter", actor, ctx, finding_id, args, change
        )

    def answer_letter(
        self, actor: Actor, finding_id: Any, *, letter_no: str, answer: str, ctx: CommandContext = C
    ) -> Receipt:
        """Answer an outstanding supervision letter."""
        return self._change(
            Finding,
            "finding_id",
            "answer_letter",
            actor,
            ctx,
            finding_id,
            {"letter_no": letter_no, "answer": answer},
            lambda f, e: f.answer_letter(e, letter_no=letter_no, answer=answer),
        )

    def correct(
        self,
        actor: Actor,
        finding_id: Any,
        *,
        corrects_version: int,
        changes: dict[str, Any],
        ctx: CommandContext = C,
    ) -> Receipt:
        """Correct an earlier event of a finding; the reason goes in ``ctx.reason``."""
        return self._change(
            Finding,
            "finding_id",
            "correct",
            actor,
            ctx,
            finding_id,
            {"corrects_version": corrects_version, "changes": changes},
            lambda f, e: f.correct(e, corrects_version=corrects_version, changes=changes),
        )

    def get_finding(self, finding_id: Any) -> Finding:
        """The current state of one finding."""
        return self.read(Finding, finding_id, "finding_id")

    def _guard(self, actor: Actor, record: Any) -> None:
        if isinstance(record, Finding):
            policy.require_assigned(actor, record.is_assigned_to(actor.unit))

    def _require_units(self, unit_ids: list[Any], field: str) -> None:
        for unit_id in unit_ids:
            if unit_id is not None:
                self._load(Unit, unit_id, field)


def _require_measure_access(actor: Actor, finding: Finding, measure_id: Any) -> None:
    """A unit reports on a measure it owns, unless it leads or shares the whole finding."""
    if measure_id is None or actor.unit == finding.lead_department:
        return
    if actor.unit in finding.responsible_units:
        return
    measure = finding.measures.get(rules.uuid("measure_id", measure_id))
    if measure is not None:
        policy.require_own_unit(actor, measure.owner_unit)


# --- commands as steps: the rules a command and a bulk caller share (see ``Step``) ---


def recording(
    *,
    category: Any,
    number: str,
    text: str,
    sources: Any = (),
    deadline: Any = None,
    long_term: bool = False,
) -> Step:
    """``record_finding`` as a step on the inspection; its change returns the new finding."""
    args = dict(
        category=category,
        number=number,
        text=text,
        sources=sources,
        deadline=deadline,
        long_term=long_term,
    )

    def change(inspection: Inspection, envelope: Envelope) -> Finding:
        if not inspection.accepts_findings:
            raise InvalidTransition("巡视已结束,不能再登记问题", field="inspection_id")
        return Finding.record(
            envelope, inspection_id=inspection.id, feedback_date=inspection.feedback_date, **args
        )

    return Step("record_finding", args, change, subject="inspection", guarded=False)


def reporting(
    actor: Actor,
    *,
    narrative: str,
    measure_id: Any = None,
    figures: Any = None,
    evidence: Any = None,
) -> Step:
    """``report_progress`` as a step; its change returns the new report's id."""
    report_id = uuid4()

    def change(f: Finding, e: Envelope) -> UUID:
        _require_measure_access(actor, f, measure_id)
        f.report_progress(
            e,
            report_id=report_id,
            narrative=narrative,
            measure_id=measure_id,
            figures=figures,
            evidence=evidence,
        )
        return report_id

    args = dict(narrative=narrative, measure_id=measure_id, figures=figures, evidence=evidence)
    return Step("report_progress", args, change)


def claiming(summary: str) -> Step:
    """``claim_completion`` as a step."""
    return Step(
        "claim_completion", {"summary": summary}, lambda f, e: f.claim_completion(e, summary)
    )


def verifying(opinion: str = "") -> Step:
    """``verify`` as a step."""
    return Step("verify", {"opinion": opinion}, lambda f, e: f.verify(e, opinion))
