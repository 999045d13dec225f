"""Signing keys and signed checkpoints: C2SP signed-note text, Ed25519, key files."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from ledger.proof.checkpoint import DASH, Checkpoint, CheckpointError, open_note
from ledger.proof.keys import KeyFileError, VerifierKey, default_path, load, load_or_create
from ledger.proof.store import Location

ROOT = hashlib.sha256(b"root").digest()


def test_a_key_is_created_on_first_use_with_mode_0600_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "k" / "ledger.signing-key"
    first = load_or_create(path, "ledger.example")
    assert path.stat().st_mode & 0o777 == 0o600
    again = load_or_create(path)
    assert again.verifier == first.verifier and again.name == "ledger.example"


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.signing-key"
    load_or_create(path, "ledger")
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="权限过宽"):
        load(path)


def test_the_key_id_is_the_c2sp_hash_of_name_newline_algorithm_and_key(tmp_path: Path) -> None:
    verifier = load_or_create(tmp_path / "k", "ledger.example").verifier
    expected = hashlib.sha256(b"ledger.example\n\x01" + verifier.public).digest()[:4]
    name, hex_id, encoded = verifier.text().split("+", 2)
    assert (name, bytes.fromhex(hex_id)) == ("ledger.example", expected)
    assert base64.b64decode(encoded) == b"\x01" + verifier.public
    assert VerifierKey.parse(verifier.text()) == verifier


def test_the_note_is_origin_size_root_blank_line_and_an_em_dash_signature(tmp_path: Path) -> None:
    key = load_or_create(tmp_path / "k", "ledger.example")
    note = Checkpoint("ledger.example", 42, ROOT).sign(key)
    body, signature = note.split("\n\n")
    assert body == f"ledger.example\n42\n{base64.b64encode(ROOT).decode()}"
    dash, name, encoded = signature.rstrip("\n").split(" ")
    raw = base64.b64decode(encoded)
    assert (dash, name, raw[:4], len(raw)) == (DASH, "ledger.example", key.verifier.id, 68)
    assert key.verifier.verify(raw[4:], (body + "\n").encode())
    assert open_note(note, key.verifier) == Checkpoint("ledger.example", 42, ROOT)


@pytest.mark.parametrize(
    "edit",
    [
        lambda n: n.replace("\n42\n", "\n43\n"),
        lambda n: n.replace("ledger.example\n", "ledger.other\n", 1),
        lambda n: n.replace(DASH, "-"),
        lambda n: n.split("\n\n")[0] + "\n",
        lambda n: n[:-6] + "AAAAA\n",
    ],
    ids=["size", "origin", "dash", "unsigned", "signature"],
)
def test_an_edited_checkpoint_is_refused(tmp_path: Path, edit: object) -> None:
    key = load_or_create(tmp_path / "k", "ledger.example")
    note = Checkpoint("ledger.example", 42, ROOT).sign(key)
    with pytest.raises(CheckpointError):
        open_note(edit(note), key.verifier)  # type: ignore[operator]


def test_a_checkpoint_signed_by_another_key_of_the_same_name_is_refused(tmp_path: Path) -> None:
    ours = load_or_create(tmp_path / "ours", "ledger.example")
    theirs = load_or_create(tmp_path / "theirs", "ledger.example")
    with pytest.raises(CheckpointError, match="有效签名"):
        open_note(Checkpoint("ledger.example", 1, ROOT).sign(theirs), ours.verifier)


@pytest.mark.parametrize("text", ["", "ledger+zz+AAAA", "a b+00000000+AAAA", "ledger+0000+!!"])
def test_a_malformed_public_key_is_refused(text: str) -> None:
    with pytest.raises(KeyFileError):
        VerifierKey.parse(text)


def test_the_key_lives_beside_the_sqlite_file_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEDGER_KEY_FILE", raising=False)
    monkeypatch.delenv("LEDGER_KEY_DIR", raising=False)
    location = Location.from_url(f"sqlite:///{tmp_path}/ledger.db")
    assert default_path(location) == tmp_path / "ledger.db.signing-key"
    monkeypatch.setenv("LEDGER_KEY_DIR", str(tmp_path / "keys"))
    assert default_path(location) == tmp_path / "keys" / "ledger.db.signing-key"
    monkeypatch.setenv("LEDGER_KEY_FILE", str(tmp_path / "x.key"))
    assert default_path(location) == tmp_path / "x.key"
