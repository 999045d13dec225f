"""Proofs and roots from a ledger's database: what the CLI and the HTTP API call.

Positions are given and returned as ``seq`` (1-based, as stored); tree
indices in the RFC sense are ``seq - 1``. Each function returns plain dicts
with English keys and base64 hashes, ready for JSON.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson

from ledger.proof.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    subtree_hash,
)
from ledger.proof.store import LogStore
from ledger.proof.tiles import WIDTH, TileCache


class ProofRequestError(ValueError):
    """A proof was asked for something the log does not hold (message in Chinese)."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Prover:
    """Roots and proofs over one open :class:`LogStore`, served from the tile cache."""

    def __init__(self, store: LogStore) -> None:
        self.store = store
        self.tiles = TileCache(store)

    def close(self) -> None:
        """Close the connection this prover reads through."""
        self.store.close()

    def size(self) -> int:
        """The number of entries in the log."""
        return self.store.size()

    def root(self, size: int) -> bytes:
        """RFC 9162 root of the first ``size`` leaves.

        It extends the cached tree: leaves are read once, when first cached,
        as an append-only log does. An entry rewritten after that does not
        change later roots (so a checkpoint never vouches for a rewrite);
        ``ledger verify`` reports it.
        """
        self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        self.tiles.ensure(size)
        return subtree_hash(self.tiles.node, 0, size)

    def inclusion(self, seq: int, size: int | None = None) -> dict[str, Any]:
        """Inclusion proof of entry ``seq`` in the tree of ``size`` (default: the whole log)."""
        # One round trip for the log's size and the leaf's own tile (the rest
        # of the proof comes from upper tiles, which stay in memory).
        have, tile = self.store.size_and_tile(max(seq - 1, 0) // WIDTH)
        self.tiles.keep(0, max(seq - 1, 0) // WIDTH, tile)
        size = have if size is None else size
        if not 0 <= size <= have:
            raise ProofRequestError(f"树大小 {size} 超出日志现有条目数 {have}")
        if not 1 <= seq <= size:
            raise ProofRequestError(f"序号 {seq} 不在大小为 {size} 的日志内(应为 1–{size})")
        self.tiles.ensure(size)
        proof = inclusion_proof(self.tiles.node, seq - 1, size)
        return {
            "seq": seq,
            "leaf_index": seq - 1,
            "tree_size": size,
            "leaf_hash": b64(self.tiles.node(0, seq - 1)),
            "proof": [b64(h) for h in proof],
            "root": b64(subtree_hash(self.tiles.node, 0, size)),
        }

    def consistency(self, old: int, new: int | None = None) -> dict[str, Any]:
        """Consistency proof from the tree of ``old`` leaves to the tree of ``new``."""
        new = self.size() if new is None else new
        self._check_size(new)
        if not 1 <= old <= new:
            raise ProofRequestError(f"旧大小 {old} 应在 1 与新大小 {new} 之间")
        self.tiles.ensure(new)
        proof = consistency_proof(self.tiles.node, old, new)
        return {
            "old_size": old,
            "new_size": new,
            "old_root": b64(self.root(old)),
            "new_root": b64(self.root(new)),
            "proof": [b64(h) for h in proof],
        }

    def position(self, originator_id: str, version: int) -> int:
        """The ``seq`` of one event, found through the event store and checked on the entry."""
        known = dict(self.store.versions(originator_id))
        if version not in known:
            raise ProofRequestError(f"事件 {originator_id}:{version} 不存在")
        return self._seek(originator_id, version, known[version])

    def positions(self, originator_id: str) -> list[int]:
        """The ``seq`` of every event of one originator, in version order."""
        found = self.store.versions(originator_id)
        if not found:
            raise ProofRequestError(f"没有 {originator_id} 的事件")
        return [self._seek(originator_id, v, n) for v, n in found]

    def _seek(self, originator_id: str, version: int, order: int) -> int:
        # seq equals the notification id unless ids have gaps (PostgreSQL burns
        # one on a refused insert); then seq is smaller: search below by order,
        # reading each probe's header and its event's notification id.
        target = (originator_id, version)
        guess = min(order, self.size())
        if guess and self._named(guess) == target:
            return guess
        low, high = 1, guess - 1
        while low <= high:
            middle = (low + high) // 2
            named = self._named(middle)
            if named == target:
                return middle
            probe = dict(self.store.versions(named[0])).get(named[1], 0)
            low, high = (middle + 1, high) if probe < order else (low, middle - 1)
        raise ProofRequestError(f"完整性日志中找不到事件 {originator_id}:{version} 的条目")

    def _named(self, seq: int) -> tuple[str, int]:
        _, _, entry = next(self.store.entries(seq, seq))
        header = orjson.loads(entry[: entry.index(b"\n")])
        return str(header["originator_id"]), int(header["originator_version"])

    def _check_size(self, size: int) -> None:
        have = self.size()
        if not 0 <= size <= have:
            raise ProofRequestError(f"树大小 {size} 超出日志现有条目数 {have}")
