"""Spreadsheets in and out: upload a rectification ledger (整改台账), download reports.

The upload is the file itself as the request body (XLSX or CSV, UTF-8 or
GB18030), options in the query. ``dry_run=true`` checks the whole file and
records nothing; a real import records everything or, on any problem,
nothing (422 with every problem by sheet, row and column).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ledger.domain.errors import InvalidInput, PermissionDenied
from ledger.domain.values import Actor, InspectionKind, Role
from ledger.transfer.importer import ImportOptions, NewInspection, apply_import, plan_import
from ledger.transfer.report import progress_report
from ledger.transfer.xlsx_out import export_xlsx

from .. import schemas as s
from ..deps import ActorDep, LedgerDep, WhenDep, not_a_unit
from ..errors import RESPONSES

router = APIRouter(tags=["transfer 导入导出"], responses=RESPONSES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 50 * 1024 * 1024
UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
Short = Annotated[str | None, Query(max_length=200)]


@router.post(
    "/imports",
    response_model=s.ImportReportPublic,
    summary="导入整改台账(Excel/CSV);dry_run=true 只检查不写入",
    openapi_extra=UPLOAD,
    responses={201: {"model": s.ImportReportPublic}, 422: {"model": s.ImportRefusedPublic}},
)
async def upload(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    dry_run: bool = True,
    inspection_id: UUID | None = None,
    title: Short = None,
    inspected_body: Short = None,
    inspecting_body: Short = None,
    kind: InspectionKind = InspectionKind.TOUR,
    feedback_date: date | None = None,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    sheet: Short = None,
    mapping: Annotated[list[str], Query(max_length=50, description="标准列名=文件列名")] = [],  # noqa: B006
) -> Any:
    if actor.role is not Role.INSPECTION_OFFICE:
        raise PermissionDenied("只有巡视整改办可以导入台账", field="role")
    data = await request.body()
    if not data:
        raise InvalidInput("请求体为空:请上传 .xlsx 或 .csv 文件", field="file")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"文件超过 {MAX_BYTES // 2**20} MB", field="file")
    options = _options(
        actor,
        inspection_id,
        title,
        inspected_body,
        inspecting_body,
        kind,
        feedback_date,
        year,
        sheet,
        mapping,
    )
    run = plan_import if dry_run else apply_import
    report = await run_in_threadpool(run, ledger, data, options)
    public = s.ImportReportPublic.model_validate(report.as_dict())
    if report.problems and not dry_run:
        detail = f"文件有 {len(report.problems)} 处问题,未导入任何内容"
        refused = s.ImportRefusedPublic(
            error="import_refused", detail=detail, field="file", report=public
        )
        return JSONResponse(refused.model_dump(mode="json"), status_code=422)
    status = 201 if report.applied and report.events else 200
    return JSONResponse(public.model_dump(mode="json"), status_code=status)


def _options(
    actor: Actor,
    inspection_id: UUID | None,
    title: str | None,
    inspected_body: str | None,
    inspecting_body: str | None,
    kind: InspectionKind,
    feedback_date: date | None,
    year: int | None,
    sheet: str | None,
    mapping: list[str],
) -> ImportOptions:
    new = None
    if inspection_id is None:
        if not title or not inspected_body:
            raise InvalidInput(
                "须给出 inspection_id,或新巡视的 title 和 inspected_body", field="inspection_id"
            )
        new = NewInspection(
            kind=kind.value,
            title=title,
            inspecting_body=inspecting_body or "",
            inspected_body=inspected_body,
            feedback_date=feedback_date,
        )
    return ImportOptions(
        actor_id=actor.id,
        actor_name=actor.name,
        inspection_id=str(inspection_id) if inspection_id else None,
        new_inspection=new,
        mapping=tuple(mapping),
        year=year,
        sheet=sheet,
    )


@router.get(
    "/exports/ledger.xlsx",
    summary="按台账格式导出 Excel(可按生效日期、记录时刻)",
    response_class=Response,
    responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
)
def export_ledger(
    actor: ActorDep, ledger: LedgerDep, when: WhenDep, inspection_id: UUID | None = None
) -> Response:
    not_a_unit(actor, "整台账导出")
    out = io.BytesIO()
    export_xlsx(ledger, out, when, str(inspection_id) if inspection_id else None)
    headers = {"Content-Disposition": 'attachment; filename="ledger.xlsx"'}
    return Response(out.getvalue(), media_type=XLSX, headers=headers)


@router.get(
    "/exports/progress-report",
    summary="公开的整改进展情况(HTML 或 Markdown,不含人名)",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "text/markdown": {"schema": {"type": "string"}},
            }
        }
    },
)
def export_report(
    actor: ActorDep, ledger: LedgerDep, when: WhenDep, format: Literal["html", "md"] = "html"
) -> Response:
    text = progress_report(ledger, format, when)
    media = "text/html; charset=utf-8" if format == "html" else "text/markdown; charset=utf-8"
    return Response(text, media_type=media)
