"""Running one command for a route: envelope from the body, safety from the headers.

The idempotency key is scoped to the caller (two people may pick the same
key), and ``If-Match`` takes the place of ``expected_version`` with 412
instead of 409 when it no longer holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import Response

from ledger.application.context import CommandContext, Receipt
from ledger.domain.errors import InvalidInput, VersionConflict
from ledger.domain.values import Actor

from .deps import Writing
from .errors import PreconditionFailed
from .schemas import CommandBase, ReceiptPublic


def run(
    command: Callable[..., Receipt],
    actor: Actor,
    body: CommandBase,
    writing: Writing,
    response: Response,
    *target: Any,
    **args: Any,
) -> ReceiptPublic:
    """Call ``command(actor, *target, ctx=..., **args)`` and describe its receipt."""
    ctx = context(actor, body, writing)
    try:
        receipt = command(actor, *target, ctx=ctx, **args)
    except VersionConflict as conflict:
        if writing.if_match is None:
            raise
        raise PreconditionFailed(
            conflict.message, expected=conflict.expected, actual=conflict.actual
        ) from None
    response.headers["ETag"] = f'"{receipt.version}"'
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return ReceiptPublic(
        id=receipt.id,
        version=receipt.version,
        correlation_id=receipt.correlation_id,
        item_id=receipt.item_id,
    )


def context(actor: Actor, body: CommandBase, writing: Writing) -> CommandContext:
    """The command context a request asks for."""
    expected = body.expected_version
    if writing.if_match is not None:
        expected = _version(writing.if_match)
    key = writing.idempotency_key
    return CommandContext(
        effective_at=_moment(body.effective_at),
        reason=body.reason,
        basis=body.basis,
        correlation_id=body.correlation_id,
        expected_version=expected,
        idempotency_key=None if key is None else f"api:{actor.id}:{key}",
    )


def _version(tag: str) -> int:
    text = tag.strip().removeprefix("W/").strip('"')
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise InvalidInput('If-Match 须为版本号,如 "6"', field="If-Match")
    return int(text)


def _moment(text: str | None) -> date | datetime | None:
    if text is None:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"不是有效的日期或时间 {text[:40]!r}(YYYY-MM-DD 或带时区的 ISO 时间)",
            field="effective_at",
        ) from None
