"""Build one POST route per command from a line of a table.

Every command route has the same shape: a path naming the record (or none,
for a command that creates one), a body of envelope fields plus the
command's arguments, the caller from the token and the write-safety
headers. Declaring the table once keeps 26 routes from being 26 copies.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from ..commands import run
from ..deps import ActorDep, LedgerDep, WriterDep, WritingDep
from ..errors import RESPONSES
from ..schemas import CommandBase, ReceiptPublic


@dataclass(frozen=True)
class Command:
    """A route: path, application method, body class, path parameter, status, summary."""

    path: str
    method: str
    body: type[CommandBase]
    target: str | None
    summary: str
    status: int = 200


def add(router: APIRouter, command: Command) -> None:
    """Add the POST route for one command."""

    async def endpoint(**kwargs: Any) -> ReceiptPublic:
        body: CommandBase = kwargs["body"]
        ledger = kwargs["ledger"]
        target = () if command.target is None else (kwargs[command.target],)
        work = partial(
            run,
            getattr(ledger, command.method),
            kwargs["actor"],
            body,
            kwargs["writing"],
            kwargs["response"],
            *target,
            **_arguments(body),
        )
        receipt: ReceiptPublic = await kwargs["writer"].run(work)
        return receipt

    endpoint.__signature__ = _signature(command)  # type: ignore[attr-defined]
    endpoint.__name__ = command.method
    router.add_api_route(
        command.path,
        endpoint,
        methods=["POST"],
        status_code=command.status,
        response_model=ReceiptPublic,
        summary=command.summary,
        responses=RESPONSES,
        operation_id=command.method,
    )


def _signature(command: Command) -> inspect.Signature:
    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("body", keyword, annotation=command.body),
        inspect.Parameter("actor", keyword, annotation=ActorDep),
        inspect.Parameter("ledger", keyword, annotation=LedgerDep),
        inspect.Parameter("writing", keyword, annotation=WritingDep),
        inspect.Parameter("writer", keyword, annotation=WriterDep),
        inspect.Parameter("response", keyword, annotation=Response),
    ]
    if command.target is not None:
        target = inspect.Parameter(command.target, keyword, annotation=UUID, default=Path())
        params.insert(0, target)
    return inspect.Signature(params, return_annotation=ReceiptPublic)


def _arguments(body: CommandBase) -> dict[str, Any]:
    envelope = CommandBase.model_fields
    return {
        name: _plain(getattr(body, name))
        for name in type(body).model_fields
        if name not in envelope
    }


def _plain(value: Any) -> Any:
    """Nested request models become the plain dicts the domain validates."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
