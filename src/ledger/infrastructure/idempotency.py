"""Idempotency keys: what a command stores so a retry returns the first result."""

from __future__ import annotations

from typing import NamedTuple


class Idempotency(NamedTuple):
    """Written with the events of the command it belongs to."""

    key: str
    fingerprint: str
    receipt: bytes


class Recorded(NamedTuple):
    """What an earlier command stored under a key."""

    fingerprint: str
    receipt: bytes
