"""Random (version 4) UUIDs for new records, parts and correlation ids.

The same as the standard library's ``uuid.uuid4`` (16 bytes from
``os.urandom``, version and variant bits set), but the random bytes are read
4,096 ids at a time: one system call per id cost more than the rest of making
it (an import of 100,000 rows makes ~330,000). Each thread draws from a pool
of its own, and a forked child starts a new one, so no two threads or
processes ever hand out the same bytes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from uuid import UUID

_BATCH = 4096
_VARIANT_VERSION = (0x8000 << 48) | (4 << 76)  # RFC 4122 variant, version 4
_MASK = ((1 << 128) - 1) & ~(0xC000 << 48) & ~(0xF000 << 64)


class _Pool(threading.local):
    ints: Iterator[int] = iter(())


_pool = _Pool()


def uuid4() -> UUID:
    """A new random UUID (version 4)."""
    value = next(_pool.ints, None)
    if value is None:
        _pool.ints = _fresh()
        value = next(_pool.ints)
    return UUID(int=value)


def _fresh() -> Iterator[int]:
    data = os.urandom(16 * _BATCH)
    take = int.from_bytes
    return iter(
        [
            (take(data[i : i + 16], "big") & _MASK) | _VARIANT_VERSION
            for i in range(0, len(data), 16)
        ]
    )


def _forked() -> None:
    global _pool
    _pool = _Pool()


os.register_at_fork(after_in_child=_forked)
