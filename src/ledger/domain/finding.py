"""Finding (问题): one problem to fix, its plan, its progress and its closure."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain import finding_parts as parts
from ledger.domain import rules
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.errors import InvalidInput, InvalidTransition, NotFound
from ledger.domain.values import (
    EscalationLevel,
    Evidence,
    Figure,
    FindingStatus,
    MeasureKind,
    beijing_date_of,
)

Status = FindingStatus


class Finding(Aggregate):
    """A finding of an inspection, rectified through measures and progress reports."""

    class Recorded(Aggregate.Created):
        """A finding was recorded: where it sits in the document, what it says."""

        inspection_id: UUID
        feedback_date: date | None
        category: list[str]
        number: str
        text: str
        sources: list[str]
        deadline: date | None
        long_term: bool

    class Assigned(Aggregate.Event):
        """Responsibility was assigned: leader, lead department, responsible units."""

        responsible_leader: str
        lead_department: UUID | None
        responsible_units: list[UUID]

    class DeadlineSet(Aggregate.Event):
        """A first deadline was set on a finding that had none."""

        deadline: date

    class DeadlineExtended(Aggregate.Event):
        """The deadline was extended; the reason is in the envelope."""

        previous_deadline: date
        new_deadline: date
        approver: str

    class LongTermMarked(Aggregate.Event):
        """The long-term flag (需长期坚持) was set or cleared."""

        long_term: bool

    class MeasureAdded(Aggregate.Event):
        """A rectification measure was added."""

        measure_id: UUID
        kind: MeasureKind
        text: str
        owner_unit: UUID
        deadline: date | None
        long_term: bool

    class ProgressReported(Aggregate.Event):
        """Progress was reported, with figures and evidence."""

        report_id: UUID
        measure_id: UUID | None
        narrative: str
        figures: list[Figure]
        evidence: list[Evidence]

    class CompletionClaimed(Aggregate.Event):
        """The responsible unit claimed the rectification complete."""

        summary: str

    class CompletionVerified(Aggregate.Event):
        """The office verified the claimed completion (验收)."""

        opinion: str

    class SentBack(Aggregate.Event):
        """The office sent the work back (返工); the reason is in the envelope."""

    class StruckOff(Aggregate.Event):
        """The verified finding was struck off (销号)."""

    class LetterIssued(Aggregate.Event):
        """A supervision letter (督办函) was issued about this finding."""

        letter_no: str
        level: EscalationLevel
        addressed_to: UUID | None
        due_date: date | None

    class LetterAnswered(Aggregate.Event):
        """A supervision letter was answered."""

        letter_no: str
        answer: str

    class Corrected(Aggregate.Event):
        """An earlier event was corrected; both stay in history.

        ``corrects_event`` names the kind of the corrected event (e.g.
        ``MeasureAdded``), so readers need not look it up.
        """

        corrects_version: int
        corrects_event: str
        changes: parts.Changes

    @event(Recorded)
    def __init__(
        self,
        envelope: Envelope,
        inspection_id: UUID,
        feedback_date: date | None,
        category: list[str],
        number: str,
        text: str,
        sources: list[str],
        deadline: date | None,
        long_term: bool,
    ) -> None:
        self.inspection_id = inspection_id
        self.feedback_date = feedback_date
        self.category = category
        self.number = number
        self.text = text
        self.sources = sources
        self.deadline = deadline
        self.original_deadline = deadline
        self.long_term = long_term
        self.status = Status.ONGOING
        self.responsible_leader = ""
        self.lead_department: UUID | None = None
        self.responsible_units: list[UUID] = []
        self.measures: dict[UUID, parts.Measure] = {}
        self.reports: dict[UUID, parts.Report] = {}
        self.letters: dict[str, parts.Letter] = {}
        self.extensions: list[parts.Extension] = []
        self.history = parts.History()
        self._seen("Recorded")

    @classmethod
    def record(
        cls,
        envelope: Envelope,
        *,
        inspection_id: UUID,
        feedback_date: date | None,
        category: Any,
        number: str,
        text: str,
        sources: Any = (),
        deadline: object = None,
        long_term: bool = False,
    ) -> Finding:
        """Validate and record a new finding of an inspection."""
        day = rules.a_date("deadline", deadline, optional=True)
        rules.not_before("deadline", day, feedback_date, "反馈日期")
        if not isinstance(long_term, bool):
            raise InvalidInput("必须是布尔值", field="long_term")
        return cls(
            envelope=envelope,
            inspection_id=inspection_id,
            feedback_date=feedback_date,
            category=rules.texts("category", category, min_items=1),
            number=rules.text("number", number, max_len=50),
            text=rules.text("text", text, max_len=rules.MAX_TEXT),
            sources=rules.texts("sources", sources),
            deadline=day,
            long_term=long_term,
        )

    # --- responsibility and deadlines -------------------------------------------------

    def assign(
        self, envelope: Envelope, *, responsible_leader: str, lead_department: Any, units: Any
    ) -> None:
        """Assign the responsible leader, lead department and units."""
        self._require_open("assign")
        lead = None if lead_department is None else rules.uuid("lead_department", lead_department)
        self._assigned(
            envelope,
            rules.text("responsible_leader", responsible_leader, optional=True),
            lead,
            rules.uuids("responsible_units", units, min_items=1),
        )

    @event(Assigned)
    def _assigned(
        self,
        envelope: Envelope,
        responsible_leader: str,
        lead_department: UUID | None,
        responsible_units: list[UUID],
    ) -> None:
        self.responsible_leader = responsible_leader
        self.lead_department = lead_department
        self.responsible_units = responsible_units
        self._seen("Assigned")

    def set_deadline(self, envelope: Envelope, deadline: object) -> None:
        """Set the first deadline; a later change is an extension."""
        self._require_open("set_deadline")
        if self.deadline is not None:
            raise InvalidTransition(
                "已有整改时限,变更请使用延期(extend_deadline)", field="deadline"
            )
        day = rules.day("deadline", deadline)
        rules.not_before("deadline", day, self.feedback_date, "反馈日期")
        self._deadline_set(envelope, day)

    @event(DeadlineSet)
    def _deadline_set(self, envelope: Envelope, deadline: date) -> None:
        self.deadline = deadline
        self.original_deadline = deadline
        self._seen("DeadlineSet")

    def extend_deadline(self, envelope: Envelope, *, new_deadline: object, approver: str) -> None:
        """Extend the deadline: needs a reason (in the envelope) and an approver."""
        self._require_open("extend_deadline")
        if self.deadline is None:
            raise InvalidTransition("尚未设定整改时限,无法延期", field="new_deadline")
        if not envelope.reason.strip():
            raise InvalidInput("延期必须说明理由", field="reason")
        day = rules.day("new_deadline", new_deadline)
        if day <= self.deadline:
            raise InvalidInput(f"新时限 {day} 须晚于现时限 {self.deadline}", field="new_deadline")
        self._deadline_extended(envelope, self.deadline, day, rules.text("approver", approver))

    @event(DeadlineExtended)
    def _deadline_extended(
        self, envelope: Envelope, previous_deadline: date, new_deadline: date, approver: str
    ) -> None:
        self.extensions.append(
            parts.Extension(previous_deadline, new_deadline, approver, envelope.reason)
        )
        self.deadline = new_deadline
        self._seen("DeadlineExtended")

    def mark_long_term(self, envelope: Envelope, long_term: bool = True) -> None:
        """Set or clear the long-term flag."""
        if self.status is Status.STRUCK_OFF:
            raise InvalidTransition("已销号的问题不能再变更长期坚持标记")
        if not isinstance(long_term, bool):
            raise InvalidInput("必须是布尔值", field="long_term")
        if long_term == self.long_term:
            state = "已是" if long_term else "本不是"
            raise InvalidTransition(f"该问题{state}需长期坚持", field="long_term")
        self._long_term_marked(envelope, long_term)

    @event(LongTermMarked)
    def _long_term_marked(self, envelope: Envelope, long_term: bool) -> None:
        self.long_term = long_term
        self._seen("LongTermMarked")

    # --- measures and progress --------------------------------------------------------

    def add_measure(
        self,
        envelope: Envelope,
        *,
        measure_id: UUID,
        kind: str,
        text: str,
        owner_unit: Any,
        deadline: object = None,
        long_term: bool = False,
    ) -> None:
        """Add a rectification measure owned by one unit."""
        self._require_open("add_measure")
        day = rules.a_date("deadline", deadline, optional=True)
        rules.not_before("deadline", day, self.feedback_date, "反馈日期")
        if not isinstance(long_term, bool):
            raise InvalidInput("必须是布尔值", field="long_term")
        if day is None and not long_term:
            raise InvalidInput("须给出整改时限,或标明长期坚持", field="deadline")
        self._measure_added(
            envelope,
            measure_id,
            rules.enum("kind", MeasureKind, kind),
            rules.text("text", text, max_len=rules.MAX_TEXT),
            rules.uuid("owner_unit", owner_unit),
            day,
            long_term,
        )

    @event(MeasureAdded)
    def _measure_added(
        self,
        envelope: Envelope,
        measure_id: UUID,
        kind: MeasureKind,
        text: str,
        owner_unit: UUID,
        deadline: date | None,
        long_term: bool,
    ) -> None:
        self.measures[measure_id] = parts.Measure(
            measure_id, kind, text, owner_unit, deadline, long_term, self.version + 1
        )
        self._seen("MeasureAdded")

    def report_progress(
        self,
        envelope: Envelope,
        *,
        report_id: UUID,
        narrative: str,
        measure_id: Any = None,
        figures: Any = None,
        evidence: Any = None,
    ) -> None:
        """Report progress on the finding or one of its measures."""
        if self.status in (Status.VERIFIED, Status.STRUCK_OFF):
            raise InvalidTransition(
                f"问题已{self.status.label},不能再报告进展;如需继续整改请先退回"
            )
        measure = None if measure_id is None else rules.uuid("measure_id", measure_id)
        if measure is not None and measure not in self.measures:
            raise NotFound(f"该问题下没有整改措施 {measure}", field="measure_id")
        self._progress_reported(
            envelope,
            report_id,
            measure,
            rules.text("narrative", narrative, max_len=rules.MAX_TEXT),
            parts.figures(figures),
            parts.evidence(evidence),
        )

    @event(ProgressReported)
    def _progress_reported(
        self,
        envelope: Envelope,
        report_id: UUID,
        measure_id: UUID | None,
        narrative: str,
        figures: list[Figure],
        evidence: list[Evidence],
    ) -> None:
        self.reports[report_id] = parts.Report(
            report_id, measure_id, narrative, figures, evidence, self.version + 1
        )
        self._seen("ProgressReported")

    # --- claim, verify, send back, strike off -----------------------------------------

    def claim_completion(self, envelope: Envelope, summary: str) -> None:
        """The responsible unit claims completion; needs at least one progress report."""
        if self.status is not Status.ONGOING:
            raise InvalidTransition(
                f"问题当前状态为「{self.status.label}」,只有正在整改的问题可申报完成"
            )
        if not self.reports:
            raise InvalidTransition("申报完成前须至少报告一次整改进展及佐证材料")
        self._completion_claimed(envelope, rules.text("summary", summary, max_len=rules.MAX_TEXT))

    @event(CompletionClaimed)
    def _completion_claimed(self, envelope: Envelope, summary: str) -> None:
        self.status = Status.CLAIMED
        self._seen("CompletionClaimed")

    def verify(self, envelope: Envelope, opinion: str = "") -> None:
        """The office verifies a claimed completion."""
        if self.status is not Status.CLAIMED:
            raise InvalidTransition(
                f"问题当前状态为「{self.status.label}」,须先由责任单位申报完成才能验收"
            )
        self._completion_verified(
            envelope, rules.text("opinion", opinion, max_len=rules.MAX_TEXT, optional=True)
        )

    @event(CompletionVerified)
    def _completion_verified(self, envelope: Envelope, opinion: str) -> None:
        self.status = Status.VERIFIED
        self._seen("CompletionVerified")

    def send_back(self, envelope: Envelope) -> None:
        """Send a claimed or verified finding back for more work; needs a reason."""
        if self.status not in (Status.CLAIMED, Status.VERIFIED):
            raise InvalidTransition(
                f"问题当前状态为「{self.status.label}」,只有已申报或已验收的问题可退回"
            )
        if not envelope.reason.strip():
            raise InvalidInput("退回必须说明理由", field="reason")
        self._sent_back(envelope)

    @event(SentBack)
    def _sent_back(self, envelope: Envelope) -> None:
        self.status = Status.ONGOING
        self._seen("SentBack")

    def strike_off(self, envelope: Envelope) -> None:
        """Strike off (销号) a verified finding."""
        if self.status is not Status.VERIFIED:
            raise InvalidTransition(f"问题当前状态为「{self.status.label}」,须先验收才能销号")
        self._struck_off(envelope)

    @event(StruckOff)
    def _struck_off(self, envelope: Envelope) -> None:
        self.status = Status.STRUCK_OFF
        self._seen("StruckOff")

    # --- supervision letters ----------------------------------------------------------

    def issue_letter(
        self,
        envelope: Envelope,
        *,
        letter_no: str,
        level: str,
        addressed_to: Any = None,
        due_date: object = None,
    ) -> None:
        """Issue a supervision letter about a finding still being rectified."""
        if self.status not in (Status.ONGOING, Status.CLAIMED):
            raise InvalidTransition(f"问题已{self.status.label},无需督办")
        number = rules.text("letter_no", letter_no, max_len=50)
        if number in self.letters:
            raise InvalidInput(f"督办函编号 {number} 已存在", field="letter_no")
        to = None if addressed_to is None else rules.uuid("addressed_to", addressed_to)
        due = rules.a_date("due_date", due_date, optional=True)
        rules.not_before("due_date", due, beijing_date_of(envelope.effective_at), "发函日期")
        self._letter_issued(envelope, number, rules.enum("level", EscalationLevel, level), to, due)

    @event(LetterIssued)
    def _letter_issued(
        self,
        envelope: Envelope,
        letter_no: str,
        level: EscalationLevel,
        addressed_to: UUID | None,
        due_date: date | None,
    ) -> None:
        self.letters[letter_no] = parts.Letter(letter_no, level, addressed_to, due_date)
        self._seen("LetterIssued")

    def answer_letter(self, envelope: Envelope, *, letter_no: str, answer: str) -> None:
        """Answer an outstanding supervision letter."""
        number = rules.text("letter_no", letter_no, max_len=50)
        letter = self.letters.get(number)
        if letter is None:
            raise NotFound(f"没有编号为 {number} 的督办函", field="letter_no")
        if letter.answered:
            raise InvalidTransition(f"督办函 {number} 已答复", field="letter_no")
        self._letter_answered(
            envelope, number, rules.text("answer", answer, max_len=rules.MAX_TEXT)
        )

    @event(LetterAnswered)
    def _letter_answered(self, envelope: Envelope, letter_no: str, answer: str) -> None:
        self.letters[letter_no].answered = True
        self._seen("LetterAnswered")

    # --- corrections ------------------------------------------------------------------

    def correct(
        self, envelope: Envelope, *, corrects_version: int, changes: dict[str, Any]
    ) -> None:
        """Correct an earlier event: a new event names it and says why."""
        target = self.history.kinds.get(corrects_version)
        if target is None:
            raise NotFound(f"没有版本号为 {corrects_version} 的事件", field="corrects_version")
        allowed = parts.CORRECTABLE.get(target)
        if allowed is None:
            raise InvalidTransition(f"「{target}」事件不可更正", field="corrects_version")
        if not envelope.reason.strip():
            raise InvalidInput("更正必须说明理由", field="reason")
        self._corrected(envelope, corrects_version, target, _validate_changes(changes, allowed))

    @event(Corrected)
    def _corrected(
        self, envelope: Envelope, corrects_version: int, corrects_event: str, changes: parts.Changes
    ) -> None:
        target = corrects_event
        values = changes.model_dump(exclude_none=True)
        if target == "ProgressReported":
            report = next(r for r in self.reports.values() if r.version == corrects_version)
            for name in values:
                setattr(report, name, getattr(changes, name))
        elif target == "MeasureAdded":
            measure = next(m for m in self.measures.values() if m.version == corrects_version)
            measure.text = changes.text or measure.text
        else:
            for name in values:
                setattr(self, name, getattr(changes, name))
        self._seen("Corrected")

    # --- queries ----------------------------------------------------------------------

    def is_assigned_to(self, unit: UUID | None) -> bool:
        """True if the unit leads, is responsible for, or owns a measure of this finding."""
        if unit is None:
            return False
        return (
            unit == self.lead_department
            or unit in self.responsible_units
            or any(m.owner_unit == unit for m in self.measures.values())
        )

    def _require_open(self, command: str) -> None:
        if self.status in (Status.VERIFIED, Status.STRUCK_OFF):
            raise InvalidTransition(f"{command}: 问题已{self.status.label},不能再变更整改计划")

    def _seen(self, kind: str) -> None:
        self.history.kinds[self.version + 1 if kind != "Recorded" else 1] = kind


# The same length limits as when the corrected values were first recorded.
_LIMITS = {"number": 50, "text": rules.MAX_TEXT, "narrative": rules.MAX_TEXT}


def _validate_changes(changes: Any, allowed: frozenset[str]) -> parts.Changes:
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("须给出至少一项更正内容", field="changes")
    unknown = set(changes) - allowed
    if unknown:
        names = ", ".join(sorted(unknown))
        raise InvalidInput(
            f"不可更正的字段 {names};可更正:{', '.join(sorted(allowed))}", field="changes"
        )
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        where = f"changes.{name}"
        if name in ("category", "sources"):
            checked[name] = rules.texts(where, value, min_items=1 if name == "category" else 0)
        elif name == "figures":
            checked[name] = parts.figures(value)
        elif name == "evidence":
            checked[name] = parts.evidence(value)
        else:
            checked[name] = rules.text(where, value, max_len=_LIMITS.get(name, rules.MAX_SHORT))
    return parts.Changes(**checked)
