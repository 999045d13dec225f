"""Problem clues and petitions: commands, counts, lists, one clue with what it led to,
and an organ's transfer register."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from ledger.domain.clue import ClueKind, Disposition
from ledger.domain.errors import NotFound

from .. import discipline_schemas as d
from ..deps import ActorDep, ReadsDep, WhenDep, not_a_unit
from ..errors import RESPONSES
from .commanding import Command, add

router = APIRouter(tags=["clues 问题线索与信访件"], responses=RESPONSES)
CL = "clue_id"
P = "/clues/{clue_id}"
COMMANDS = [
    Command("/clues", "receive_clue", d.ClueCreate, None, "受理问题线索或信访件", 201),
    Command(f"{P}/assignment", "assign_clue", d.ClueAssignment, CL, "交办"),
    Command(f"{P}/urgings", "urge_clue", d.ClueUrging, CL, "催办"),
    Command(f"{P}/supervision", "supervise_clue", d.ClueSupervision, CL, "督办"),
    Command(f"{P}/transfers", "transfer_clue", d.ClueTransfer, CL, "移交其他机关"),
    Command(f"{P}/conclusion", "conclude_clue", d.ClueConclusion, CL, "办结"),
]
for command in COMMANDS:
    add(router, command)

Kind = Annotated[ClueKind | None, Query(description="clue 问题线索 / petition 信访件")]


def _kind(kind: ClueKind | None) -> str | None:
    return None if kind is None else kind.value


@router.get("/clue-counts", response_model=d.ClueCounts, summary="受理、办结、逾期及处置方式")
def clue_counts(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    kind: Kind = None,
    unit_id: UUID | None = None,
    organ: Annotated[str | None, Query(max_length=200)] = None,
) -> d.ClueCounts:
    return d.ClueCounts.model_validate(reads.clue_counts(_kind(kind), unit_id, organ, when=when))


@router.get("/clue-rollups", response_model=list[d.ClueGroup], summary="按单位、处置方式等汇总")
def clue_rollups(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    by: Literal["unit", "disposition", "kind", "organ"] = "unit",
    kind: Kind = None,
) -> list[d.ClueGroup]:
    not_a_unit(actor, "跨单位汇总")
    return [d.ClueGroup.model_validate(g) for g in reads.clue_rollup(by, _kind(kind), when=when)]


@router.get("/clues", response_model=d.CluePage, summary="问题线索与信访件清单")
def clues(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    kind: Kind = None,
    unit_id: UUID | None = None,
    overdue: bool | None = None,
    status: Annotated[
        Literal["received", "assigned", "concluded", "open"] | None,
        Query(description="所问时点的办理状态;open 为未办结"),
    ] = None,
    disposition: Disposition | None = None,
    after: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> d.CluePage:
    not_a_unit(actor, "问题线索清单")
    page = reads.clues(
        _kind(kind),
        unit_id,
        overdue,
        when=when,
        after=after,
        limit=limit,
        total=True,
        status=status,
        disposition=None if disposition is None else disposition.value,
    )
    items = [d.ClueItem.model_validate(x) for x in page.items]
    return d.CluePage(items=items, next=page.next, total=page.total or 0)


@router.get(P, response_model=d.ClueDetail, summary="一件线索:移交记录及由此立案、问责")
def clue(clue_id: UUID, actor: ActorDep, reads: ReadsDep, when: WhenDep) -> d.ClueDetail:
    not_a_unit(actor, "问题线索")
    found = reads.clue(clue_id, when=when)
    if found is None:
        raise NotFound("该件不存在(或在所问时点尚未受理)", field="clue_id")
    return d.ClueDetail.model_validate(found)


@router.get(
    "/clue-transfers", response_model=list[d.TransferPublic], summary="某机关的移交登记(移入与移出)"
)
def transfers(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    organ: Annotated[str, Query(min_length=1, max_length=200)],
) -> list[d.TransferPublic]:
    not_a_unit(actor, "移交登记")
    return [d.TransferPublic.model_validate(t) for t in reads.transfers(organ, when=when)]
