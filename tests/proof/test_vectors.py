"""The proof verifier against transparency-dev/merkle's 518 golden vectors.

Each file must be accepted exactly when it lacks ``"wantErr": true``. The
folder lives outside the repository (``../shared/testdata/merkle``); the
suite fails without it, because CI must run every vector.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ledger.proof.verify import (
    ProofError,
    verify_consistency,
    verify_inclusion,
    verify_subtree_consistency,
    verify_subtree_inclusion,
)

VECTORS = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "merkle"
FILES = sorted(VECTORS.rglob("*.json")) if VECTORS.is_dir() else []


def b64(value: str) -> bytes:
    return base64.b64decode(value)


def proof(case: dict[str, Any]) -> list[bytes]:
    return [b64(h) for h in case["proof"] or []]


def check(family: str, case: dict[str, Any]) -> None:
    """Run one vector through the verifier of its family."""
    if family == "inclusion":
        verify_inclusion(
            case["leafIdx"], case["treeSize"], b64(case["leafHash"]), proof(case), b64(case["root"])
        )
    elif family == "consistency":
        verify_consistency(
            case["size1"], case["size2"], proof(case), b64(case["root1"]), b64(case["root2"])
        )
    elif family == "subtreeinclusion":
        verify_subtree_inclusion(
            case["leafIdx"],
            case["start"],
            case["end"],
            b64(case["leafHash"]),
            proof(case),
            b64(case["root"]),
        )
    else:
        verify_subtree_consistency(
            case["start"],
            case["end"],
            case["size"],
            proof(case),
            b64(case["root1"]),
            b64(case["root2"]),
        )


def test_all_518_vector_files_are_there() -> None:
    assert FILES, f"test vectors not found at {VECTORS}"
    assert len(FILES) == 518


@pytest.mark.parametrize(
    "path", FILES, ids=[str(p.relative_to(VECTORS)) for p in FILES] if FILES else []
)
def test_the_verifier_accepts_exactly_the_vectors_without_want_err(path: Path) -> None:
    case = json.loads(path.read_text())
    family = path.relative_to(VECTORS).parts[0]
    if case.get("wantErr"):
        with pytest.raises(ProofError):
            check(family, case)
    else:
        check(family, case)
