"""Request bodies and responses for accountability, cases, clues and funds.

Kept apart from ``schemas`` (findings, inspections, units) so that each
module stays small; the conventions are the same: bodies forbid unknown
fields and carry the envelope of ``CommandBase``; amounts are decimal
strings of yuan with at most two decimals (never floats).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from ledger.domain.clue import ClueKind, Disposition
from ledger.domain.money import AccountKind, Manner, MovementKind
from ledger.domain.sanctions import ActionKind, AppealOutcome
from ledger.domain.values import EscalationLevel

from .schemas import Body, CommandBase

Money = Decimal | str

# Cases and accountability actions


class CaseCreate(CommandBase):
    case_no: str
    title: str
    unit_id: UUID
    opened_on: date
    clue_ids: list[UUID] = Field(default_factory=list)


class CaseClosure(CommandBase):
    closed_on: date
    conclusion: str


class ActionCreate(CommandBase):
    kind: ActionKind
    unit_id: UUID = Field(description="被问责人所在单位,或被问责的单位")
    person_id: UUID | None = Field(None, description="被问责人;为空则问责对象为单位")
    rank: str = ""
    proposing_organ: str
    deciding_organ: str
    implementing_organ: str
    proposed_on: date
    case_id: UUID | None = None
    findings: list[UUID] = Field(default_factory=list)
    clues: list[UUID] = Field(default_factory=list)
    cases: list[UUID] = Field(default_factory=list)
    description: str = ""


class ActionDecision(CommandBase):
    decided_on: date
    kind: ActionKind | None = None


class ActionCarriedOut(CommandBase):
    carried_out_on: date


class AppealCreate(CommandBase):
    outcome: AppealOutcome
    decided_on: date
    kind: ActionKind | None = Field(None, description="变更后的问责方式(仅变更时)")


class ActionFigures(BaseModel):
    """Counted actions, and the distinct persons, organisations and cases among them."""

    actions: int
    persons: int
    organisations: int
    cases: int


class ActionGroup(ActionFigures):
    key: str | None
    label: str


class ActionItem(BaseModel):
    """One action; ``subject_name`` is shown only to discipline staff and auditors."""

    action_id: UUID
    kind: str
    kind_label: str
    family: str
    family_label: str
    subject_type: str
    person_id: UUID | None
    subject_name: str | None
    unit_id: UUID
    rank: str
    case_id: UUID | None
    proposing_organ: str
    deciding_organ: str
    implementing_organ: str
    proposed_on: date
    decided_on: date | None
    carried_out_on: date | None
    year: int | None
    status: str
    counted: bool
    appeals: int
    position: int
    version: int


class ActionPage(BaseModel):
    """A page of actions; ``total``: how many match the filters in all."""

    items: list[ActionItem]
    next: str | None
    total: int


class HeldAccountable(BaseModel):
    person_id: UUID
    subject_name: str | None
    unit_id: UUID


class UnitConsequence(BaseModel):
    unit_id: UUID
    name: str
    persons: int
    headcount: int | None
    share: float | None
    flagged: bool


class ConsequencesPublic(BaseModel):
    """Who loses the year's excellence rating; which units reach 10% of their headcount."""

    year: int
    persons: list[HeldAccountable]
    units: list[UnitConsequence]


class CaseCounts(BaseModel):
    opened: int
    closed: int


class AccountabilitySummary(BaseModel):
    """The published figures in one answer: cases opened and closed; every counted action;
    组织处理 (family organisational); 党纪政务处分 (families party and government, each person
    once); and the counts by family and by kind."""

    cases: CaseCounts
    all: ActionFigures
    organisational: ActionFigures
    sanctioned: ActionFigures
    by_family: list[ActionGroup]
    by_kind: list[ActionGroup]


# Clues and petitions


class ClueCreate(CommandBase):
    kind: ClueKind
    number: str
    summary: str
    organ: str = Field(description="受理机关,如 永定区纪委监委")
    unit_id: UUID | None = None


class ClueAssignment(CommandBase):
    unit_id: UUID
    due_date: date


class ClueUrging(CommandBase):
    note: str = ""


class ClueSupervision(CommandBase):
    level: EscalationLevel


class ClueTransfer(CommandBase):
    to_organ: str


class ClueConclusion(CommandBase):
    disposition: Disposition | None = Field(description="处置方式(必填)")
    summary: str = ""


class ClueFigures(BaseModel):
    received: int
    assigned: int
    concluded: int
    open: int
    overdue: int


class ClueCounts(ClueFigures):
    by_disposition: dict[str, int]


class ClueGroup(ClueFigures):
    key: str | None


class ClueItem(BaseModel):
    clue_id: UUID
    kind: str
    number: str
    summary: str
    received_by: str
    organ: str
    unit_id: UUID | None
    due_date: date | None
    status: str
    disposition: str | None
    level: str | None
    urged: int
    effective: date
    concluded_on: date | None
    overdue: bool
    position: int


class CluePage(BaseModel):
    """A page of clues; ``total``: how many match the filters in all."""

    items: list[ClueItem]
    next: str | None
    total: int


class TransferPublic(BaseModel):
    clue_id: UUID
    position: int
    from_organ: str
    to_organ: str
    effective: date
    actor: str
    reason: str
    direction: str | None = None


class ClueDetail(ClueItem):
    transfers: list[TransferPublic]
    cases: list[UUID]
    actions: list[UUID]


# Funds


class FundCreate(CommandBase):
    name: str
    year: int
    unit_id: UUID


class AccountCreate(CommandBase):
    kind: AccountKind
    name: str
    unit_id: UUID | None = None


class LegIn(Body):
    account_id: UUID
    amount: Money = Field(description="元,最多两位小数,大于零", examples=["6322900.00"])


class MovementCreate(CommandBase):
    kind: MovementKind
    outflows: list[LegIn] = Field(description="转出的账户与金额")
    inflows: list[LegIn] = Field(description="转入的账户与金额;合计须与转出相等")
    manner: Manner | None = Field(None, description="违规使用的方式(仅发现违规使用时)")
    unit_id: UUID | None = None
    person_id: UUID | None = None
    case_id: UUID | None = None
    finding_id: UUID | None = None
    description: str = ""


class FundPublic(BaseModel):
    fund_id: UUID
    name: str
    year: int
    unit_id: UUID
    allocated: Decimal
    disbursed: Decimal
    misappropriated: Decimal
    recovered: Decimal
    refunded: Decimal
    disbursement_rate: Decimal | None


class BalancePublic(BaseModel):
    account_id: UUID
    kind: str
    name: str
    unit_id: UUID | None
    balance: Decimal


class IdlePublic(BaseModel):
    account_id: UUID
    fund_id: UUID
    name: str
    unit_id: UUID | None
    days: int
    balance: Decimal
    idle: Decimal


class FundTotal(BaseModel):
    key: str | None
    involved: Decimal
    recovered: Decimal
    refunded: Decimal
    movements: int


class MovementPublic(BaseModel):
    movement_id: UUID
    fund_id: UUID
    kind: str
    manner: str | None
    amount: Decimal
    unit_id: UUID | None
    person_id: UUID | None
    case_id: UUID | None
    finding_id: UUID | None
    description: str
    basis: str
    actor: str
    effective: date
    position: int


class MovementPage(BaseModel):
    """A page of movements; ``total`` of them match the filters in all, and their amounts
    add up to ``total_amount`` (元, signed on the account when one is asked about)."""

    items: list[MovementPublic]
    next: str | None
    total: int
    total_amount: Decimal
