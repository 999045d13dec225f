"""RFC 9162 Merkle tree hashes and proofs (§2.1), over any source of leaf hashes.

The tree over ``n`` leaves is the one RFC 9162 §2.1.1 defines: the root of
``D[0:n]`` is ``HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` with ``k`` the
largest power of two below ``n``; a leaf is ``HASH(0x00 || entry)``.

Proofs are built from a ``Nodes`` source that answers the hash of any
*complete* subtree (``2**level`` leaves starting at ``index * 2**level``); the
hash of any other range is folded from complete subtrees here. So the same
code builds proofs from a list in memory (tests, bundles) and from the tile
cache in the database (:mod:`ledger.proof.tiles`).

A *subtree* ``[start, end)`` is valid when ``start`` is a multiple of the
smallest power of two ``>= end - start`` (draft-ietf-plants-merkle-tree-certs):
it is then a node of the tree of size ``end``. ``[0, n)`` is the whole tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import cache

EMPTY_ROOT = hashlib.sha256(b"").digest()

# The hash of the complete subtree of 2**level leaves starting at index << level.
Nodes = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def is_valid_subtree(start: int, end: int) -> bool:
    """Whether ``[start, end)`` is a subtree: ``start`` aligned to bit_ceil(end - start)."""
    if start > end or start < 0:
        return False
    if start in (0, end):
        return True
    return start % (1 << (end - start - 1).bit_length()) == 0


def complete_ranges(start: int, end: int) -> list[tuple[int, int]]:
    """The valid subtree ``[start, end)`` as its complete subtrees, left to right.

    Each is ``(level, index)``; their hashes fold right to the subtree's hash.
    """
    ranges = []
    position = start
    for level in range(max(end - start, 1).bit_length() - 1, -1, -1):
        if (end - position) >> level & 1:
            ranges.append((level, position >> level))
            position += 1 << level
    return ranges


def fold(hashes: Sequence[bytes]) -> bytes:
    """Fold complete-subtree hashes (largest first) into the hash of their range."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def subtree_hash(nodes: Nodes, start: int, end: int) -> bytes:
    """MTH of the leaves ``[start, end)``, a valid subtree (the empty one too)."""
    if start == end:
        return EMPTY_ROOT
    return fold([nodes(level, index) for level, index in complete_ranges(start, end)])


def inclusion_proof(nodes: Nodes, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[0:size]), lowest sibling first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    return _path(nodes, index, 0, size)


def _path(nodes: Nodes, index: int, start: int, end: int) -> list[bytes]:
    if end - start == 1:
        return []
    middle = start + split_point(end - start)
    if index < middle:
        return [*_path(nodes, index, start, middle), subtree_hash(nodes, middle, end)]
    return [*_path(nodes, index, middle, end), subtree_hash(nodes, start, middle)]


def consistency_proof(nodes: Nodes, old: int, new: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old, D[0:new]); empty when the sizes are equal."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    return subtree_consistency_proof(nodes, 0, old, new)


def subtree_consistency_proof(nodes: Nodes, start: int, end: int, size: int) -> list[bytes]:
    """Proof that the subtree ``[start, end)`` is part of the tree of ``size`` leaves.

    For ``start == 0`` this is RFC 9162's consistency proof from ``end`` to
    ``size``; the general form is the Merkle Tree Certificates draft's.
    """
    if not (is_valid_subtree(start, end) and end <= size):
        raise ValueError(f"[{start}, {end}) is not a subtree of a tree of size {size}")
    if start == end:
        return []
    return _subproof(nodes, start, end, 0, size, True)


def _subproof(nodes: Nodes, start: int, end: int, lo: int, hi: int, known: bool) -> list[bytes]:
    # [lo, hi) is the part of the tree we are in; [start, end) lies inside it.
    if start == lo and end == hi:
        return [] if known else [subtree_hash(nodes, lo, hi)]
    middle = lo + split_point(hi - lo)
    if end <= middle:
        return [*_subproof(nodes, start, end, lo, middle, known), subtree_hash(nodes, middle, hi)]
    if start >= middle:
        return [*_subproof(nodes, start, end, middle, hi, known), subtree_hash(nodes, lo, middle)]
    # Straddling the split: only [0, end) can (alignment), as in RFC 9162.
    return [*_subproof(nodes, middle, end, middle, hi, False), subtree_hash(nodes, lo, middle)]


def memory_nodes(leaves: Sequence[bytes]) -> Nodes:
    """A ``Nodes`` source over leaf hashes in memory (memoised)."""

    @cache
    def nodes(level: int, index: int) -> bytes:
        if level == 0:
            return leaves[index]
        return node_hash(nodes(level - 1, 2 * index), nodes(level - 1, 2 * index + 1))

    return nodes


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (the empty tree too), without memoising."""
    if not leaves:
        return EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []
    for leaf in leaves:
        height, current = 0, leaf
        while stack and stack[-1][0] == height:
            current = node_hash(stack.pop()[1], current)
            height += 1
        stack.append((height, current))
    return fold([h for _, h in stack])
