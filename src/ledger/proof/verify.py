"""Checking RFC 9162 proofs: inclusion, consistency, and their subtree forms.

Each check walks up the tree from the proven node with three cursors on one
level at a time: ``node`` (the node on the path), ``last`` (the last node of
the tree on that level) and, for subtrees, ``first`` (the subtree's first
node). A node with an odd index has a left sibling; an even one has a right
sibling unless it is the last on its level (then it is promoted unchanged).
The proof must hold exactly one hash per sibling met, no more, no fewer, and
the leaf and every proof hash must be 32 bytes (roots are only compared).
Every check raises :class:`ProofError`, never returns False, so a caller
cannot forget to look.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.proof.merkle import EMPTY_ROOT, is_valid_subtree, node_hash

HASH_SIZE = 32


class ProofError(ValueError):
    """A proof does not prove what it claims (the message says why, in Chinese)."""


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` is leaf ``index`` of the tree of ``size`` leaves with ``root``."""
    if not 0 <= index < size:
        raise ProofError(f"叶子序号 {index} 不在大小为 {size} 的树内")
    _check_sizes([leaf, *proof])
    hashes = iter(proof)
    node, last, result = index, size - 1, leaf
    while last > 0:
        if node & 1:
            result = node_hash(_next(hashes), result)
        elif node < last:
            result = node_hash(result, _next(hashes))
        node, last = node >> 1, last >> 1
    _finish(hashes, result, root, "根哈希")


def verify_subtree_inclusion(
    index: int, start: int, end: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` is leaf ``index`` inside the subtree ``[start, end)`` with ``root``."""
    if start == end or not is_valid_subtree(start, end):
        raise ProofError(f"[{start}, {end}) 不是有效的子树")
    if not start <= index < end:
        raise ProofError(f"叶子序号 {index} 不在子树 [{start}, {end}) 内")
    verify_inclusion(index - start, end - start, leaf, proof, root)


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Check that the tree of ``new_size`` leaves extends the tree of ``old_size`` (§2.1.4)."""
    if old_size < 1:
        raise ProofError("从空树出发的一致性证明没有意义")
    if old_size > new_size:
        raise ProofError(f"旧树大小 {old_size} 大于新树大小 {new_size}")
    verify_subtree_consistency(0, old_size, new_size, proof, old_root, new_root)


def verify_subtree_consistency(
    start: int, end: int, size: int, proof: Sequence[bytes], sub_root: bytes, root: bytes
) -> None:
    """Check that subtree ``[start, end)`` with ``sub_root`` is part of the tree with ``root``."""
    if not is_valid_subtree(start, end):
        raise ProofError(f"[{start}, {end}) 不是有效的子树")
    if end > size:
        raise ProofError(f"子树结束位置 {end} 超出树的大小 {size}")
    _check_sizes(proof)
    if start == end:
        # The empty subtree is part of every tree; its hash must be the empty root.
        _finish(iter(proof), sub_root, EMPTY_ROOT, "空子树哈希")
        return
    if start == 0 and end == size:
        _finish(iter(proof), sub_root, root, "根哈希")
        return
    _walk_consistency(start, end, size, proof, sub_root, root)


def _walk_consistency(
    start: int, end: int, size: int, proof: Sequence[bytes], sub_root: bytes, root: bytes
) -> None:
    # Start at the subtree's rightmost complete node: it is a node of both
    # trees. When the subtree ends where the tree ends, it is itself a node of
    # the tree: start at its root.
    if end == size:
        shift = ((end - 1) ^ start).bit_length()
    else:
        shift = ((end - start) & -(end - start)).bit_length() - 1
    first, node, last = start >> shift, (end - 1) >> shift, (size - 1) >> shift
    hashes = iter(proof)
    # A perfect subtree is that node itself, so its hash is not in the proof.
    seed = sub_root if first == node else _next(hashes)
    old, new = seed, seed
    while last > 0:
        if node & 1:
            sibling = _next(hashes)
            new = node_hash(sibling, new)
            if first < node:  # the left sibling is inside the subtree
                old = node_hash(sibling, old)
        elif node < last:
            new = node_hash(new, _next(hashes))
        first, node, last = first >> 1, node >> 1, last >> 1
    if old != sub_root:
        raise ProofError("证明与子树(旧树)的根哈希不符")
    _finish(hashes, new, root, "新树根哈希")


def _next(hashes: object) -> bytes:
    try:
        return next(hashes)  # type: ignore[call-overload, no-any-return]
    except StopIteration:
        raise ProofError("证明过短:缺少哈希") from None


def _finish(rest: object, computed: bytes, expected: bytes, what: str) -> None:
    if next(rest, None) is not None:  # type: ignore[call-overload]
        raise ProofError("证明过长:有多余的哈希")
    if computed != expected:
        raise ProofError(f"由证明算出的{what}与给出的不符")


def _check_sizes(hashes: Sequence[bytes]) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError(f"哈希长度错误:应为 {HASH_SIZE} 字节")
