"""Opaque cursors for lists in log order: the position of the last item shown."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .reading import QueryError

MAX_LIMIT = 1000
BAD_CURSOR = "after 不是有效的分页游标(请使用上一页返回的 next)"


def encode(position: int) -> str:
    """The cursor after the item at ``position``."""
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    """The position a cursor points after (0 for the first page)."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise QueryError(BAD_CURSOR, "after") from None
    if not text.startswith("p") or not text[1:].isdigit() or len(text) > 20:
        raise QueryError(BAD_CURSOR, "after")
    return int(text[1:])


def limit_of(limit: Any) -> int:
    """A page size between 1 and MAX_LIMIT."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit 须为 1–{MAX_LIMIT} 的整数", "limit")
    return limit
