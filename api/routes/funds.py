"""Funds: commands for funds, accounts and movements; balances, 拨付率, 滞留闲置, totals per
unit, case and person, and the movements behind any of them."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from ledger.domain.money import MovementKind

from .. import discipline_schemas as d
from ..deps import ActorDep, ReadsDep, WhenDep, not_a_unit
from ..errors import RESPONSES
from .commanding import Command, add

router = APIRouter(tags=["funds 资金"], responses=RESPONSES)
FU = "fund_id"
COMMANDS = [
    Command(
        "/funds", "open_fund", d.FundCreate, None, "设立资金(自动设立来源、违规、追缴账户)", 201
    ),
    Command("/funds/{fund_id}/accounts", "open_account", d.AccountCreate, FU, "开设账户", 201),
    Command("/funds/{fund_id}/movements", "record_movement", d.MovementCreate, FU, "资金往来", 201),
]
for command in COMMANDS:
    add(router, command)


@router.get(
    "/funds", response_model=list[d.FundPublic], summary="各项资金:下达、拨付、拨付率、追缴、退还"
)
def funds(
    actor: ActorDep, reads: ReadsDep, when: WhenDep, fund_id: UUID | None = None
) -> list[d.FundPublic]:
    return [d.FundPublic.model_validate(f) for f in reads.funds(fund_id, when=when)]


@router.get("/funds/{fund_id}/balances", response_model=list[d.BalancePublic], summary="各账户余额")
def balances(
    fund_id: UUID, actor: ActorDep, reads: ReadsDep, when: WhenDep
) -> list[d.BalancePublic]:
    return [d.BalancePublic.model_validate(b) for b in reads.balances(fund_id, when=when)]


@router.get("/idle-funds", response_model=list[d.IdlePublic], summary="滞留闲置资金")
def idle(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    days: Annotated[int, Query(ge=1, le=36_500, description="超过多少天未拨付即为闲置")] = 90,
    fund_id: UUID | None = None,
) -> list[d.IdlePublic]:
    not_a_unit(actor, "滞留闲置资金")
    return [d.IdlePublic.model_validate(x) for x in reads.idle(days, fund_id, when=when)]


@router.get(
    "/fund-totals", response_model=list[d.FundTotal], summary="涉及、追缴、退还金额(按单位、案件等)"
)
def totals(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    by: Literal["unit", "case", "person", "fund"] = "unit",
    fund_id: UUID | None = None,
) -> list[d.FundTotal]:
    not_a_unit(actor, "资金汇总")
    return [d.FundTotal.model_validate(t) for t in reads.fund_totals(by, fund_id, when=when)]


@router.get(
    "/fund-movements", response_model=d.MovementPage, summary="资金往来明细(任何合计背后的每一笔)"
)
def movements(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    fund_id: UUID | None = None,
    kind: MovementKind | None = None,
    unit_id: UUID | None = None,
    case_id: UUID | None = None,
    person_id: UUID | None = None,
    account_id: UUID | None = None,
    after: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> d.MovementPage:
    not_a_unit(actor, "资金往来明细")
    filters = (fund_id, None if kind is None else kind.value, unit_id, case_id, person_id)
    page = reads.movements(*filters, account_id, when=when, after=after, limit=limit)
    total, amount = reads.movement_sum(*filters, account_id, when=when)
    return d.MovementPage(
        items=[d.MovementPublic.model_validate(x) for x in page.items],
        next=page.next,
        total=total,
        total_amount=amount,
    )
