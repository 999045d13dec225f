"""One table from errors to HTTP answers; every error body is ``{"error", "detail", "field"}``.

Routes never catch exceptions: a domain refusal raised anywhere below a
route becomes its status here, and nothing was recorded (the application
decides before it writes).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.domain import errors as domain
from ledger.infrastructure.credentials import Unauthenticated
from ledger.infrastructure.outage import Unavailable, outage_of
from ledger.projections.reading import QueryError
from ledger.projections.runner import UnknownReadModel

from .messages import in_chinese

log = logging.getLogger("ledger.api")

# Most specific first: the first class an error is an instance of wins.
STATUS: list[tuple[type[Exception], int]] = [
    (domain.InvalidInput, 422),
    (domain.InvalidTransition, 409),
    (domain.NotFound, 404),
    (domain.PermissionDenied, 403),
    (domain.VersionConflict, 409),
    (domain.IdempotencyConflict, 409),
    (domain.DomainError, 422),
    (QueryError, 422),
    (UnknownReadModel, 404),
    (Unauthenticated, 401),
]


class ErrorPublic(BaseModel):
    """Why a request was refused: a code, a message in Chinese and the field it concerns."""

    error: str
    detail: str
    field: str | None = None


class PreconditionFailed(domain.VersionConflict):
    """``If-Match`` named a version the record no longer has (412)."""

    code = "precondition_failed"


# Documented on every route, so clients (and schemathesis) know every error's shape.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorPublic} for status in (400, 401, 403, 404, 409, 412, 422, 503)
}
# Errors from the database and its drivers: an outage (503) or a fault (500).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    PersistenceError,
    SQLAlchemyError,
    psycopg.Error,
    sqlite3.Error,
    Unavailable,
)


def status_of(error: Exception) -> int:
    """The HTTP status for an error, by the table above."""
    if isinstance(error, PreconditionFailed):
        return 412
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 500


def body(code: str, detail: str, field: str | None = None) -> dict[str, Any]:
    return {"error": code, "detail": detail, "field": field}


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    for kind, _status in STATUS:
        app.add_exception_handler(kind, _known)
    for kind in DATABASE_ERRORS:
        app.add_exception_handler(kind, _database)
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]


def _known(_request: Request, error: Exception) -> JSONResponse:
    status = status_of(error)
    field = getattr(error, "field", None)
    message = getattr(error, "message", None) or str(error)
    code = getattr(error, "code", None) or _CODES.get(status, "error")
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body(code, message, field), status_code=status, headers=headers)


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    """A fault, not a refusal: logged in full; the command's transaction was rolled back."""
    log.error("unexpected error", exc_info=error)
    detail = "服务器内部错误,本次操作未完成(已记录日志);可用同一 Idempotency-Key 重试"
    return JSONResponse(body("internal_error", detail), status_code=500)


def _database(request: Request, error: Exception) -> JSONResponse:
    """503 with ``Retry-After`` when the database is down, read-only or full: nothing
    was written, and a retry with the same Idempotency-Key is safe. Else a fault."""
    outage = outage_of(error)
    if outage is None:
        return _unexpected(request, error)
    log.warning("%s: %s", outage.value, str(error).splitlines()[0] if str(error) else "")
    detail = error.message if isinstance(error, Unavailable) else outage.message
    return JSONResponse(
        body(outage.value, detail),
        status_code=503,
        headers={"Retry-After": str(outage.retry_after)},
    )


def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
    problems = error.errors()
    first = problems[0] if problems else {}
    where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = ".".join(where) or None
    if first.get("type") == "json_invalid":
        return JSONResponse(body("malformed_json", "请求体不是有效的 JSON", None), status_code=400)
    detail = "; ".join(_describe(p) for p in problems[:5])
    return JSONResponse(body("invalid_input", detail, field), status_code=422)


def _describe(problem: Any) -> str:
    loc = [str(p) for p in problem.get("loc", ()) if p not in ("body",)]
    return f"{'.'.join(loc)}: {in_chinese(problem)}"


def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    code = _CODES.get(error.status_code, "error")
    detail = error.detail if isinstance(error.detail, str) else code
    return JSONResponse(
        body(code, detail), status_code=error.status_code, headers=getattr(error, "headers", None)
    )


_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    422: "invalid_input",
    503: "unavailable",
}
