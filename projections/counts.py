"""The published counts per inspection, folded from the event log.

Count semantics (as the published reports count them):

* completed (已完成整改): verified, and still counted after it is struck off;
* ongoing (正在整改): everything else, so completed + ongoing = total;
  a send-back makes a completed finding ongoing again;
* long-term (需长期坚持): a separate flag that overlaps both;
* overdue (逾期): ongoing, not long-term, with a deadline before the day asked about.

``as_of`` is an effective (business) date: events that took effect after it
are left out, whenever they were recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.values import FindingStatus, beijing_date_of

COMPLETED = (FindingStatus.VERIFIED, FindingStatus.STRUCK_OFF)


@dataclass
class FindingCount:
    """The fields of one finding that the counts depend on."""

    inspection_id: UUID
    status: FindingStatus = FindingStatus.ONGOING
    long_term: bool = False
    deadline: date | None = None


@dataclass
class InspectionCounts:
    """Total / completed / ongoing / long-term / overdue for one inspection."""

    inspection_id: UUID
    title: str
    inspected_body: str
    total: int = 0
    completed: int = 0
    ongoing: int = 0
    long_term: int = 0
    overdue: int = 0
    claimed: int = 0
    struck_off: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "inspection_id": str(self.inspection_id)}


@dataclass
class CountsFold:
    """Applies finding and inspection events, in log order, to count state."""

    as_of: date
    inspections: dict[UUID, tuple[str, str]] = field(default_factory=dict)
    findings: dict[UUID, FindingCount] = field(default_factory=dict)

    def apply(self, event: Any) -> None:
        if beijing_date_of(event.envelope.effective_at) > self.as_of:
            return
        if isinstance(event, Inspection.Opened):
            self.inspections[event.originator_id] = (event.title, event.inspected_body)
        elif isinstance(event, Finding.Recorded):
            self.findings[event.originator_id] = FindingCount(
                event.inspection_id, long_term=event.long_term, deadline=event.deadline
            )
        elif (row := self.findings.get(event.originator_id)) is not None:
            _apply_to_finding(row, event)

    def results(self) -> list[InspectionCounts]:
        counts = {
            i: InspectionCounts(i, title, body) for i, (title, body) in self.inspections.items()
        }
        for row in self.findings.values():
            if row.inspection_id in counts:
                _tally(counts[row.inspection_id], row, self.as_of)
        return list(counts.values())


def _apply_to_finding(row: FindingCount, event: Any) -> None:
    if isinstance(event, Finding.DeadlineSet):
        row.deadline = event.deadline
    elif isinstance(event, Finding.DeadlineExtended):
        row.deadline = event.new_deadline
    elif isinstance(event, Finding.LongTermMarked):
        row.long_term = event.long_term
    elif isinstance(event, Finding.CompletionClaimed):
        row.status = FindingStatus.CLAIMED
    elif isinstance(event, Finding.CompletionVerified):
        row.status = FindingStatus.VERIFIED
    elif isinstance(event, Finding.SentBack):
        row.status = FindingStatus.ONGOING
    elif isinstance(event, Finding.StruckOff):
        row.status = FindingStatus.STRUCK_OFF


def _tally(counts: InspectionCounts, row: FindingCount, as_of: date) -> None:
    counts.total += 1
    done = row.status in COMPLETED
    counts.completed += done
    counts.ongoing += not done
    counts.long_term += row.long_term
    counts.claimed += row.status is FindingStatus.CLAIMED
    counts.struck_off += row.status is FindingStatus.STRUCK_OFF
    late = row.deadline is not None and row.deadline < as_of
    counts.overdue += (not done) and (not row.long_term) and late


TOPICS = [
    get_topic(cls)
    for cls in (
        Inspection.Opened,
        Finding.Recorded,
        Finding.DeadlineSet,
        Finding.DeadlineExtended,
        Finding.LongTermMarked,
        Finding.CompletionClaimed,
        Finding.CompletionVerified,
        Finding.SentBack,
        Finding.StruckOff,
    )
]


def counts(app: Any, as_of: date) -> list[InspectionCounts]:
    """Counts per inspection as of an effective date, from the application's log."""
    fold = CountsFold(as_of)
    for event in read_events(app, TOPICS):
        fold.apply(event)
    return fold.results()


def read_events(app: Any, topics: Iterable[str] = (), page: int = 1000) -> Iterator[Any]:
    """Decoded events in log order, optionally only of the given topics."""
    start = 1
    topics = list(topics)
    while True:
        batch = app.recorder.select_notifications(start=start, limit=page, topics=topics)
        for notification in batch:
            yield app.mapper.to_domain_event(notification)
        if len(batch) < page:
            return
        start = batch[-1].id + 1
