"""Tree hashes and proof generation, checked against published values and the verifier."""

from __future__ import annotations

import hashlib

import pytest

from ledger.proof.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    is_valid_subtree,
    leaf_hash,
    memory_nodes,
    root,
    subtree_consistency_proof,
    subtree_hash,
)
from ledger.proof.verify import (
    ProofError,
    verify_consistency,
    verify_inclusion,
    verify_subtree_consistency,
    verify_subtree_inclusion,
)

# The classic RFC 6962 test tree (certificate-transparency, transparency-dev).
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOT_8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def leaves(n: int) -> list[bytes]:
    """The draft's tree D: leaf i holds the single byte i."""
    return [leaf_hash(bytes([i])) for i in range(n)]


def valid_subtrees(size: int) -> list[tuple[int, int]]:
    return [(s, e) for e in range(size + 1) for s in range(e + 1) if is_valid_subtree(s, e)]


def test_the_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_the_rfc_6962_eight_leaf_tree_has_its_published_root() -> None:
    assert root([leaf_hash(x) for x in CT_LEAVES]).hex() == CT_ROOT_8


def test_root_and_subtree_hash_agree_for_every_size_up_to_70() -> None:
    hashes = leaves(70)
    nodes = memory_nodes(hashes)
    for n in range(71):
        assert subtree_hash(nodes, 0, n) == root(hashes[:n])


# Accumulated values from the "Subtree Test Vectors" appendix of
# draft-ietf-plants-merkle-tree-certs (also checked by transparency-dev/merkle):
# every valid subtree / proof over trees up to 130 leaves, hashed as text lines.
def test_subtree_hashes_match_the_drafts_accumulated_vector() -> None:
    nodes, digest = memory_nodes(leaves(130)), hashlib.sha256()
    for start, end in valid_subtrees(130):
        digest.update(f"[{start}, {end}) {subtree_hash(nodes, start, end).hex()}\n".encode())
    assert digest.hexdigest() == "b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81"


def proof_line(prefix: str, proof: list[bytes]) -> bytes:
    return (prefix + "".join(f" {h.hex()}" for h in proof) + "\n").encode()


def test_subtree_inclusion_proofs_match_the_drafts_accumulated_vector() -> None:
    hashes, digest = leaves(130), hashlib.sha256()
    for start, end in valid_subtrees(130):
        nodes = memory_nodes(hashes[start:end])
        for index in range(start, end):
            proof = inclusion_proof(nodes, index - start, end - start)
            digest.update(proof_line(f"{index} [{start}, {end})", proof))
    assert digest.hexdigest() == "ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f"


def test_subtree_consistency_proofs_match_the_drafts_accumulated_vector() -> None:
    nodes, digest = memory_nodes(leaves(130)), hashlib.sha256()
    for n in range(131):
        for start, end in valid_subtrees(n):
            proof = subtree_consistency_proof(nodes, start, end, n)
            digest.update(proof_line(f"[{start}, {end}) {n}", proof))
    assert digest.hexdigest() == "10fa99b37bf9bf9ffa26b412fbd98bd75363256d0b75d61bc4538b9c9c5a0a74"


def flipped(proof: list[bytes], which: int) -> list[bytes]:
    changed = list(proof)
    changed[which] = bytes([changed[which][0] ^ 1]) + changed[which][1:]
    return changed


def test_every_inclusion_proof_verifies_and_any_changed_hash_is_refused() -> None:
    hashes = leaves(40)
    nodes = memory_nodes(hashes)
    for n in range(1, 41):
        top = root(hashes[:n])
        for i in range(n):
            proof = inclusion_proof(nodes, i, n)
            verify_inclusion(i, n, hashes[i], proof, top)
            for which in range(len(proof)):
                with pytest.raises(ProofError):
                    verify_inclusion(i, n, hashes[i], flipped(proof, which), top)
            with pytest.raises(ProofError):
                verify_inclusion(i, n, hashes[(i + 1) % 40], proof, top)


def test_every_consistency_proof_verifies_and_a_wrong_one_is_refused() -> None:
    hashes = leaves(40)
    nodes = memory_nodes(hashes)
    for new in range(1, 41):
        for old in range(1, new + 1):
            proof = consistency_proof(nodes, old, new)
            old_root, new_root = root(hashes[:old]), root(hashes[:new])
            verify_consistency(old, new, proof, old_root, new_root)
            for which in range(len(proof)):
                with pytest.raises(ProofError):
                    verify_consistency(old, new, flipped(proof, which), old_root, new_root)
            if old < new:
                with pytest.raises(ProofError):
                    verify_consistency(old, new, proof[:-1], old_root, new_root)


def test_every_subtree_consistency_proof_verifies() -> None:
    hashes = leaves(33)
    nodes = memory_nodes(hashes)
    for n in range(34):
        for start, end in valid_subtrees(n):
            proof = subtree_consistency_proof(nodes, start, end, n)
            sub = subtree_hash(nodes, start, end)
            verify_subtree_consistency(start, end, n, proof, sub, root(hashes[:n]))
            inside = memory_nodes(hashes[start:end])
            for index in range(start, end):
                inner = inclusion_proof(inside, index - start, end - start)
                verify_subtree_inclusion(index, start, end, hashes[index], inner, sub)


def test_a_proof_for_a_leaf_outside_the_tree_is_refused() -> None:
    nodes = memory_nodes(leaves(4))
    with pytest.raises(ValueError):
        inclusion_proof(nodes, 4, 4)
    with pytest.raises(ValueError):
        consistency_proof(nodes, 5, 4)
