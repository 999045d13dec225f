"""Inspection: the review (巡视, 考核, 审计 …) that produces findings."""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import event

from ledger.domain import rules
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.errors import InvalidTransition
from ledger.domain.values import InspectionKind, InspectionStage

Stage = InspectionStage


class Inspection(Aggregate):
    """An inspection and its lifecycle: opened → on site → feedback → rectifying → closed."""

    class Opened(Aggregate.Created):
        """An inspection was opened: kind, bodies and on-site period."""

        kind: InspectionKind
        title: str
        inspecting_body: str
        inspected_body: str
        on_site_start: date | None
        on_site_end: date | None

    class OnSiteBegun(Aggregate.Event):
        """The inspection team went on site."""

        started_on: date

    class FeedbackDelivered(Aggregate.Event):
        """Feedback (反馈意见) was delivered to the inspected body."""

        feedback_date: date
        document_no: str

    class PlanFiled(Aggregate.Event):
        """The rectification plan (整改方案) was filed."""

        filed_on: date
        document_no: str

    class ProgressPublished(Aggregate.Event):
        """A rectification progress report (整改进展情况) was published."""

        published_on: date
        document_no: str

    class Closed(Aggregate.Event):
        """The inspection's rectification was closed."""

    @event(Opened)
    def __init__(
        self,
        envelope: Envelope,
        kind: InspectionKind,
        title: str,
        inspecting_body: str,
        inspected_body: str,
        on_site_start: date | None,
        on_site_end: date | None,
    ) -> None:
        self.kind = kind
        self.title = title
        self.inspecting_body = inspecting_body
        self.inspected_body = inspected_body
        self.on_site_start = on_site_start
        self.on_site_end = on_site_end
        self.stage = Stage.OPENED
        self.feedback_date: date | None = None
        self.documents: list[str] = []

    @classmethod
    def open(
        cls,
        envelope: Envelope,
        *,
        kind: str,
        title: str,
        inspecting_body: str,
        inspected_body: str,
        on_site_start: object = None,
        on_site_end: object = None,
    ) -> Inspection:
        """Validate and open a new inspection."""
        start = rules.a_date("on_site_start", on_site_start, optional=True)
        end = rules.a_date("on_site_end", on_site_end, optional=True)
        rules.not_before("on_site_end", end, start, "进驻开始日期")
        return cls(
            envelope=envelope,
            kind=rules.enum("kind", InspectionKind, kind),
            title=rules.text("title", title),
            inspecting_body=rules.text("inspecting_body", inspecting_body),
            inspected_body=rules.text("inspected_body", inspected_body),
            on_site_start=start,
            on_site_end=end,
        )

    def begin_on_site(self, envelope: Envelope, started_on: object) -> None:
        """Record that the team went on site."""
        self._require_stage("begin_on_site", Stage.OPENED)
        day = rules.day("started_on", started_on)
        self._on_site_begun(envelope, day)

    @event(OnSiteBegun)
    def _on_site_begun(self, envelope: Envelope, started_on: date) -> None:
        self.stage = Stage.ON_SITE
        self.on_site_start = self.on_site_start or started_on

    def deliver_feedback(self, envelope: Envelope, feedback_date: object, document_no: str) -> None:
        """Record delivery of the feedback; it must not precede the on-site period."""
        self._require_stage("deliver_feedback", Stage.OPENED, Stage.ON_SITE)
        day = rules.day("feedback_date", feedback_date)
        rules.not_before("feedback_date", day, self.on_site_end or self.on_site_start, "进驻日期")
        doc = rules.text("document_no", document_no, optional=True)
        self._feedback_delivered(envelope, day, doc)

    @event(FeedbackDelivered)
    def _feedback_delivered(
        self, envelope: Envelope, feedback_date: date, document_no: str
    ) -> None:
        self.stage = Stage.FEEDBACK_DELIVERED
        self.feedback_date = feedback_date
        self._note(document_no)

    def file_plan(self, envelope: Envelope, filed_on: object, document_no: str) -> None:
        """Record the filing of the rectification plan."""
        self._require_stage("file_plan", Stage.FEEDBACK_DELIVERED)
        day = rules.day("filed_on", filed_on)
        rules.not_before("filed_on", day, self.feedback_date, "反馈日期")
        self._plan_filed(envelope, day, rules.text("document_no", document_no, optional=True))

    @event(PlanFiled)
    def _plan_filed(self, envelope: Envelope, filed_on: date, document_no: str) -> None:
        self.stage = Stage.RECTIFYING
        self._note(document_no)

    def publish_progress(self, envelope: Envelope, published_on: object, document_no: str) -> None:
        """Record publication of a progress report (may happen more than once)."""
        self._require_stage("publish_progress", Stage.RECTIFYING, Stage.PROGRESS_PUBLISHED)
        day = rules.day("published_on", published_on)
        rules.not_before("published_on", day, self.feedback_date, "反馈日期")
        doc = rules.text("document_no", document_no, optional=True)
        self._progress_published(envelope, day, doc)

    @event(ProgressPublished)
    def _progress_published(self, envelope: Envelope, published_on: date, document_no: str) -> None:
        self.stage = Stage.PROGRESS_PUBLISHED
        self._note(document_no)

    def close(self, envelope: Envelope) -> None:
        """Close the inspection once rectification is under way or published."""
        self._require_stage("close", Stage.RECTIFYING, Stage.PROGRESS_PUBLISHED)
        self._closed(envelope)

    @event(Closed)
    def _closed(self, envelope: Envelope) -> None:
        self.stage = Stage.CLOSED

    @property
    def accepts_findings(self) -> bool:
        """Findings may be recorded until the inspection is closed."""
        return self.stage is not Stage.CLOSED

    def _require_stage(self, command: str, *allowed: InspectionStage) -> None:
        if self.stage not in allowed:
            wanted = "、".join(s.label for s in allowed)
            raise InvalidTransition(
                f"{command}: 巡视当前阶段为「{self.stage.label}」,此操作仅在「{wanted}」阶段可用"
            )

    def _note(self, document_no: str) -> None:
        if document_no:
            self.documents.append(document_no)
