"""The event archive: restoring it into an empty database reproduces the log and the read models."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo
from ledger.infrastructure.integrity import node_hash
from ledger.proof.stream import RootBuilder
from ledger.transfer import archive
from ledger.transfer.archive import (
    ArchiveError,
    check_archive,
    export_archive,
    restore_archive,
)
from ledger.transfer.importer import apply_import
from ledger.transfer.keys import read_keys
from tests.conftest import idempotency_rows
from tests.transfer.conftest import options, workbook


def stored(app: Ledger) -> list[tuple[Any, ...]]:
    notes = app.recorder.select_notifications(start=1, limit=100_000)
    return [(n.originator_id, n.originator_version, n.topic, n.state) for n in notes]


def read_models(app: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every read model's rows, those kept behind the log caught up first (as a query would)."""
    app.projector.catch_up()
    with app.projector.db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for p in app.projector.projections
            for t in p.tables
        }


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH, written straight from its recursive definition."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


@pytest.fixture
def archived(ledger: Ledger, tmp_path: Path) -> Path:
    load_demo(ledger)
    apply_import(ledger, workbook(), options())
    path = tmp_path / "ledger.jsonl"
    with path.open("wb") as out:
        export_archive(ledger, out)
    return path


def test_restore_reproduces_the_log_and_the_read_models_exactly(
    ledger: Ledger, archived: Path, open_second: Callable[[], Ledger]
) -> None:
    copy = open_second()
    summary = restore_archive(copy, str(archived))
    rows = ledger.recorder.integrity_rows(1, 100_000)  # type: ignore[attr-defined]
    assert copy.recorder.integrity_rows(1, 100_000) == rows  # type: ignore[attr-defined]
    assert stored(copy) == stored(ledger)
    assert idempotency_rows(copy) == idempotency_rows(ledger)
    assert summary.events == len(rows) > 800
    assert summary.root_hash == mth([leaf for _, leaf, _ in rows]).hex()
    assert read_models(copy) == read_models(ledger)


def test_the_restored_ledger_goes_on_as_the_original(
    ledger: Ledger, archived: Path, open_second: Callable[[], Ledger]
) -> None:
    copy = open_second()
    restore_archive(copy, str(archived))
    before = len(stored(copy))
    load_demo(copy)  # its idempotency keys came along: nothing is written twice
    assert apply_import(copy, workbook(), options()).events == 0
    assert len(stored(copy)) == before


def test_restore_refuses_a_database_that_is_not_empty(ledger: Ledger, archived: Path) -> None:
    before = stored(ledger)
    with pytest.raises(ArchiveError, match="目标数据库不是空的"):
        restore_archive(ledger, str(archived))
    assert stored(ledger) == before


@pytest.mark.parametrize("damage", ["entry", "truncate", "order"])
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    ledger: Ledger, archived: Path, open_second: Callable[[], Ledger], damage: str
) -> None:
    lines = archived.read_bytes().splitlines(keepends=True)
    events = [i for i, line in enumerate(lines) if line.startswith(b'{"seq"')]
    if damage == "entry":
        i = events[10]
        lines[i] = lines[i].replace(b"originator_version", b"originator_Version", 1)
    elif damage == "truncate":
        lines = lines[:-5]
    else:
        lines[events[3]], lines[events[4]] = lines[events[4]], lines[events[3]]
    archived.write_bytes(b"".join(lines))
    copy = open_second()
    with pytest.raises(ArchiveError):
        restore_archive(copy, str(archived))
    assert stored(copy) == []


def test_the_streamed_root_matches_the_recursive_definition() -> None:
    for n in (1, 2, 3, 5, 8, 13, 64, 100):
        leaves = [hashlib.sha256(bytes([i])).digest() for i in range(n)]
        tree = RootBuilder()
        for leaf in leaves:
            tree.add(leaf)
        assert tree.root() == mth(leaves)
    pages = RootBuilder()  # whole aligned subtrees at once, then a ragged tail
    for start in range(0, 100, 16):
        pages.extend(
            [hashlib.sha256(bytes([i])).digest() for i in range(start, min(start + 16, 100))]
        )
    assert pages.root() == tree.root() and pages.count == 100


def version_1(app: Ledger) -> bytes:
    """The archive as the first format wrote it: each entry a JSON string."""
    lines = [orjson.dumps({"format": "ledger-archive", "version": 1})]
    for key in read_keys(app):
        receipt = base64.b64encode(key.receipt).decode()
        lines.append(
            orjson.dumps(
                {"idempotency_key": key.key, "fingerprint": key.fingerprint, "receipt": receipt}
            )
        )
    rows = app.recorder.integrity_rows(1, 100_000)  # type: ignore[attr-defined]
    for seq, leaf, entry in rows:
        lines.append(
            orjson.dumps({"seq": seq, "leaf_hash": leaf.hex(), "entry": entry.decode("utf-8")})
        )
    root = mth([leaf for _, leaf, _ in rows]).hex()
    lines.append(orjson.dumps({"end": True, "events": len(rows), "root_hash": root}))
    return b"\n".join(lines) + b"\n"


def test_a_version_1_archive_is_still_restored_exactly(
    ledger: Ledger, archived: Path, open_second: Callable[[], Ledger], tmp_path: Path
) -> None:
    old = tmp_path / "old.jsonl"
    old.write_bytes(version_1(ledger))
    copy = open_second()
    summary = restore_archive(copy, str(old))
    rows = ledger.recorder.integrity_rows(1, 100_000)  # type: ignore[attr-defined]
    assert copy.recorder.integrity_rows(1, 100_000) == rows  # type: ignore[attr-defined]
    assert idempotency_rows(copy) == idempotency_rows(ledger)
    assert summary.root_hash == check_archive(archived.open("rb")).root_hash


@pytest.mark.parametrize("workers", [1, 2])
def test_many_pages_read_ahead_or_by_worker_processes_make_the_same_archive(
    ledger: Ledger, archived: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(archive, "PAGE", 64)  # many pages, the last one ragged
    paged = tmp_path / "paged.jsonl"
    with paged.open("wb") as out:
        summary = export_archive(ledger, out, workers=workers)
    assert paged.read_bytes() == archived.read_bytes()
    assert summary.events > 12 * 64 and summary.events % 64


def test_each_event_line_holds_the_entry_bytes_as_stored(ledger: Ledger, archived: Path) -> None:
    lines = [line for line in archived.read_bytes().splitlines() if line.startswith(b'{"seq"')]
    rows = ledger.recorder.integrity_rows(1, 100_000)  # type: ignore[attr-defined]
    assert len(lines) == len(rows)
    for line, (seq, leaf, entry) in zip(lines, rows, strict=True):
        data = orjson.loads(line)
        header, _, state = entry.partition(b"\n")
        assert data["seq"] == seq and data["leaf_hash"] == leaf.hex()
        assert data["entry"] == [orjson.loads(header), orjson.loads(state)]
        assert header + b"," + state in line and data["header_length"] == len(header)


@pytest.mark.parametrize("damage", ["header_length", "state", "brackets"])
def test_a_cut_that_does_not_give_back_the_entry_is_refused(
    ledger: Ledger, archived: Path, open_second: Callable[[], Ledger], damage: str
) -> None:
    lines = archived.read_bytes().splitlines(keepends=True)
    i = [i for i, line in enumerate(lines) if line.startswith(b'{"seq"')][7]
    if damage == "header_length":
        data = orjson.loads(lines[i])
        lines[i] = lines[i].replace(
            b'"header_length":%d' % data["header_length"],
            b'"header_length":%d' % (data["header_length"] + 1),
        )
    elif damage == "state":
        lines[i] = lines[i].replace(b'"timestamp"', b'"timestamP"', 1)
    else:
        lines[i] = lines[i].rstrip(b"\n")[:-2] + b"}\n"
    archived.write_bytes(b"".join(lines))
    copy = open_second()
    with pytest.raises(ArchiveError, match="第 "):
        restore_archive(copy, str(archived))
    assert stored(copy) == []
