"""Findings: every command from assignment to strike-off; lists and one finding in full."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from ledger.domain.errors import NotFound, PermissionDenied
from ledger.domain.values import Role

from .. import schemas as s
from ..deps import ActorDep, ReadsDep, WhenDep, own_unit
from ..errors import RESPONSES
from .commanding import Command, add

router = APIRouter(tags=["findings 问题"], responses=RESPONSES)
F = "finding_id"
P = "/findings/{finding_id}"
COMMANDS = [
    Command(f"{P}/assignment", "assign", s.Assignment, F, "交办:责任领导、牵头单位、责任单位"),
    Command(f"{P}/deadline", "set_deadline", s.DeadlineSet, F, "确定整改时限"),
    Command(f"{P}/deadline-extensions", "extend_deadline", s.DeadlineExtension, F, "延期"),
    Command(f"{P}/long-term", "mark_long_term", s.LongTerm, F, "标记/取消需长期坚持"),
    Command(f"{P}/measures", "add_measure", s.MeasureCreate, F, "增加整改措施", 201),
    Command(f"{P}/progress", "report_progress", s.ProgressCreate, F, "报告整改进展", 201),
    Command(f"{P}/claim", "claim_completion", s.Claim, F, "申报整改完成"),
    Command(f"{P}/verification", "verify", s.Verification, F, "验收"),
    Command(f"{P}/send-back", "send_back", s.SendBack, F, "退回重新整改"),
    Command(f"{P}/strike-off", "strike_off", s.StrikeOff, F, "销号"),
    Command(f"{P}/letters", "issue_letter", s.LetterCreate, F, "发督办函", 201),
    Command(f"{P}/letter-answers", "answer_letter", s.LetterAnswer, F, "答复督办函"),
    Command(f"{P}/corrections", "correct", s.CorrectionCreate, F, "更正一条事件", 201),
]
for command in COMMANDS:
    add(router, command)

Status = Literal["ongoing", "claimed", "verified", "struck_off", "completed"]
Limit = Annotated[int, Query(ge=1, le=1000, description="每页条数")]
After = Annotated[str | None, Query(max_length=200, description="上一页返回的 next")]


@router.get("/findings", response_model=s.FindingPage, summary="问题清单(可筛选、分页)")
def findings(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    inspection_id: UUID | None = None,
    unit_id: UUID | None = None,
    category: Annotated[str | None, Query(max_length=400, description="大类 或 大类 > 项")] = None,
    status: Status | None = None,
    long_term: bool | None = None,
    overdue: bool | None = None,
    after: After = None,
    limit: Limit = 50,
) -> s.FindingPage:
    page = reads.findings(
        inspection_id,
        own_unit(actor, unit_id),
        category,
        status,
        long_term,
        overdue,
        when=when,
        after=after,
        limit=limit,
        total=True,
    )
    return s.FindingPage.model_validate(page, from_attributes=True)


@router.get("/overdue", response_model=s.FindingPage, summary="逾期问题清单(按所问日期判断)")
def overdue(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    inspection_id: UUID | None = None,
    unit_id: UUID | None = None,
    after: After = None,
    limit: Limit = 50,
) -> s.FindingPage:
    page = reads.overdue(
        inspection_id, own_unit(actor, unit_id), when=when, after=after, limit=limit, total=True
    )
    return s.FindingPage.model_validate(page, from_attributes=True)


@router.get(P, response_model=s.FindingDetail, summary="一个问题的全部字段、措施和单位")
def finding(
    finding_id: UUID, actor: ActorDep, reads: ReadsDep, when: WhenDep, response: Response
) -> s.FindingDetail:
    found = reads.finding(finding_id, when=when)
    if found is None:
        raise NotFound("该问题不存在(或在所问时点尚未登记)", field="finding_id")
    if actor.role is Role.RESPONSIBLE_UNIT and not _concerns(found, actor.unit):
        raise PermissionDenied("该问题未交办给本单位", field="finding_id")
    response.headers["ETag"] = f'"{found["version"]}"'
    return s.FindingDetail.model_validate(found)


def _concerns(found: dict[str, object], unit: UUID | None) -> bool:
    mine = str(unit)
    units = found["units"]
    measures = found["measures"]
    assert isinstance(units, list) and isinstance(measures, list)
    return any(u["unit_id"] == mine for u in units) or any(
        m["owner_unit"] == mine for m in measures
    )
