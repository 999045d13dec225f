"""One worker's share of ``ledger verify``: a range of the log, checked row by row.

A worker opens its own connection, reads entries ``first … last`` in ``seq``
order beside the events at the same positions in notification order, and for
each position checks, in this order: the ``seq`` is the next one (dense);
the stored leaf hash is SHA-256(0x00 || entry) recomputed from the stored
bytes; there is an event at this position; and the entry is exactly that
event's header line and state bytes. It stops at the first problem, and
returns the recomputed leaves' contribution to the roots verify needs.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import zip_longest
from operator import add
from typing import Any

import orjson
from eventsourcing.persistence import StoredEvent

from ledger.infrastructure.integrity import entry_bytes
from ledger.proof.merkle import memory_nodes, root, subtree_hash
from ledger.proof.store import EventRow, Location, LogStore

BLOCK = 256  # leaves per level-0 tile: block roots let verify locate a rewrite
NODE = b"\x01"  # RFC 9162 interior node prefix
_DIGEST = type(sha256()).digest


@dataclass(frozen=True)
class Problem:
    """What is wrong at a position (1-based ``seq``), in Chinese."""

    seq: int
    message: str


@dataclass(frozen=True)
class Job:
    """Check entries ``first … last``; the first one's event has notification id ``order``."""

    location: Location
    first: int
    last: int
    order: int
    sizes: tuple[int, ...] = ()  # checkpoint sizes ending inside this range
    tree: bool = False  # whether a checkpoint covers this range: then compute its hashes


@dataclass
class Share:
    """What a worker found: its first problem, its root, and partial roots for checkpoints."""

    first: int
    last: int
    count: int = 0
    problem: Problem | None = None
    root: bytes = b""
    partial: dict[int, bytes] = field(default_factory=dict)
    blocks: list[bytes] = field(default_factory=list)


_stores: dict[tuple[int, str], LogStore] = {}  # one connection per process and database


def run(job: Job) -> Share:
    """Check one range (in a worker process, or in this one)."""
    key = (os.getpid(), repr(job.location))  # a forked worker opens its own connection
    store = _stores.get(key) or _stores.setdefault(key, job.location.open())
    entries = store.entries(job.first, job.last)
    events = store.events_from(job.order, job.last - job.first + 1) if job.order else iter(())
    share = Share(job.first, job.last)
    leaves = _check(share, job.first, entries, events)
    share.count = len(leaves)
    if leaves:  # the leaves before a problem still serve checkpoints that end earlier
        _summarise(share, job, leaves)
    return share


def _check(share: Share, first: int, entries: Any, events: Any) -> list[bytes]:
    """Check rows until the first problem; return the leaves recomputed before it.

    This loop is ``ledger verify``'s cost, so it is written for speed: the
    common case is one expression and no calls of ours. (Checking a page of
    rows at once with ``map`` over builtins, or having the database compare
    the entry with the event, measured no faster.)
    """
    leaves: list[bytes] = []
    append = leaves.append
    copy = hashlib.sha256(b"\x00").copy
    topics: dict[bytes, bytes] = {}
    expected = first
    for row, event in zip_longest(entries, events):
        if row is None:
            break  # more events than entries here: the caller compares the counts
        seq, stored_leaf, entry = row
        leaf = b""
        try:
            hasher = copy()
            hasher.update(entry)
            leaf = hasher.digest()
            oid, version, topic, state = event
            quoted = topics.get(topic) or topics.setdefault(topic, orjson.dumps(topic.decode()))
            if len(oid) == 32:  # SQLite keeps UUIDs as 32 hex digits
                line = HEX_HEADER % (
                    oid[:8],
                    oid[8:12],
                    oid[12:16],
                    oid[16:20],
                    oid[20:],
                    version,
                    quoted,
                )
            else:
                line = HEADER % (oid, version, quoted)
            if (
                seq == expected
                and leaf == stored_leaf
                and entry[: len(entry) - len(state)] == line
                and entry.endswith(state)
            ):
                append(leaf)
                expected += 1
                continue
        except (TypeError, ValueError):  # no event here, or a value stored as text
            pass
        share.problem = _problem(expected, seq, leaf, stored_leaf, entry, event)
        if share.problem is not None:
            break
        append(leaf)
        expected += 1
    return leaves


# The header line exactly as ``integrity.entry_bytes`` writes it (orjson, compact).
HEADER = b'{"originator_id":"%b","originator_version":%d,"topic":%b}\n'
HEX_HEADER = b'{"originator_id":"%b-%b-%b-%b-%b","originator_version":%d,"topic":%b}\n'


def _problem(
    expected: int, seq: int, leaf: bytes, stored_leaf: bytes, entry: bytes, event: EventRow | None
) -> Problem | None:
    if seq != expected:
        return Problem(expected, f"序号不连续:缺少第 {expected} 条(下一条是第 {seq} 条)")
    if not (isinstance(entry, bytes) and isinstance(stored_leaf, bytes)):
        return Problem(seq, "条目或叶子哈希的存储类型不是字节串(被改动)")
    if event is not None and not isinstance(event[3], bytes):
        return Problem(seq, "事件内容的存储类型不是字节串(事件被改动)")
    if leaf != stored_leaf:
        return Problem(seq, "叶子哈希与条目内容不符(条目字节或叶子哈希被改动)")
    if event is None:
        return Problem(seq, "事件库中没有与该条目对应的事件(事件被删除?)")
    return _mismatch(seq, entry, event)


def _mismatch(seq: int, entry: bytes, event: EventRow) -> Problem | None:
    """Describe how entry and event differ (None if they match after all, exactly)."""
    originator_id, version, topic, state = event
    stored = StoredEvent(
        _dashed(originator_id.decode()), version, topic.decode("utf-8", "replace"), state
    )
    if entry_bytes(stored) == entry:
        return None
    header = orjson.loads(entry[: entry.index(b"\n")])
    named = f"{header.get('originator_id')}:{header.get('originator_version')}"
    found = f"{stored.originator_id}:{version}"
    if named != found:
        return Problem(
            seq, f"条目记的是事件 {named},事件库此位置是 {found}(事件被删除、插入或调换)"
        )
    if header.get("topic") != stored.topic:
        return Problem(seq, f"事件 {found} 的类型与条目不符")
    return Problem(seq, f"事件 {found} 的内容与条目不符(事件被改动)")


def _dashed(text: str) -> str:
    if len(text) == 32:  # SQLite keeps UUIDs as 32 hex digits
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def _summarise(share: Share, job: Job, leaves: list[bytes]) -> None:
    # Tree hashes only when a checkpoint needs them (plain verify hashes leaves only).
    if not job.tree:
        return
    start = job.first - 1
    share.blocks = [_block_root(leaves[i : i + BLOCK]) for i in range(0, len(leaves), BLOCK)]
    if len(leaves) & (len(leaves) - 1) == 0 and len(leaves) % BLOCK == 0:
        share.root = root(share.blocks)
    for size in job.sizes:
        if start < size <= start + len(leaves):
            share.partial[size] = subtree_hash(memory_nodes(leaves), 0, size - start)


def _block_root(leaves: list[bytes]) -> bytes:
    """MTH of one block; a full block (a power of two) is hashed a level at a time."""
    if len(leaves) != BLOCK:
        return root(leaves)
    level = leaves
    while len(level) > 1:
        pairs = map(NODE.__add__, map(add, level[0::2], level[1::2]))
        level = list(map(_DIGEST, map(sha256, pairs)))
    return level[0]
