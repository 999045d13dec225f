"""Inspections: open one and move it through its stages; its counts and rollups."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import orjson
from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from ledger.domain.errors import NotFound

from .. import schemas as s
from ..deps import ActorDep, BeatDep, ReadsDep, WhenDep, not_a_unit
from ..errors import RESPONSES
from .commanding import Command, add

router = APIRouter(tags=["inspections 巡视"], responses=RESPONSES)
INS = "inspection_id"
COMMANDS = [
    Command("/inspections", "open_inspection", s.InspectionCreate, None, "立项", 201),
    Command("/inspections/{inspection_id}/on-site", "begin_on_site", s.OnSite, INS, "进驻"),
    Command("/inspections/{inspection_id}/feedback", "deliver_feedback", s.Feedback, INS, "反馈"),
    Command("/inspections/{inspection_id}/plan", "file_plan", s.PlanFiled, INS, "报送整改方案"),
    Command(
        "/inspections/{inspection_id}/progress-reports",
        "publish_progress",
        s.ProgressPublished,
        INS,
        "公布整改进展",
    ),
    Command("/inspections/{inspection_id}/close", "close_inspection", s.Close, INS, "结束整改"),
    Command(
        "/inspections/{inspection_id}/findings",
        "record_finding",
        s.FindingCreate,
        INS,
        "登记问题",
        201,
    ),
]


@router.get("/inspections", response_model=list[s.CountsPublic], summary="各巡视的整改统计")
def list_counts(actor: ActorDep, reads: ReadsDep, when: WhenDep) -> list[s.CountsPublic]:
    return [s.CountsPublic.model_validate(c.as_dict()) for c in reads.counts(when=when)]


@router.get(
    "/inspections/{inspection_id}", response_model=s.CountsPublic, summary="一次巡视的整改统计"
)
async def counts(
    inspection_id: UUID, actor: ActorDep, reads: ReadsDep, when: WhenDep, beat: BeatDep
) -> Response:
    # The most asked question: answered in place when kept at the position read
    # for this request (memo.py, pulse.py), else by a query in the thread pool, so
    # a slow query never holds up the event loop.
    found = reads.counts_kept(str(inspection_id), when, beat.position)
    if found is None:
        found = await run_in_threadpool(reads.counts, str(inspection_id), when)
    if not found:
        raise NotFound("该巡视不存在(或在所问时点尚未立项)", field="inspection_id")
    # The read model's dataclass has CountsPublic's fields in its order, and orjson
    # writes it byte for byte as the response model would (a test holds them
    # equal), without FastAPI validating again what was just counted.
    return Response(orjson.dumps(found[0]), media_type="application/json")


@router.get(
    "/inspections/{inspection_id}/rollups",
    response_model=list[s.RollupPublic],
    summary="按类别、项、责任单位或层级汇总",
)
def rollup(
    inspection_id: UUID,
    by: Annotated[Literal["category", "item", "unit", "level"], Query()],
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
) -> list[s.RollupPublic]:
    not_a_unit(actor, "跨单位汇总")
    rows = reads.rollup(by, str(inspection_id), when=when)
    return [s.RollupPublic.model_validate(row) for row in rows]


@router.get(
    "/inspections/{inspection_id}/progress",
    response_model=s.ProgressPublic,
    summary="整改进度随时间变化:自立项起每月末的统计(最后一点为所问日期)",
)
def progress(
    inspection_id: UUID, actor: ActorDep, reads: ReadsDep, when: WhenDep
) -> s.ProgressPublic:
    points = reads.progress(str(inspection_id), when=when)
    if not points:
        raise NotFound("该巡视不存在(或在所问时点尚未立项)", field="inspection_id")
    return s.ProgressPublic(
        inspection_id=inspection_id,
        points=[s.ProgressPointPublic.model_validate(p, from_attributes=True) for p in points],
    )


# The commands after the questions: a request is matched against the routes in
# order, and the questions are asked far more often.
for command in COMMANDS:
    add(router, command)
