"""Cases and accountability actions: commands, counts, the list of actions, the consequence rule.

Names of people under investigation are shown to discipline staff and
auditors only; every other role sees the counts and the lists without names.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from ledger.domain.errors import NotFound
from ledger.domain.sanctions import ActionFamily
from ledger.domain.values import Actor, Role

from .. import discipline_schemas as d
from ..deps import ActorDep, ReadsDep, WhenDep, not_a_unit
from ..errors import RESPONSES
from .commanding import Command, add

router = APIRouter(tags=["accountability 问责处分"], responses=RESPONSES)
A, CA = "action_id", "case_id"
COMMANDS = [
    Command("/cases", "open_case", d.CaseCreate, None, "立案", 201),
    Command("/cases/{case_id}/closure", "close_case", d.CaseClosure, CA, "结案"),
    Command("/actions", "propose_action", d.ActionCreate, None, "提出问责(处分)建议", 201),
    Command("/actions/{action_id}/decision", "decide_action", d.ActionDecision, A, "作出决定"),
    Command("/actions/{action_id}/execution", "carry_out_action", d.ActionCarriedOut, A, "执行"),
    Command("/actions/{action_id}/appeals", "appeal_action", d.AppealCreate, A, "申诉结果", 201),
]
for command in COMMANDS:
    add(router, command)

NAMED_ROLES = frozenset({Role.DISCIPLINE, Role.AUDITOR})
F = ActionFamily
Year = Annotated[int | None, Query(ge=1949, le=2100, description="决定年度")]
By = Literal["kind", "family", "unit", "rank", "year"]


def may_see_names(actor: Actor) -> bool:
    """Names of people under investigation: discipline staff and auditors only."""
    return actor.role in NAMED_ROLES


def hide_names(actor: Actor, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blank the names of persons for a role that may only see counts."""
    if may_see_names(actor):
        return items
    return [
        {**x, "subject_name": None} if x.get("subject_type", "person") == "person" else x
        for x in items
    ]


@router.get(
    "/accountability/counts", response_model=list[d.ActionGroup], summary="问责处分按类统计"
)
def counts(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    by: By = "family",
    year: Year = None,
    unit_id: UUID | None = None,
    family: ActionFamily | None = None,
) -> list[d.ActionGroup]:
    family_value = None if family is None else family.value
    groups = reads.action_counts(by, year, unit_id, family_value, when=when)
    return [d.ActionGroup.model_validate(g) for g in groups]


@router.get(
    "/accountability/totals",
    response_model=d.ActionFigures,
    summary="问责处分合计(起数与人数分开计)",
)
def totals(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    year: Year = None,
    unit_id: UUID | None = None,
    family: Annotated[list[ActionFamily] | None, Query(description="可多选")] = None,
) -> d.ActionFigures:
    families = None if not family else [f.value for f in family]
    return d.ActionFigures.model_validate(reads.action_totals(year, unit_id, families, when=when))


@router.get("/accountability/actions", response_model=d.ActionPage, summary="问责处分清单")
def actions(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    year: Year = None,
    unit_id: UUID | None = None,
    family: ActionFamily | None = None,
    case_id: UUID | None = None,
    counted_only: bool = False,
    after: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> d.ActionPage:
    not_a_unit(actor, "问责处分清单")
    family_value = None if family is None else family.value
    page = reads.actions(
        year,
        unit_id,
        family_value,
        case_id,
        None,
        counted_only,
        when=when,
        after=after,
        limit=limit,
        total=True,
    )
    return d.ActionPage(
        items=[d.ActionItem.model_validate(x) for x in hide_names(actor, page.items)],
        next=page.next,
        total=page.total or 0,
    )


@router.get(
    "/accountability/actions/{action_id}",
    response_model=d.ActionItem,
    summary="一项问责处分(姓名仅纪检监察、审计可见)",
)
def action(
    action_id: UUID, actor: ActorDep, reads: ReadsDep, when: WhenDep, response: Response
) -> d.ActionItem:
    not_a_unit(actor, "问责处分")
    found = reads.action(action_id, when=when)
    if found is None:
        raise NotFound("该问责处分不存在(或在所问时点尚未提出)", field="action_id")
    response.headers["ETag"] = f'"{found["version"]}"'
    return d.ActionItem.model_validate(hide_names(actor, [found])[0])


@router.get(
    "/accountability/consequences",
    response_model=d.ConsequencesPublic,
    summary="问责后果:取消当年评优资格;单位问责人数达编制10%",
)
def consequences(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    year: Annotated[int, Query(ge=1949, le=2100)],
) -> d.ConsequencesPublic:
    not_a_unit(actor, "问责后果")
    found = reads.consequences(year, when=when)
    found["persons"] = hide_names(actor, found["persons"])
    return d.ConsequencesPublic.model_validate(found)


@router.get(
    "/accountability/summary",
    response_model=d.AccountabilitySummary,
    summary="问责处分主要数字(立案、组织处理、党纪政务处分、按类别与方式)",
)
def summary(actor: ActorDep, reads: ReadsDep, when: WhenDep, year: Year = None) -> Any:
    """What ``/case-counts``, ``/accountability/totals`` and ``/accountability/counts`` answer,
    in one request (the console's 问责 page shows them all)."""
    return {
        "cases": reads.case_counts(year, when=when),
        "all": reads.action_totals(year, when=when),
        "organisational": reads.action_totals(year, None, [F.ORGANISATIONAL], when=when),
        "sanctioned": reads.action_totals(year, None, [F.PARTY, F.GOVERNMENT], when=when),
        "by_family": reads.action_counts("family", year, when=when),
        "by_kind": reads.action_counts("kind", year, when=when),
    }


@router.get("/case-counts", response_model=d.CaseCounts, summary="立案与结案数")
def case_counts(actor: ActorDep, reads: ReadsDep, when: WhenDep, year: Year = None) -> d.CaseCounts:
    return d.CaseCounts.model_validate(reads.case_counts(year, when=when))
