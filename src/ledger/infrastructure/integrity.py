"""The integrity log: dense sequence, canonical bytes and RFC 9162 leaf hashes.

Each stored event gets one entry, written in the same transaction as the
event. The entry is the exact byte string that is hashed: a one-line JSON
header (originator id, version, topic), a newline, then the stored state
bytes verbatim (never re-serialised). The header cannot contain a raw
newline, so the first newline splits an entry unambiguously. Its leaf hash is
SHA-256(0x00 || entry), as in RFC 9162 §2.1.1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import orjson
from eventsourcing.persistence import StoredEvent

TABLE = "ledger_integrity"
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def entry_bytes(event: StoredEvent) -> bytes:
    """The canonical bytes of one stored event."""
    header = orjson.dumps(
        {
            "originator_id": str(event.originator_id),
            "originator_version": event.originator_version,
            "topic": event.topic,
        }
    )
    return header + b"\n" + event.state


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash of an entry."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def entries(events: Sequence[StoredEvent]) -> list[tuple[bytes, bytes]]:
    """(entry, leaf hash) for each event, in order."""
    result = []
    for event in events:
        entry = entry_bytes(event)
        result.append((entry, leaf_hash(entry)))
    return result
