"""Build one POST route per command from a line of a table.

Every command route has the same shape: a path naming the record (or none,
for a command that creates one), a body of envelope fields plus the
command's arguments, the caller from the token and the write-safety
headers. Declaring the table once keeps 26 routes from being 26 copies.

Each route is declared to FastAPI in full (the OpenAPI schema, and every
refusal, come from that declaration), but a well-formed request takes a
shorter road, ``CommandRoute``: FastAPI solves a route's dependencies anew
for each request (the caller, its bearer scheme, the beat, the headers, the
application, the writer: a fifth of the server's time under a stream of
commands, about as much as the command itself) and validates the answer it
was handed again. The short road reads the same inputs the same way and runs the
same ``run``; anything it does not take as plainly valid (no or another kind
of token, a header too long or empty, a body that is not a JSON object of
the command's fields, a path id not in its usual form) goes the declared
way, so every refusal is FastAPI's own, unchanged.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from ledger.domain.values import Actor

from ..commands import run
from ..deps import ActorDep, LedgerDep, Writer, WriterDep, Writing, WritingDep
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
    endpoint.command = command  # type: ignore[attr-defined]  # for CommandRoute
    router.add_api_route(
        command.path,
        endpoint,
        methods=["POST"],
        status_code=command.status,
        response_model=ReceiptPublic,
        summary=command.summary,
        responses=RESPONSES,
        operation_id=command.method,
        route_class_override=CommandRoute,
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


Handler = Callable[[Request], Coroutine[Any, Any, Response]]
# A path id as clients send it; any other spelling FastAPI parses (or refuses) itself.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# The write-safety headers and the longest value each route declares (deps.Writing).
_LIMITS = (("idempotency-key", 200), ("if-match", 40))


class CommandRoute(APIRoute):
    """A command route whose well-formed requests skip FastAPI's per-request solving."""

    def get_route_handler(self) -> Handler:
        declared = super().get_route_handler()
        command: Command = self.endpoint.command  # type: ignore[attr-defined]
        status = command.status

        async def handler(request: Request) -> Response:
            inputs = await _inputs(request, command)
            if not isinstance(inputs, tuple):
                return await declared(inputs)
            target, body, token, writing = inputs
            state = request.app.state
            headers = Response()  # run() sets the ETag (and the replay mark) on it, as
            del headers.headers["content-length"]  # on FastAPI's own (dependencies.utils)
            method = getattr(state.ledger, command.method)
            arguments = _arguments(body)

            def work(actor: Actor) -> ReceiptPublic:
                return run(method, actor, body, writing, headers, *target, **arguments)

            # The token is checked by the writer thread, in the command's turn
            # (``Writer.run_as``), instead of with a beat of its own here.
            writer: Writer = state.writer
            receipt: ReceiptPublic = await writer.run_as(token, work)
            answer = Response(receipt.model_dump_json(), status, media_type="application/json")
            answer.headers.raw.extend(headers.headers.raw)
            return answer

        return handler


async def _inputs(
    request: Request, command: Command
) -> tuple[tuple[UUID, ...], CommandBase, str, Writing] | Request:
    """The path id, body, token and headers of a plainly valid request; else the
    request for FastAPI to answer (its body read, or failing again as it failed)."""
    target: tuple[UUID, ...] = ()
    if command.target is not None:
        text = request.path_params.get(command.target)
        if not isinstance(text, str) or _UUID.fullmatch(text) is None:
            return request
        target = (UUID(text),)
    headers = request.headers
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    token = token.strip()  # as FastAPI's HTTPBearer reads it
    if scheme.lower() != "bearer" or not token:
        return request
    values = []
    for name, longest in _LIMITS:
        value = headers.get(name)
        if value is not None and not 0 < len(value) <= longest:
            return request
        values.append(value)
    if headers.get("content-type") != "application/json":
        return request
    try:
        raw = await request.body()
    except Exception as error:  # too large, or the client went away
        return _failing(request, error)
    try:
        fields = json.loads(raw)  # as Starlette's Request.json
    except Exception:  # not JSON, not UTF-8, or nested too deep
        return request
    if not isinstance(fields, dict):
        return request
    try:
        body = command.body.model_validate(fields)
    except ValidationError:
        return request
    return target, body, token, Writing(*values)


def _failing(request: Request, error: Exception) -> Request:
    """The request again, its body raising ``error`` when FastAPI reads it (its answer
    to a body that could not be read depends on the error)."""

    async def receive() -> Any:
        raise error

    return Request(request.scope, receive)
