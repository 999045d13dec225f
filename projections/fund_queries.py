"""Fund questions: balances, disbursement rate (拨付率), idle funds (滞留闲置), the amounts
involved, recovered and refunded per unit and per case, and the movements behind any total.

Now, the running totals answer; as of a moment, the legs are summed.
Amounts come back as Decimal yuan, exact to the fen.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, select
from sqlalchemy.sql import ColumnElement

from ledger.domain.money import MovementKind

from . import paging
from .funds import TOTALS
from .lists import Page
from .reading import QueryError, Reader, When, one_of

KINDS = [k.value for k in MovementKind]
GROUPS = {"unit": "unit_id", "case": "case_id", "person": "person_id", "fund": "fund_id"}
OUTCOMES = {"involved": "misappropriation", "recovered": "recovery", "refunded": "refund"}
MAX_DAYS = 36_500


def yuan(value: Any) -> Decimal:
    """Integer fen (or None) as Decimal yuan with two decimals."""
    return (Decimal(int(value or 0)) / 100).quantize(Decimal("0.01"))


class FundQueries(Reader):
    """Read-only questions on the fund read model."""

    def funds(self, fund_id: Any = None, when: When | None = None) -> list[dict[str, Any]]:
        """Each fund with what was allocated to it, disbursed, misused, recovered and refunded,
        and its disbursement rate (disbursed ÷ allocated)."""
        when = when or When.of()
        f = self.named["rm_funds"]
        query = select(f.c.fund_id, f.c.name, f.c.year, f.c.unit_id, *self._fund_totals(when))
        query = query.where(*when.by(f.c.effective, f.c.recorded_us)).order_by(f.c.recorded_us)
        if fund_id is not None:
            query = query.where(f.c.fund_id == str(fund_id))
        return [_fund(row._asdict()) for row in self.rows(query)]

    def balances(self, fund_id: Any, when: When | None = None) -> list[dict[str, Any]]:
        """Every account of a fund with its balance (source accounts show minus what entered)."""
        when = when or When.of()
        a = self.named["rm_fund_accounts"]
        if when.current:  # the most asked: one statement, built once
            query = self.prepared.get(("balances",))
            if query is None:
                query = self.prepared[("balances",)] = (
                    select(a.c.account_id, a.c.kind, a.c.name, a.c.unit_id, a.c.balance_fen)
                    .where(a.c.fund_id == bindparam("fund"))
                    .order_by(a.c.kind, a.c.name)
                )
            rows = self.rows(query, {"fund": str(fund_id)})
            return [_money(row._asdict(), "balance_fen", "balance") for row in rows]
        legs = self.named["rm_fund_legs"]
        known = and_(legs.c.account_id == a.c.account_id, *self._known(legs, when))
        summed = select(func.coalesce(func.sum(legs.c.amount_fen), 0)).where(known)
        balance = summed.scalar_subquery()
        query = select(a.c.account_id, a.c.kind, a.c.name, a.c.unit_id, balance.label("fen"))
        query = query.where(a.c.fund_id == str(fund_id)).order_by(a.c.kind, a.c.name)
        return [_money(row._asdict(), "fen", "balance") for row in self.rows(query)]

    def idle(
        self, days: int = 90, fund_id: Any = None, when: When | None = None
    ) -> list[dict[str, Any]]:
        """Money at a holder for more than ``days`` days on the day asked about, first in first
        out: the balance less what arrived in the last ``days`` days (滞留闲置)."""
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise QueryError(f"days 须为 1–{MAX_DAYS} 的整数", "days")
        when = when or When.of()
        a, legs = self.named["rm_fund_accounts"], self.named["rm_fund_legs"]
        # Days before the first day there are none: near 0001-01-01 every arrival is recent.
        since = when.as_of - min(timedelta(days=days), when.as_of - date.min)
        recent = case((and_(legs.c.amount_fen > 0, legs.c.effective > since), legs.c.amount_fen))
        query = (
            select(
                a.c.account_id,
                a.c.fund_id,
                a.c.name,
                a.c.unit_id,
                func.sum(legs.c.amount_fen).label("balance"),
                func.coalesce(func.sum(recent), 0).label("recent"),
            )
            .join(legs, legs.c.account_id == a.c.account_id)
            .where(a.c.kind == "holder", *self._known(legs, when, always=True))
            .group_by(a.c.account_id, a.c.fund_id, a.c.name, a.c.unit_id)
        )
        if fund_id is not None:
            query = query.where(a.c.fund_id == str(fund_id))
        found = [_idle(row._asdict(), days) for row in self.rows(query)]
        return sorted((x for x in found if x["idle"] > 0), key=lambda x: -x["idle"])

    def fund_totals(
        self, by: str, fund_id: Any = None, when: When | None = None
    ) -> list[dict[str, Any]]:
        """Amounts involved in misuse, recovered and refunded, grouped by unit, case, person
        or fund, each with how many movements are behind it."""
        one_of("by", by, GROUPS, "分组方式")
        when = when or When.of()
        m = self.named["rm_fund_movements"]
        key = m.c[GROUPS[by]]
        sums = [
            func.sum(case((m.c.kind == kind, m.c.amount_fen), else_=0)).label(name)
            for name, kind in OUTCOMES.items()
        ]
        query = (
            select(key.label("key"), *sums, func.count().label("movements"))
            .where(m.c.kind.in_(OUTCOMES.values()), *self._known(m, when))
            .group_by(key)
            .order_by(key)
        )
        if fund_id is not None:
            query = query.where(m.c.fund_id == str(fund_id))
        return [_totals(row._asdict()) for row in self.rows(query)]

    def movements(
        self,
        fund_id: Any = None,
        kind: str | None = None,
        unit_id: Any = None,
        case_id: Any = None,
        person_id: Any = None,
        account_id: Any = None,
        when: When | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> Page:
        """The movements behind a total, in log order, a page at a time; with ``account_id``,
        each movement's amount is its signed amount on that account."""
        when, size = when or When.of(), paging.limit_of(limit)
        query = self._movements(fund_id, kind, unit_id, case_id, person_id, account_id)
        m = self.named["rm_fund_movements"]
        query = query.where(m.c.position > paging.decode(after), *self._known(m, when))
        rows = self.rows(query.order_by(m.c.position).limit(size + 1))
        items = [_money(row._asdict(), "amount_fen", "amount") for row in rows[:size]]
        more = len(rows) > size
        return Page(items, paging.encode(items[-1]["position"]) if more else None)

    def movement_sum(
        self,
        fund_id: Any = None,
        kind: str | None = None,
        unit_id: Any = None,
        case_id: Any = None,
        person_id: Any = None,
        account_id: Any = None,
        when: When | None = None,
    ) -> tuple[int, Decimal]:
        """How many movements the same filters list in all, and their amounts summed
        (signed on the account, with ``account_id``): the total they explain."""
        when = when or When.of()
        query = self._movements(fund_id, kind, unit_id, case_id, person_id, account_id)
        listed = query.where(*self._known(self.named["rm_fund_movements"], when)).subquery()
        sums = select(func.count(), func.coalesce(func.sum(listed.c.amount_fen), 0))
        n, fen = self.rows(sums)[0]
        return int(n), yuan(fen)

    def _movements(
        self, fund_id: Any, kind: Any, unit_id: Any, case_id: Any, person_id: Any, account: Any
    ) -> Select[Any]:
        m = self.named["rm_fund_movements"]
        query = select(m)
        if account is not None:
            legs = self.named["rm_fund_legs"]
            columns = [c for c in m.c if c.name != "amount_fen"]
            query = select(*columns, legs.c.amount_fen).join(
                legs, legs.c.movement_id == m.c.movement_id
            )
            query = query.where(legs.c.account_id == str(account))
        if kind is not None:
            one_of("kind", kind, KINDS, "资金往来类型")
            query = query.where(m.c.kind == kind)
        filters = {"fund_id": fund_id, "unit_id": unit_id, "case_id": case_id}
        for column, value in {**filters, "person_id": person_id}.items():
            if value is not None:
                query = query.where(m.c[column] == str(value))
        return query

    def _fund_totals(self, when: When) -> list[Any]:
        f = self.named["rm_funds"]
        if when.current:
            return [f.c[column].label(column) for column in TOTALS.values()]
        m, legs = self.named["rm_fund_movements"], self.named["rm_fund_legs"]
        totals = []
        for kind, column in TOTALS.items():
            if kind == "allocation":  # what entered from the source: the source's outflows
                inner = select(func.coalesce(-func.sum(legs.c.amount_fen), 0)).where(
                    legs.c.fund_id == f.c.fund_id,
                    legs.c.kind == kind,
                    legs.c.amount_fen < 0,
                    legs.c.account_id.in_(self._sources()),
                    *self._known(legs, when),
                )
            else:
                inner = select(func.coalesce(func.sum(m.c.amount_fen), 0)).where(
                    m.c.fund_id == f.c.fund_id, m.c.kind == kind, *self._known(m, when)
                )
            totals.append(inner.scalar_subquery().label(column))
        return totals

    def _sources(self) -> Select[Any]:
        a = self.named["rm_fund_accounts"]
        return select(a.c.account_id).where(a.c.kind == "source")

    @staticmethod
    def _known(table: Any, when: When, always: bool = False) -> list[ColumnElement[bool]]:
        if always and when.current:
            return [table.c.effective <= when.as_of]
        return when.by(table.c.effective, table.c.recorded_us)


def _fund(item: dict[str, Any]) -> dict[str, Any]:
    allocated, disbursed = int(item["allocated_fen"] or 0), int(item["disbursed_fen"] or 0)
    for column in TOTALS.values():
        item[column.removesuffix("_fen")] = yuan(item.pop(column))
    rate = None if not allocated else (Decimal(disbursed) / allocated).quantize(Decimal("0.0001"))
    return {**item, "disbursement_rate": rate}


def _money(item: dict[str, Any], column: str, name: str) -> dict[str, Any]:
    item[name] = yuan(item.pop(column))
    return item


def _idle(item: dict[str, Any], days: int) -> dict[str, Any]:
    balance, recent = int(item.pop("balance") or 0), int(item.pop("recent") or 0)
    return {**item, "days": days, "balance": yuan(balance), "idle": yuan(max(balance - recent, 0))}


def _totals(item: dict[str, Any]) -> dict[str, Any]:
    for name in OUTCOMES:
        item[name] = yuan(item[name])
    return item
