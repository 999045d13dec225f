"""Proofs and roots served from the database agree with the stored log and verify."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from ledger.application.ledger import Ledger
from ledger.proof.merkle import root
from ledger.proof.service import ProofRequestError, Prover
from ledger.proof.store import Location
from ledger.proof.verify import verify_consistency, verify_inclusion
from tests.infrastructure.test_integrity import stored
from tests.proof.conftest import fill, sql


def decoded(hashes: list[str]) -> list[bytes]:
    return [base64.b64decode(h) for h in hashes]


def check_inclusion(proof: dict[str, Any]) -> None:
    verify_inclusion(
        proof["leaf_index"],
        proof["tree_size"],
        base64.b64decode(proof["leaf_hash"]),
        decoded(proof["proof"]),
        base64.b64decode(proof["root"]),
    )


def test_the_root_is_the_rfc_9162_root_of_every_stored_leaf_at_every_size(filled: Ledger) -> None:
    prover = Prover(Location.of(filled).open())
    leaves = prover.store.leaves(1, prover.size())
    for size in (0, 1, 2, 3, 255, 256, 257, 300, len(leaves)):
        assert prover.root(size) == root(leaves[:size])


def test_every_inclusion_proof_verifies_against_the_root(filled: Ledger) -> None:
    prover = Prover(Location.of(filled).open())
    size = prover.size()
    for seq in range(1, size + 1):
        check_inclusion(prover.inclusion(seq))
    check_inclusion(prover.inclusion(3, 257))


def test_consistency_proofs_between_sizes_verify(filled: Ledger) -> None:
    prover = Prover(Location.of(filled).open())
    size = prover.size()
    for old in (1, 7, 100, 255, 256, 257, size):
        proof = prover.consistency(old, size)
        verify_consistency(
            old,
            size,
            decoded(proof["proof"]),
            base64.b64decode(proof["old_root"]),
            base64.b64decode(proof["new_root"]),
        )


def test_the_cache_grows_with_the_log_and_old_roots_stay(filled: Ledger) -> None:
    prover = Prover(Location.of(filled).open())
    before = prover.size()
    old_root = prover.root(before)
    fill(filled, reports=100)
    later = Prover(Location.of(filled).open())
    assert later.size() > before and later.root(before) == old_root
    assert later.root(later.size()) == root(later.store.leaves(1, later.size()))
    check_inclusion(later.inclusion(later.size()))


def test_an_event_is_found_by_id_and_version_even_when_notification_ids_have_gaps(
    filled: Ledger,
) -> None:
    ids = fill(filled, reports=0)  # new findings after whatever gap we make below
    if filled.settings.is_postgres:
        sql(filled, "SELECT setval('{schema}ledger_events_notification_id_seq', 5000)")
        ids = fill(filled, reports=4)
    prover = Prover(Location.of(filled).open())
    seqs = prover.positions(str(ids["first"]))
    assert len(seqs) >= 2
    for version, seq in enumerate(seqs, 1):
        assert prover.position(str(ids["first"]), version) == seq
        _, _, entry = next(prover.store.entries(seq, seq))
        assert str(ids["first"]).encode() in entry


@pytest.mark.parametrize(
    "ask",
    [
        lambda p: p.inclusion(0),
        lambda p: p.inclusion(p.size() + 1),
        lambda p: p.inclusion(1, p.size() + 1),
        lambda p: p.consistency(0, 5),
        lambda p: p.consistency(9, 8),
        lambda p: p.position("00000000-0000-0000-0000-000000000000", 1),
    ],
    ids=["seq-0", "seq-past-end", "size-past-end", "old-0", "old-above-new", "unknown-event"],
)
def test_a_proof_of_something_not_in_the_log_is_refused_and_changes_nothing(
    filled: Ledger, ask: Any
) -> None:
    before = stored(filled)
    with pytest.raises(ProofRequestError):
        ask(Prover(Location.of(filled).open()))
    assert stored(filled) == before


def test_a_cache_with_a_tile_deleted_by_hand_is_refilled_and_proofs_still_verify(
    filled: Ledger,
) -> None:
    prover = Prover(Location.of(filled).open())
    size = prover.size()
    good_root = prover.root(size)
    sql(filled, "DELETE FROM {schema}ledger_merkle_tiles WHERE level = 0 AND idx = 0")
    fresh = Prover(Location.of(filled).open())
    assert fresh.root(size) == good_root
    check_inclusion(fresh.inclusion(1))
