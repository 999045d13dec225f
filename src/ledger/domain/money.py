"""The vocabulary of fund movements: account kinds, movement kinds, legs and links."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from ledger.domain.values import Frozen, LabelledEnum


class AccountKind(LabelledEnum):
    """What an account of a fund holds."""

    SOURCE = "source", "资金来源"
    HOLDER = "holder", "资金存放单位"
    PROJECT = "project", "项目"
    BENEFICIARIES = "beneficiaries", "受益群众"
    MISAPPROPRIATED = "misappropriated", "被违规使用资金"
    RECOVERED = "recovered", "已追缴资金"


class MovementKind(LabelledEnum):
    """What a movement is."""

    ALLOCATION = "allocation", "下达"
    DISBURSEMENT = "disbursement", "拨付"
    MISAPPROPRIATION = "misappropriation", "发现违规使用"
    RECOVERY = "recovery", "追缴"
    REFUND = "refund", "退还群众"


class Manner(LabelledEnum):
    """How money was misused."""

    FRAUD = "fraud", "套取"
    DIVERSION = "diversion", "挪用"
    EMBEZZLEMENT = "embezzlement", "贪污"
    WITHHOLDING = "withholding", "截留"


class Leg(Frozen):
    """One side of a movement: an account, its kind, and an amount in yuan (two decimals, > 0).

    The kind is recorded with the leg so that readers of the event know where
    the money was without looking the account up.
    """

    account_id: UUID
    account_kind: AccountKind
    amount: Decimal


class Links(Frozen):
    """Whom and what a movement concerns: the unit, the person, the case, the finding."""

    unit_id: UUID | None = None
    person_id: UUID | None = None
    case_id: UUID | None = None
    finding_id: UUID | None = None


A = AccountKind
# Which kinds of account each kind of movement may take money out of, and put it into.
FLOWS: dict[MovementKind, tuple[frozenset[AccountKind], frozenset[AccountKind]]] = {
    MovementKind.ALLOCATION: (frozenset({A.SOURCE, A.HOLDER}), frozenset({A.HOLDER})),
    MovementKind.DISBURSEMENT: (frozenset({A.HOLDER}), frozenset({A.PROJECT, A.BENEFICIARIES})),
    MovementKind.MISAPPROPRIATION: (
        frozenset({A.HOLDER, A.PROJECT, A.BENEFICIARIES}),
        frozenset({A.MISAPPROPRIATED}),
    ),
    MovementKind.RECOVERY: (frozenset({A.MISAPPROPRIATED}), frozenset({A.RECOVERED})),
    MovementKind.REFUND: (frozenset({A.RECOVERED}), frozenset({A.BENEFICIARIES})),
}
