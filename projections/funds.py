"""Funds (资金): each fund's totals, each account's balance, every movement and its legs.

Amounts are kept as integers of fen (分), so sums are exact on every
engine. Current figures are kept as running totals (``rm_funds``,
``rm_fund_accounts``); as-of figures are summed from the legs, which carry
the effective date and recording time of their movement.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, String, Table, Text

from ledger.domain.fund import Fund

from .base import Handler, Projection
from .records import Record
from .store import Store

ID = String(36)
# The running total of rm_funds each kind of movement adds to.
TOTALS = {
    "allocation": "allocated_fen",
    "disbursement": "disbursed_fen",
    "misappropriation": "misappropriated_fen",
    "recovery": "recovered_fen",
    "refund": "refunded_fen",
}


def fen(amount: str) -> int:
    """Yuan as written in an event ("632.29") to integer fen."""
    return int(Decimal(amount) * 100)


class Funds(Projection):
    """rm_funds, rm_fund_accounts, rm_fund_movements and rm_fund_legs."""

    name = "funds"
    title = "资金"

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        return [
            _funds(metadata, suffix),
            _accounts(metadata, suffix),
            _movements(metadata, suffix),
            _legs(metadata, suffix),
        ]

    def handles(self) -> dict[type[Any], Handler]:
        return {Fund.Opened: self.opened, Fund.AccountOpened: self.account, Fund.Moved: self.moved}

    def opened(self, r: Record, store: Store) -> None:
        s = r.state
        row = {"fund_id": r.originator_id, "name": s["name"], "year": s["year"]}
        times = {"unit_id": s["unit_id"], "effective": r.effective, "recorded_us": r.recorded_us}
        store.insert(self.tables[0], {**row, **times, **dict.fromkeys(TOTALS.values(), 0)})

    def account(self, r: Record, store: Store) -> None:
        s = r.state
        store.insert(
            self.tables[1],
            {
                "account_id": s["account_id"],
                "fund_id": r.originator_id,
                "kind": s["kind"],
                "name": s["name"],
                "unit_id": s["unit_id"],
                "balance_fen": 0,
                "inflow_fen": 0,
                "outflow_fen": 0,
                "legs": 0,
            },
        )

    def moved(self, r: Record, store: Store) -> None:
        s = r.state
        amount = sum(fen(leg["amount"]) for leg in s["outflows"])
        self._movement(r, amount, store)
        for sign, side in ((-1, "outflows"), (1, "inflows")):
            for leg in s[side]:
                self._leg(r, leg, sign * fen(leg["amount"]), store)
        counted = amount
        if s["kind"] == "allocation":  # only money entering from the source is "allocated"
            counted = sum(fen(x["amount"]) for x in s["outflows"] if x["account_kind"] == "source")
        fund = {"fund_id": r.originator_id}
        store.add(self.tables[0], fund, TOTALS[s["kind"]], counted)

    def _movement(self, r: Record, amount: int, store: Store) -> None:
        s, links, envelope = r.state, r.state["links"], r.state["envelope"]
        store.insert(
            self.tables[2],
            {
                "movement_id": s["movement_id"],
                "fund_id": r.originator_id,
                "kind": s["kind"],
                "manner": s["manner"],
                "amount_fen": amount,
                "unit_id": links["unit_id"],
                "person_id": links["person_id"],
                "case_id": links["case_id"],
                "finding_id": links["finding_id"],
                "description": s["description"],
                "basis": envelope["basis"],
                "actor": envelope["actor"]["name"],
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "position": r.position,
            },
        )

    def _leg(self, r: Record, leg: dict[str, Any], signed: int, store: Store) -> None:
        account = leg["account_id"]
        store.insert(
            self.tables[3],
            {
                "movement_id": r.state["movement_id"],
                "account_id": account,
                "fund_id": r.originator_id,
                "kind": r.state["kind"],
                "amount_fen": signed,
                "effective": r.effective,
                "recorded_us": r.recorded_us,
                "position": r.position,
            },
        )
        key = {"account_id": account}
        store.add(self.tables[1], key, "balance_fen", signed)
        store.add(self.tables[1], key, "inflow_fen" if signed > 0 else "outflow_fen", abs(signed))
        store.add(self.tables[1], key, "legs", 1)


def _funds(metadata: MetaData, suffix: str) -> Table:
    return Table(
        f"rm_funds{suffix}",
        metadata,
        Column("fund_id", ID, primary_key=True),
        Column("name", String(200), nullable=False),
        Column("year", Integer, nullable=False),
        Column("unit_id", ID, nullable=False),
        Column("effective", Date, nullable=False),
        Column("recorded_us", BigInteger, nullable=False),
        *(Column(name, BigInteger, nullable=False) for name in TOTALS.values()),
    )


def _accounts(metadata: MetaData, suffix: str) -> Table:
    t = f"rm_fund_accounts{suffix}"
    return Table(
        t,
        metadata,
        Column("account_id", ID, primary_key=True),
        Column("fund_id", ID, nullable=False),
        Column("kind", String(20), nullable=False),
        Column("name", String(200), nullable=False),
        Column("unit_id", ID),
        Column("balance_fen", BigInteger, nullable=False),
        Column("inflow_fen", BigInteger, nullable=False),
        Column("outflow_fen", BigInteger, nullable=False),
        Column("legs", BigInteger, nullable=False),
        Index(f"ix_{t}_fund", "fund_id"),
    )


def _movements(metadata: MetaData, suffix: str) -> Table:
    t = f"rm_fund_movements{suffix}"
    return Table(
        t,
        metadata,
        Column("movement_id", ID, primary_key=True),
        Column("fund_id", ID, nullable=False),
        Column("kind", String(20), nullable=False),
        Column("manner", String(20)),
        Column("amount_fen", BigInteger, nullable=False),
        Column("unit_id", ID),
        Column("person_id", ID),
        Column("case_id", ID),
        Column("finding_id", ID),
        Column("description", Text, nullable=False),
        Column("basis", String(200), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("effective", Date, nullable=False),
        Column("recorded_us", BigInteger, nullable=False),
        Column("position", BigInteger, nullable=False),
        Index(f"ix_{t}_fund", "fund_id", "position"),
        Index(f"ix_{t}_kind_unit", "kind", "unit_id"),
        Index(f"ix_{t}_case", "case_id", "kind"),
        Index(f"ix_{t}_position", "position"),
    )


def _legs(metadata: MetaData, suffix: str) -> Table:
    t = f"rm_fund_legs{suffix}"
    return Table(
        t,
        metadata,
        Column("movement_id", ID, primary_key=True),
        Column("account_id", ID, primary_key=True),
        Column("fund_id", ID, nullable=False),
        Column("kind", String(20), nullable=False),
        Column("amount_fen", BigInteger, nullable=False),
        Column("effective", Date, nullable=False),
        Column("recorded_us", BigInteger, nullable=False),
        Column("position", BigInteger, nullable=False),
        Index(f"ix_{t}_account", "account_id", "effective"),
        Index(f"ix_{t}_fund", "fund_id", "effective"),
    )
