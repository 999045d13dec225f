"""Signed checkpoints in the C2SP signed-note and tlog-checkpoint text formats.

A checkpoint's body is three lines: the log's origin, the tree size in
decimal, and the base64 RFC 9162 root hash. The signed note is the body, an
empty line, and one signature line per signer::

    <origin>
    <size>
    <base64 root>

    — <name> <base64(key id || Ed25519 signature of the body)>

(the dash is U+2014 EM DASH). A verifier needs only the note and the
signer's verifier key (:class:`ledger.proof.keys.VerifierKey`).
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from ledger.proof.keys import SigningKey, VerifierKey

DASH = "\u2014"


class CheckpointError(ValueError):
    """A checkpoint is malformed or not validly signed (message in Chinese)."""


@dataclass(frozen=True)
class Checkpoint:
    """A tree size and its root hash, for one log."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    def sign(self, key: SigningKey) -> str:
        """The signed note."""
        body = self.body()
        signature = base64.b64encode(key.verifier.id + key.sign(body.encode())).decode()
        return f"{body}\n{DASH} {key.name} {signature}\n"


def default_origin(key: SigningKey) -> str:
    """The log's origin line: ``LEDGER_LOG_ORIGIN``, else the key's name."""
    return os.environ.get("LEDGER_LOG_ORIGIN") or key.name


def open_note(note: str, verifier: VerifierKey) -> Checkpoint:
    """Parse a signed checkpoint and check ``verifier``'s signature on it."""
    body, signatures = _split(note)
    if not _signed_by(body, signatures, verifier):
        raise CheckpointError(f"检查点没有 {verifier.name} 的有效签名(签名无效或密钥不符)")
    return _parse_body(body)


def _split(note: str) -> tuple[str, list[str]]:
    body, separator, rest = note.partition("\n\n")
    if not separator or not rest.endswith("\n"):
        raise CheckpointError("检查点格式错误:缺少签名部分")
    lines = rest[:-1].split("\n")
    if not all(line.startswith(f"{DASH} ") for line in lines):
        raise CheckpointError("检查点格式错误:签名行应以 “— ” 开头")
    return body + "\n", lines


def _signed_by(body: str, lines: list[str], verifier: VerifierKey) -> bool:
    for line in lines:
        name, _, encoded = line[2:].partition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise CheckpointError("检查点签名不是有效的 Base64") from None
        if name == verifier.name and raw[:4] == verifier.id:
            return len(raw) == 68 and verifier.verify(raw[4:], body.encode())
    return False


def _parse_body(body: str) -> Checkpoint:
    lines = body[:-1].split("\n")
    if len(lines) < 3 or not lines[0]:
        raise CheckpointError("检查点格式错误:应有来源、树大小、根哈希三行")
    origin, size_text, root_text = lines[:3]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise CheckpointError(f"检查点的树大小 {size_text!r} 不是十进制数")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise CheckpointError("检查点的根哈希不是有效的 Base64") from None
    if len(root) != 32:
        raise CheckpointError("检查点的根哈希长度应为 32 字节")
    return Checkpoint(origin, int(size_text), root)
