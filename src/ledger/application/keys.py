"""Idempotency keys: fingerprints of commands and the receipts stored under them."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

import orjson

from ledger.application.context import Receipt
from ledger.domain.errors import IdempotencyConflict
from ledger.domain.values import Actor
from ledger.infrastructure.idempotency import Recorded


def fingerprint(command: str, actor: Actor, args: dict[str, Any]) -> str:
    """A digest of everything a retry must repeat exactly."""
    value = [command, actor.id, args]
    try:
        payload = orjson.dumps(value, default=_jsonable, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits: the command will be refused, but not here
        payload = orjson.dumps(_wide(value), default=_jsonable, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()


def _wide(value: Any) -> Any:
    """Integers orjson cannot write, as tagged text (they can never equal a real string)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if -(2**63) <= value < 2**64 else {"int": str(value)}
    if isinstance(value, dict):
        return {str(k): _wide(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_wide(v) for v in value]
    return value


def dump(receipt: Receipt) -> bytes:
    """The receipt as stored under its key."""
    return orjson.dumps(
        {
            "id": receipt.id,
            "version": receipt.version,
            "correlation_id": receipt.correlation_id,
            "item_id": receipt.item_id,
        }
    )


def replay(found: Recorded, digest: str, key: str) -> Receipt:
    """The first receipt again, or a refusal if the key was used for another command."""
    if found.fingerprint != digest:
        raise IdempotencyConflict(f"幂等键 {key} 已用于另一条不同的命令")
    data = orjson.loads(found.receipt)
    item = data.get("item_id")
    return Receipt(
        UUID(data["id"]),
        data["version"],
        UUID(data["correlation_id"]),
        UUID(item) if item else None,
        replayed=True,
    )


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)
