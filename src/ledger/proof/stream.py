"""The RFC 9162 Merkle tree head of a stream of leaf hashes, in logarithmic memory
(for exports and restores, which see each leaf once, in order)."""

from __future__ import annotations

import hashlib

from ledger.infrastructure.integrity import NODE_PREFIX, node_hash
from ledger.proof.merkle import EMPTY_ROOT


class RootBuilder:
    """Feed leaf hashes in order; ``root()`` is MTH of all of them so far.

    Keeps one perfect subtree per set bit of the count (RFC 9162 §2.1.1:
    the left subtree is the largest power of two smaller than n).
    """

    def __init__(self) -> None:
        self.count = 0
        self._stack: list[tuple[int, bytes]] = []

    def add(self, leaf: bytes) -> None:
        self._push(1, leaf)
        self.count += 1

    def extend(self, leaves: list[bytes]) -> None:
        """Add many leaves; a run that fills a whole aligned subtree is hashed level by level."""
        size = len(leaves)
        if size and size & (size - 1) == 0 and self.count % size == 0:
            self.add_subtree(size, subtree_root(leaves))
            return
        for leaf in leaves:
            self.add(leaf)

    def add_subtree(self, size: int, digest: bytes) -> None:
        """Add the root of the next ``size`` leaves: a power of two, at a multiple of ``size``."""
        if size < 1 or size & (size - 1) or self.count % size:
            raise ValueError(f"a subtree of {size} leaves cannot follow {self.count} leaves")
        self._push(size, digest)
        self.count += size

    def _push(self, size: int, digest: bytes) -> None:
        stack = self._stack
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            digest = node_hash(left, digest)
            size *= 2
        stack.append((size, digest))

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        digest = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            digest = node_hash(left, digest)
        return digest


def subtree_root(leaves: list[bytes]) -> bytes:
    """MTH of a power-of-two number of leaves, hashed level by level."""
    level = leaves
    while len(level) > 1:
        level = [
            hashlib.sha256(NODE_PREFIX + left + right).digest()
            for left, right in zip(level[0::2], level[1::2], strict=True)
        ]
    return level[0]
