"""Dispute bundles: chosen events, their inclusion proofs and a signed checkpoint, in one file.

A bundle is JSON::

    {"format": "ledger-dispute-bundle/1", "checkpoint": "<signed note>",
     "events": [{"seq": 17, "originator_id": "…", "originator_version": 3,
                 "topic": "…", "entry": "<base64 exact entry bytes>",
                 "proof": ["<base64>", …]}, …]}

Checking one needs no database: the checkpoint's signature with the ledger's
verifier key, then each entry's leaf hash through its proof to the signed
root, and each readable field against the entry's own header line.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson

from ledger.proof.checkpoint import Checkpoint, CheckpointError, default_origin, open_note
from ledger.proof.keys import SigningKey, VerifierKey
from ledger.proof.merkle import leaf_hash
from ledger.proof.service import Prover, b64
from ledger.proof.verify import ProofError, verify_inclusion

FORMAT = "ledger-dispute-bundle/1"


class BundleError(ValueError):
    """A bundle is malformed or does not prove what it claims (message in Chinese)."""


def make_bundle(prover: Prover, seqs: list[int], key: SigningKey) -> dict[str, Any]:
    """A bundle of the entries at ``seqs``, proven against a fresh signed checkpoint."""
    size = prover.size()
    checkpoint = Checkpoint(default_origin(key), size, prover.root(size))
    events = []
    for seq in sorted(set(seqs)):
        proof = prover.inclusion(seq, size)
        _, _, entry = next(prover.store.entries(seq, seq))
        header = orjson.loads(entry[: entry.index(b"\n")])
        events.append({"seq": seq, **header, "entry": b64(entry), "proof": proof["proof"]})
    return {"format": FORMAT, "checkpoint": checkpoint.sign(key), "events": events}


@dataclass(frozen=True)
class Proven:
    """One event a bundle proves is in the signed log."""

    seq: int
    originator_id: str
    originator_version: int
    topic: str


def verify_bundle(data: bytes, verifier: VerifierKey) -> tuple[Checkpoint, list[Proven]]:
    """Check a bundle offline; raise :class:`BundleError` naming the first bad event."""
    try:
        bundle = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BundleError("争议包不是有效的 JSON") from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise BundleError(f"不是争议包(format 应为 {FORMAT})")
    try:
        checkpoint = open_note(str(bundle.get("checkpoint", "")), verifier)
    except CheckpointError as error:
        raise BundleError(f"争议包的检查点无效:{error}") from None
    events = bundle.get("events")
    if not isinstance(events, list) or not events:
        raise BundleError("争议包中没有事件")
    return checkpoint, [_check_event(item, checkpoint) for item in events]


def _check_event(item: Any, checkpoint: Checkpoint) -> Proven:
    try:
        seq = int(item["seq"])
        entry = base64.b64decode(item["entry"], validate=True)
        proof = [base64.b64decode(h, validate=True) for h in item["proof"]]
        header = orjson.loads(entry[: entry.index(b"\n")])
    except (KeyError, TypeError, ValueError, binascii.Error, orjson.JSONDecodeError):
        raise BundleError(f"争议包中的事件格式错误:{str(item)[:80]}") from None
    try:
        verify_inclusion(seq - 1, checkpoint.size, leaf_hash(entry), proof, checkpoint.root)
    except ProofError as error:
        raise BundleError(f"第 {seq} 条事件的包含证明不成立:{error}") from None
    for name in ("originator_id", "originator_version", "topic"):
        if item.get(name) != header.get(name):
            raise BundleError(f"第 {seq} 条事件的字段 {name} 与条目内容不符")
    return Proven(seq, header["originator_id"], header["originator_version"], header["topic"])
