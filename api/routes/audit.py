"""Who changed what, replay for disputes, and the findings behind every figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from ledger import audit
from ledger.application import replay
from ledger.domain.errors import NotFound, PermissionDenied
from ledger.domain.values import BEIJING, Actor, Role
from ledger.projections.auditing import Filter
from ledger.projections.reading import QueryError

from .. import schemas as s
from ..deps import ActorDep, LedgerDep, ReadsDep, WhenDep, in_beijing, not_a_unit
from ..errors import RESPONSES

router = APIRouter(tags=["audit 审计与回放"], responses=RESPONSES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["json", "csv", "xlsx"]
FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        }
    },
    **RESPONSES,
}
FIGURES = (
    "total",
    "completed",
    "ongoing",
    "long_term",
    "overdue",
    "claimed",
    "struck_off",
    "sent_back",
)


@router.get(
    "/audit/records/{record_id}",
    response_model=list[s.AuditEntryPublic],
    responses={
        **FILES,
        200: {
            **FILES[200],
            "headers": {
                "Record-Events": {
                    "description": "该记录的事件总数(给出时点时,列出的可能更少)",
                    "schema": {"type": "integer"},
                }
            },
        },
    },
    summary="一条记录的事件(可限于某一时点成立的):操作人、记录与生效时间、理由、依据、字段变更",
)
def record_trail(
    record_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    reads: ReadsDep,
    response: Response,
    as_of: Annotated[date | None, Query(description="只列此生效日期前(含)生效的事件")] = None,
    known_at: Annotated[
        datetime | None, Query(description="只列此时刻前已记录的事件(无时区按北京时间)")
    ] = None,
    format: Format = "json",
) -> Any:
    _may_see(actor, reads, record_id)
    point = None if as_of is None and known_at is None else _point(as_of, in_beijing(known_at))
    entries = audit.trail(ledger, record_id, point)
    if format != "json":
        return _file(audit.of_record(entries), format, f"audit-{record_id}")
    # How many events the record has in all, so a past view can say how many it leaves out.
    total = len(entries) if point is None else len(replay.events_of(ledger, record_id))
    response.headers["Record-Events"] = str(total)
    return [_public(None, e) for e in entries]


@router.get(
    "/audit/changes",
    response_model=s.AuditPagePublic,
    responses=FILES,
    summary="全台账的变更:按操作人、单位、记录、事件类型、时间段;延期是否在逾期后",
)
def changes(
    actor: ActorDep,
    ledger: LedgerDep,
    actor_id: Annotated[str | None, Query(max_length=200)] = None,
    unit_id: UUID | None = None,
    record_id: UUID | None = None,
    kind: Annotated[str | None, Query(max_length=80, examples=["Finding.DeadlineExtended"])] = None,
    since: Annotated[datetime | None, Query(description="记录时间不早于(无时区按北京时间)")] = None,
    until: Annotated[datetime | None, Query(description="记录时间早于")] = None,
    effective_from: date | None = None,
    effective_to: date | None = None,
    late: Annotated[bool | None, Query(description="只看逾期后才作出(或不是)的延期")] = None,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: Format = "json",
) -> Any:
    not_a_unit(actor, "全台账审计记录")
    f = Filter(
        actor_id=actor_id,
        unit_id=str(unit_id) if unit_id else None,
        record_id=str(record_id) if record_id else None,
        kind=kind,
        since=in_beijing(since),
        until=in_beijing(until),
        effective_from=effective_from,
        effective_to=effective_to,
        late=late,
    )
    found, following = audit.changes(ledger, f, after, limit)
    if format != "json":
        return _file(found, format, "audit-changes")
    return s.AuditPagePublic(items=[_public(p, e) for p, e in found], next=following)


@router.get(
    "/records/{record_id}/state",
    response_model=s.StatePublic,
    summary="一条记录在某一时点(生效日期、记录时刻)的全部字段",
)
def state(
    record_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    reads: ReadsDep,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> s.StatePublic:
    _may_see(actor, reads, record_id)
    point = _point(as_of, in_beijing(known_at))
    found = replay.state_at(ledger, record_id, point)
    return s.StatePublic(
        record_id=record_id, as_of=point.as_of, known_at=point.known_at, state=found
    )


@router.get(
    "/records/{record_id}/difference",
    response_model=s.DifferencePublic,
    summary="一条记录在两个时点之间的差异:哪些字段变了,由哪些事件、何人、何依据",
)
def difference(
    record_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    reads: ReadsDep,
    from_as_of: date | None = None,
    from_known_at: datetime | None = None,
    to_as_of: date | None = None,
    to_known_at: datetime | None = None,
) -> s.DifferencePublic:
    _may_see(actor, reads, record_id)
    old = _point(from_as_of, in_beijing(from_known_at))
    new = _point(to_as_of, in_beijing(to_known_at))
    found = replay.difference(ledger, record_id, old, new)
    return s.DifferencePublic(
        changes=[s.FieldChangePublic(**asdict(c)) for c in found.changes],
        added=[_public(None, e) for e in found.added],
        removed=[_public(None, e) for e in found.removed],
    )


@router.get(
    "/inspections/{inspection_id}/provenance",
    response_model=s.ProvenancePublic,
    summary="统计数字的来源:构成该数字的问题清单(每个问题的事件见 /audit/records/{id})",
)
def provenance(
    inspection_id: UUID,
    figure: Literal[FIGURES],  # type: ignore[valid-type]
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    after: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> s.ProvenancePublic:
    not_a_unit(actor, "统计来源")
    counts = reads.counts(str(inspection_id), when=when)
    if not counts:
        raise NotFound("该巡视不存在(或在所问时点尚未立项)", field="inspection_id")
    choices: dict[str, dict[str, Any]] = {
        "total": {},
        "completed": {"status": "completed"},
        "ongoing": {"status": "ongoing"},
        "long_term": {"long_term": True},
        "overdue": {"overdue": True},
        "claimed": {"status": "claimed"},
        "struck_off": {"status": "struck_off"},
        "sent_back": {"sent_back": True},
    }
    filters = choices[figure]
    page = reads.findings(inspection_id, when=when, after=after, limit=limit, total=True, **filters)
    return s.ProvenancePublic(
        inspection_id=inspection_id,
        figure=figure,
        value=getattr(counts[0], figure),
        findings=s.FindingPage.model_validate(page, from_attributes=True),
    )


def _may_see(actor: Actor, reads: Any, record_id: UUID) -> None:
    """A responsible unit sees the history of findings assigned to it, nothing else."""
    if actor.role is not Role.RESPONSIBLE_UNIT:
        return
    found = reads.finding(record_id)
    mine = str(actor.unit)
    if found is None or not any(u["unit_id"] == mine for u in found["units"]):
        raise PermissionDenied("责任单位只能查看交办给本单位的问题的历史", field="record_id")


def _public(position: int | None, e: replay.Entry) -> s.AuditEntryPublic:
    data = asdict(e)
    data["changes"] = [s.FieldChangePublic(**c) for c in data["changes"]]
    return s.AuditEntryPublic(position=position, **data)


def _file(found: Sequence[tuple[int | None, replay.Entry]], format: str, name: str) -> Response:
    table = audit.rows(found)
    if format == "csv":
        body, media, suffix = audit.to_csv(table), "text/csv; charset=utf-8", "csv"
    else:
        body, media, suffix = audit.to_xlsx(table), XLSX, "xlsx"
    disposition = f'attachment; filename="{name}.{suffix}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def _point(as_of: date | None, known_at: datetime | None) -> replay.Point:
    if known_at is not None and known_at > datetime.now(BEIJING):
        raise QueryError("known_at 不能晚于当前时间", "known_at")
    return replay.Point(as_of, known_at)
