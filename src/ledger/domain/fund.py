"""Funds as double entry (资金): money moves between the accounts of one fund, never appears.

A fund (e.g. 2018年财政专项扶贫资金 of one county) has accounts of five
kinds besides its source: funds at a holder (资金存放单位), projects,
beneficiaries, misappropriated and recovered. Every movement takes money out
of some accounts and puts the same amount into others.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from ledger.domain import rules
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.errors import InvalidInput, InvalidTransition, NotFound
from ledger.domain.money import (
    FLOWS,
    AccountKind,
    Leg,
    Links,
    Manner,
    MovementKind,
)

STANDARD = [
    (AccountKind.SOURCE, "资金来源(上级下达)"),
    (AccountKind.MISAPPROPRIATED, "被套取/挪用/贪污/截留资金"),
    (AccountKind.RECOVERED, "已追缴资金"),
]


class Fund(Aggregate):
    """A fund and its accounts; each account's balance in yuan, exact to the fen."""

    class Opened(Aggregate.Created):
        """A fund was opened: name, year, the unit that manages it."""

        name: str
        year: int
        unit_id: UUID

    class AccountOpened(Aggregate.Event):
        """An account of the fund was opened (a holder, a project, beneficiaries …)."""

        account_id: UUID
        kind: AccountKind
        name: str
        unit_id: UUID | None

    class Moved(Aggregate.Event):
        """Money moved: out of the ``outflows`` accounts, into the ``inflows`` ones, equal sums."""

        movement_id: UUID
        kind: MovementKind
        manner: Manner | None
        outflows: list[Leg]
        inflows: list[Leg]
        links: Links
        description: str

    @event(Opened)
    def __init__(self, envelope: Envelope, name: str, year: int, unit_id: UUID) -> None:
        self.name = name
        self.year = year
        self.unit_id = unit_id
        self.accounts: dict[UUID, AccountKind] = {}
        self.balances: dict[UUID, Decimal] = {}
        self.names: set[str] = set()

    @classmethod
    def open(cls, envelope: Envelope, *, name: Any, year: Any, unit_id: UUID) -> Fund:
        """Open a fund with its source, misappropriated and recovered accounts."""
        fund = cls(
            envelope=envelope,
            name=rules.text("name", name),
            year=rules.year("year", year),
            unit_id=unit_id,
        )
        for kind, label in STANDARD:
            fund._account_opened(envelope, uuid4(), kind, label, None)
        return fund

    def open_account(
        self, envelope: Envelope, *, kind: Any, name: Any, unit_id: UUID | None = None
    ) -> UUID:
        """Open a holder, project or beneficiaries account; returns its id."""
        k = rules.enum("kind", AccountKind, kind)
        if k in (AccountKind.SOURCE, AccountKind.MISAPPROPRIATED, AccountKind.RECOVERED):
            raise InvalidInput(f"「{k.label}」账户随资金自动设立,不能另开", field="kind")
        label = rules.text("name", name)
        if label in self.names:
            raise InvalidTransition(f"已有名为「{label}」的账户", field="name")
        if k is AccountKind.HOLDER and unit_id is None:
            raise InvalidInput("资金存放账户须指明单位", field="unit_id")
        account = uuid4()
        self._account_opened(envelope, account, k, label, unit_id)
        return account

    @event(AccountOpened)
    def _account_opened(
        self,
        envelope: Envelope,
        account_id: UUID,
        kind: AccountKind,
        name: str,
        unit_id: UUID | None,
    ) -> None:
        self.accounts[account_id] = kind
        self.balances[account_id] = Decimal("0.00")
        self.names.add(name)

    def account(self, kind: AccountKind) -> UUID:
        """The fund's one account of a standard kind (source, misappropriated, recovered)."""
        return next(a for a, k in self.accounts.items() if k is kind)

    def move(
        self,
        envelope: Envelope,
        *,
        kind: Any,
        outflows: Any,
        inflows: Any,
        manner: Any = None,
        links: Links,
        description: Any = "",
    ) -> UUID:
        """Record a movement: balanced, between the right kinds of account, never
        taking an account below zero unless it records a finding of misuse."""
        k = rules.enum("kind", MovementKind, kind)
        out, into = self._legs("outflows", outflows), self._legs("inflows", inflows)
        _no_overlap(out, into)
        _balanced(out, into)
        self._check_flow(k, out, into)
        self._check_balances(k, out)
        way = self._manner(k, manner, links)
        text = rules.text("description", description, max_len=rules.MAX_TEXT, optional=True)
        movement = uuid4()
        self._moved(envelope, movement, k, way, out, into, links, text)
        return movement

    @event(Moved)
    def _moved(
        self,
        envelope: Envelope,
        movement_id: UUID,
        kind: MovementKind,
        manner: Manner | None,
        outflows: list[Leg],
        inflows: list[Leg],
        links: Links,
        description: str,
    ) -> None:
        for leg in outflows:
            self.balances[leg.account_id] -= leg.amount
        for leg in inflows:
            self.balances[leg.account_id] += leg.amount

    # --- the rules of a movement ------------------------------------------------------

    def _legs(self, field: str, values: Any) -> list[Leg]:
        if isinstance(values, str | bytes | dict) or not isinstance(values, list | tuple):
            raise InvalidInput("须为账户与金额的列表", field=field)
        if not 1 <= len(values) <= rules.MAX_ITEMS:
            raise InvalidInput(f"须有 1–{rules.MAX_ITEMS} 项", field=field)
        return [self._leg(f"{field}[{i}]", v) for i, v in enumerate(values)]

    def _leg(self, field: str, value: Any) -> Leg:
        if not isinstance(value, dict) or set(value) != {"account_id", "amount"}:
            raise InvalidInput("每项须且仅须有 account_id 与 amount", field=field)
        account = rules.uuid(f"{field}.account_id", value["account_id"])
        if account not in self.accounts:
            raise NotFound(f"该资金下没有账户 {account}", field=f"{field}.account_id")
        money = rules.amount(f"{field}.amount", value["amount"])
        return Leg(account_id=account, account_kind=self.accounts[account], amount=money)

    def _check_flow(self, kind: MovementKind, out: list[Leg], into: list[Leg]) -> None:
        sources, targets = FLOWS[kind]
        for field, legs, allowed in (("outflows", out, sources), ("inflows", into, targets)):
            for i, leg in enumerate(legs):
                have = leg.account_kind
                if have not in allowed:
                    wanted = "、".join(a.label for a in allowed)
                    raise InvalidInput(
                        f"{kind.label}不能涉及「{have.label}」账户;只能是:{wanted}",
                        field=f"{field}[{i}].account_id",
                    )

    def _check_balances(self, kind: MovementKind, out: list[Leg]) -> None:
        if kind is MovementKind.MISAPPROPRIATION:
            return  # a finding of misuse may show money that was never properly there
        for i, leg in enumerate(out):
            have = self.balances[leg.account_id]
            if leg.account_kind is AccountKind.SOURCE or have >= leg.amount:
                continue
            what = "已追缴余额" if kind is MovementKind.REFUND else "账户余额"
            raise InvalidInput(
                f"{kind.label}金额 {leg.amount} 元超过{what} {have} 元",
                field=f"outflows[{i}].amount",
            )

    @staticmethod
    def _manner(kind: MovementKind, manner: Any, links: Links) -> Manner | None:
        if kind is not MovementKind.MISAPPROPRIATION:
            if manner is not None:
                raise InvalidInput("只有发现违规使用时才给出方式", field="manner")
            return None
        if links.unit_id is None:
            raise InvalidInput("违规使用须指明发生单位", field="unit_id")
        if links.person_id is None and links.case_id is None:
            raise InvalidInput("违规使用须关联责任人或案件", field="person_id")
        return rules.enum("manner", Manner, manner)


def _no_overlap(out: list[Leg], into: list[Leg]) -> None:
    seen: set[UUID] = set()
    for leg in [*out, *into]:
        if leg.account_id in seen:
            raise InvalidInput(f"账户 {leg.account_id} 在一笔资金往来中出现多次", field="inflows")
        seen.add(leg.account_id)


def _balanced(out: list[Leg], into: list[Leg]) -> None:
    taken, given = sum(leg.amount for leg in out), sum(leg.amount for leg in into)
    if taken != given:
        raise InvalidInput(f"借贷不平:转出合计 {taken} 元,转入合计 {given} 元", field="inflows")
