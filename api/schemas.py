"""Request bodies (``XCreate`` and friends) and responses (``XPublic``) of the API.

Bodies check JSON types and forbid unknown fields; the domain checks
everything else (lengths, order of dates, transitions) and says why in
Chinese. Every command body carries the envelope fields of ``CommandBase``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ledger.domain.values import (
    EscalationLevel,
    InspectionKind,
    MeasureKind,
    Role,
    UnitLevel,
)


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class CommandBase(Body):
    """Why and when: the envelope every recorded event carries."""

    effective_at: str | None = Field(
        None,
        description="生效时间:日期 YYYY-MM-DD(北京时间零点)或带时区的 ISO 时间;默认为记录时刻",
        examples=["2018-06-10"],
    )
    reason: str = Field("", description="理由(延期、退回、更正时必填)")
    basis: str = Field("", description="依据(文件编号)")
    correlation_id: UUID | None = None
    expected_version: int | None = Field(
        None, description="期望的当前版本;不符则 409(也可用 If-Match 头,不符则 412)"
    )


# Inspections


class InspectionCreate(CommandBase):
    kind: InspectionKind
    title: str
    inspecting_body: str
    inspected_body: str
    on_site_start: date | None = None
    on_site_end: date | None = None


class OnSite(CommandBase):
    started_on: date


class Feedback(CommandBase):
    feedback_date: date
    document_no: str = ""


class PlanFiled(CommandBase):
    filed_on: date
    document_no: str = ""


class ProgressPublished(CommandBase):
    published_on: date
    document_no: str = ""


class Close(CommandBase):
    pass


# Findings


class FindingCreate(CommandBase):
    category: list[str] = Field(description="问题类别路径:[大类, 项]")
    number: str
    text: str
    sources: list[str] = []
    deadline: date | None = None
    long_term: bool = False


class Assignment(CommandBase):
    responsible_leader: str = ""
    lead_department: UUID | None = None
    units: list[UUID]


class DeadlineSet(CommandBase):
    deadline: date


class DeadlineExtension(CommandBase):
    new_deadline: date
    approver: str


class LongTerm(CommandBase):
    long_term: bool = True


class MeasureCreate(CommandBase):
    kind: MeasureKind
    text: str
    owner_unit: UUID
    deadline: date | None = None
    long_term: bool = False


class FigureIn(Body):
    name: str
    value: Decimal
    unit: str = ""
    of_total: Decimal | None = None


class EvidenceIn(Body):
    title: str
    document_no: str = ""
    sha256: str = ""
    location: str = ""


class ProgressCreate(CommandBase):
    narrative: str
    measure_id: UUID | None = None
    figures: list[FigureIn] = []
    evidence: list[EvidenceIn] = []


class Claim(CommandBase):
    summary: str


class Verification(CommandBase):
    opinion: str = ""


class SendBack(CommandBase):
    pass


class StrikeOff(CommandBase):
    pass


class LetterCreate(CommandBase):
    letter_no: str
    level: EscalationLevel
    addressed_to: UUID | None = None
    due_date: date | None = None


class LetterAnswer(CommandBase):
    letter_no: str
    answer: str


class CorrectionCreate(CommandBase):
    corrects_version: int
    changes: dict[str, Any]


# Units and people


class UnitCreate(CommandBase):
    name: str
    level: UnitLevel
    parent_id: UUID | None = None


class UnitRename(CommandBase):
    name: str


class Headcount(CommandBase):
    year: int
    headcount: int


class UnitPublic(BaseModel):
    """A unit of the registry as it is now."""

    unit_id: UUID
    name: str
    level: str
    parent_id: UUID | None
    headcount_year: int | None
    headcount: int | None


class PersonCreate(CommandBase):
    name: str


class PositionTaken(CommandBase):
    unit_id: UUID
    title: str
    rank: str = ""
    start: date


class PositionLeft(CommandBase):
    unit_id: UUID
    title: str
    end: date


# Responses


class ReceiptPublic(BaseModel):
    """What a command recorded: the record, its new version, the correlation id, a new part."""

    id: UUID
    version: int
    correlation_id: UUID
    item_id: UUID | None = None


class ActorPublic(BaseModel):
    id: str
    name: str
    role: Role
    unit: UUID | None = None


class FiguresPublic(BaseModel):
    total: int
    completed: int
    ongoing: int
    long_term: int
    overdue: int
    claimed: int
    struck_off: int
    sent_back: int


class CountsPublic(FiguresPublic):
    """The published counts of one inspection (completed + ongoing = total)."""

    inspection_id: UUID
    title: str
    inspected_body: str


class RollupPublic(FiguresPublic):
    """One group of a rollup; which key fields are set depends on ``by``."""

    category: str | None = None
    item: str | None = None
    unit_id: UUID | None = None
    name: str | None = None
    level: str | None = None
    label: str | None = None


class FindingItem(BaseModel):
    finding_id: UUID
    inspection_id: UUID
    category: str
    category_major: str
    category_item: str
    number: str
    text: str
    lead_department: UUID | None
    deadline: date | None
    long_term: bool
    status: str
    sent_back: int
    completed: bool
    overdue: bool
    days_overdue: int | None


class FindingPage(BaseModel):
    """A page of findings; pass ``next`` as ``after`` for the page after it; ``total``
    is how many findings match the filters in all."""

    items: list[FindingItem]
    next: str | None
    total: int


class MeasurePublic(BaseModel):
    version: int
    measure_id: UUID
    kind: str
    text: str
    owner_unit: UUID
    deadline: date | None
    long_term: bool
    reports: int


class FindingUnitPublic(BaseModel):
    unit_id: UUID
    name: str | None
    level: str | None
    lead: bool


class FindingDetail(FindingItem):
    """Every current field of a finding, its measures and its units."""

    sources: list[str]
    responsible_leader: str
    responsible_units: list[UUID]
    original_deadline: date | None
    extensions: int
    reports: int
    recorded_on: date
    claimed_on: date | None
    verified_on: date | None
    struck_off_on: date | None
    last_report_on: date | None
    version: int
    measures: list[MeasurePublic]
    units: list[FindingUnitPublic]


class ExtensionPublic(BaseModel):
    """One deadline extension: the deadline it replaced, the new one, who approved, why."""

    position: int
    finding_id: UUID
    inspection_id: UUID
    number: str
    original_deadline: date | None
    previous_deadline: date | None
    new_deadline: date
    approver: str
    actor: str
    reason: str
    basis: str
    effective: date
    recorded_at: datetime
    late: bool
    late_recorded: bool


class LetterPublic(BaseModel):
    """A supervision letter (督办函) and whether it was answered by then."""

    finding_id: UUID
    inspection_id: UUID
    number: str
    letter_no: str
    level: EscalationLevel
    level_label: str
    addressed_to: UUID | None
    issued_by: str
    issued_on: date
    due_date: date | None
    reason: str
    answer: str | None
    answered_on: date | None
    outstanding: bool
    past_due: bool


class LettersByLevel(BaseModel):
    staff: int
    deputy: int
    principal: int


class FieldChangePublic(BaseModel):
    field: str
    before: Any = None
    after: Any = None


class AuditEntryPublic(BaseModel):
    """One event of a record: who, when (both axes), why, on what basis, what it changed."""

    position: int | None = None
    record_id: UUID
    version: int
    kind: str
    actor_id: str
    actor_name: str
    actor_role: str
    actor_unit: UUID | None
    recorded_at: datetime
    effective_at: datetime
    reason: str
    basis: str
    correlation_id: UUID
    changes: list[FieldChangePublic]


class AuditPagePublic(BaseModel):
    """A page of changes; pass ``next`` as ``after`` for the page after it."""

    items: list[AuditEntryPublic]
    next: int | None


class StatePublic(BaseModel):
    """A record's fields at a point on both time axes (``state`` is null before it existed)."""

    record_id: UUID
    as_of: date | None
    known_at: datetime | None
    state: dict[str, Any] | None


class DifferencePublic(BaseModel):
    """What changed between two points, and the events that made the difference."""

    changes: list[FieldChangePublic]
    added: list[AuditEntryPublic]
    removed: list[AuditEntryPublic]


class ProvenancePublic(BaseModel):
    """A published figure and the findings behind it (each one's events: /audit/records/{id})."""

    inspection_id: UUID
    figure: str
    value: int
    findings: FindingPage


class ProblemPublic(BaseModel):
    """One thing wrong with an uploaded file: sheet, row, column and what, in Chinese."""

    sheet: str
    row: int
    column: str
    message: str


class ImportReportPublic(BaseModel):
    """What an import found and did; ``applied`` is true only if it was recorded."""

    sha256: str
    sheet: str
    rows: int
    findings: int
    created: int
    changed: int
    unchanged: int
    units_created: int
    events: int
    inspection_id: UUID | None
    dry_run: bool
    applied: bool
    problems: list[ProblemPublic]


class ImportRefusedPublic(BaseModel):
    """A refused upload: the error and, when the file was read, its report with every problem."""

    error: str
    detail: str
    field: str | None = None
    report: ImportReportPublic | None = None


class CheckpointPublic(BaseModel):
    """A signed checkpoint: tree size, RFC 9162 root (base64), the signed note and the key."""

    tree_size: int
    root: str
    note: str
    public_key: str


class PublicKeyPublic(BaseModel):
    public_key: str


class VerificationPublic(BaseModel):
    """The verdict of one verification of the whole log (``first_seq`` 0: a checkpoint's)."""

    id: int
    verified_at: datetime
    seconds: float
    tree_size: int
    events: int
    ok: bool
    first_seq: int | None
    message: str
    problems: int
    checkpoints: int
    actor: str


class IntegrityStatusPublic(BaseModel):
    """The latest signed checkpoint and the last recorded verification (null if none yet)."""

    checkpoint: CheckpointPublic
    last_verification: VerificationPublic | None


class InclusionPublic(BaseModel):
    """Inclusion proof of entry ``seq`` (leaf index ``seq - 1``) in the tree of ``tree_size``."""

    seq: int
    leaf_index: int
    tree_size: int
    leaf_hash: str
    proof: list[str]
    root: str


class ConsistencyPublic(BaseModel):
    """Consistency proof from the tree of ``old_size`` leaves to the tree of ``new_size``."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


class ProgressPointPublic(FiguresPublic):
    """The counts of an inspection as of ``day``."""

    day: date


class ProgressPublic(BaseModel):
    """An inspection's counts at each month end from its opening to the day asked about
    (the last point); each point equals ``/inspections/{id}?as_of=<day>`` at the same known_at."""

    inspection_id: UUID
    points: list[ProgressPointPublic]
