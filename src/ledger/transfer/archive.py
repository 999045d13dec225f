"""The full event archive as JSON Lines, and restoring it into an empty database.

Format (one JSON object per line, UTF-8):

* ``{"format": "ledger-archive", "version": 1}`` first;
* ``{"idempotency_key": K, "fingerprint": F, "receipt": base64}`` for each stored key;
* ``{"seq": n, "leaf_hash": hex, "entry": text}`` for each event, seq 1, 2, 3 …:
  the integrity log's row; its entry (header line, newline, state bytes, all
  UTF-8 JSON written by orjson) as a JSON string, so that encoding the string
  as UTF-8 gives back the exact bytes that were hashed;
* ``{"end": true, "events": N, "root_hash": hex}`` last: the RFC 9162 tree
  head of the N leaves, so a truncated or altered archive is refused.

Restore reads the archive twice: first it checks every line (leaf hashes,
dense seq, the root in the last line), then it inserts the stored events
exactly as they are (never re-serialised) through the recorder, which writes
the same integrity rows, and rebuilds the read models from them.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent

from ledger.application.ledger import Ledger
from ledger.infrastructure import integrity
from ledger.infrastructure.idempotency import Idempotency
from ledger.proof.stream import RootBuilder
from ledger.transfer.keys import integrity_count, integrity_page, read_keys

PAGE = 8192  # a power of two: each full page is one perfect subtree of the log
BATCH = 2_000
HEADER = {"format": "ledger-archive", "version": 1}
Progress = Callable[[int, int], None]


class ArchiveError(ValueError):
    """An archive that cannot be restored, or a database it cannot go into."""


@dataclass(frozen=True)
class ArchiveSummary:
    """What an archive holds: how many events and their tree head."""

    events: int
    root_hash: str
    keys: int


def export_archive(app: Ledger, out: IO[bytes], progress: Progress | None = None) -> ArchiveSummary:
    """Write every event of the integrity log (as of the start) and every idempotency key."""
    recorder: Any = app.recorder
    head = integrity_count(recorder)
    out.write(orjson.dumps(HEADER) + b"\n")
    keys = read_keys(app)
    for key in keys:
        row = {
            "idempotency_key": key.key,
            "fingerprint": key.fingerprint,
            "receipt": _b64(key.receipt),
        }
        out.write(orjson.dumps(row) + b"\n")
    tree = RootBuilder()
    # The next page is read in a thread while this one is written: the database
    # driver and the file write both release the GIL.
    with ThreadPoolExecutor(1) as reader:
        starts = range(1, head + 1, PAGE)
        pending = [
            reader.submit(integrity_page, recorder, s, min(s + PAGE - 1, head)) for s in starts[:1]
        ]
        for n in range(len(starts)):
            rows = pending.pop().result()
            if n + 1 < len(starts):
                s = starts[n + 1]
                pending.append(reader.submit(integrity_page, recorder, s, min(s + PAGE - 1, head)))
            tree.extend([leaf for _, leaf, _ in rows])
            out.write(b"".join([_line(seq, leaf, entry) for seq, leaf, entry in rows]))
            if progress is not None:
                progress(tree.count, head)
    root = tree.root().hex()
    out.write(orjson.dumps({"end": True, "events": tree.count, "root_hash": root}) + b"\n")
    return ArchiveSummary(tree.count, root, len(keys))


def check_archive(source: IO[bytes], progress: Progress | None = None) -> ArchiveSummary:
    """Check every line of an archive without restoring it; ArchiveError names the first fault."""
    tree = RootBuilder()
    keys = 0
    end: dict[str, Any] | None = None
    for number, line in enumerate(source, 1):
        data = _parsed(line, number)
        if number == 1:
            if data != HEADER:
                raise ArchiveError("不是台账事件归档文件(首行格式标记不符)")
        elif end is not None:
            raise ArchiveError(f"第 {number} 行:结束标记之后还有内容")
        elif "seq" in data:
            _check_event(data, tree, number)
            if progress is not None and tree.count % PAGE == 0:
                progress(tree.count, 0)
        elif "idempotency_key" in data:
            keys += 1
        elif data.get("end") is True:
            end = data
        else:
            raise ArchiveError(f"第 {number} 行:无法识别的内容")
    if end is None:
        raise ArchiveError("归档文件不完整:缺少结束标记(文件可能被截断)")
    root = tree.root().hex()
    if end.get("events") != tree.count or end.get("root_hash") != root:
        raise ArchiveError(
            f"归档文件校验失败:结束标记记载 {end.get('events')} 条事件、根哈希 "
            f"{end.get('root_hash')},实际为 {tree.count} 条、{root}"
        )
    return ArchiveSummary(tree.count, root, keys)


def _check_event(data: dict[str, Any], tree: RootBuilder, number: int) -> None:
    if data.get("seq") != tree.count + 1:
        raise ArchiveError(f"第 {number} 行:序号应为 {tree.count + 1},实为 {data.get('seq')}")
    entry = _entry(data, number)
    leaf = integrity.leaf_hash(entry)
    if leaf.hex() != data.get("leaf_hash"):
        raise ArchiveError(f"第 {number} 行:叶哈希与事件内容不符(序号 {data['seq']})")
    tree.add(leaf)


def restore_archive(
    app: Ledger, path: str, progress: Progress | None = None, *, rebuild: bool = True
) -> ArchiveSummary:
    """Restore an archive file into this ledger's empty database; the read models are rebuilt.

    With ``rebuild=False`` they are left behind the log (the next ledger
    opened on the database builds them).
    """
    with open(path, "rb") as source:
        summary = check_archive(source)
    recorder: Any = app.recorder
    if recorder.max_notification_id() or recorder.integrity_rows(1, 1):
        raise ArchiveError("目标数据库不是空的:恢复只能写入新建的空数据库")
    projector, recorder.projector = recorder.projector, None
    try:
        with open(path, "rb") as source:
            _insert(recorder, source, summary, progress)
    finally:
        recorder.projector = projector
    if rebuild:
        projector.rebuild()
    return summary


def _insert(
    recorder: Any, source: IO[bytes], summary: ArchiveSummary, progress: Progress | None
) -> None:
    keys: list[Idempotency] = []
    batch: list[StoredEvent] = []
    done = 0
    for number, line in enumerate(source, 1):
        data = orjson.loads(line)
        if "seq" in data:
            batch.append(stored_event(_entry(data, number)))
            if len(batch) == BATCH:
                recorder.insert_events(batch, idempotency=keys)
                done, batch, keys = done + len(batch), [], []
                if progress is not None:
                    progress(done, summary.events)
        elif "idempotency_key" in data:
            keys.append(
                Idempotency(
                    data["idempotency_key"], data["fingerprint"], _unb64(data["receipt"], number)
                )
            )
    if batch:
        recorder.insert_events(batch, idempotency=keys)
        if progress is not None:
            progress(done + len(batch), summary.events)


def stored_event(entry: bytes) -> StoredEvent:
    """The stored event an integrity entry holds: its header names it, the rest is its state."""
    header, _, state = entry.partition(b"\n")
    meta = orjson.loads(header)
    return StoredEvent(
        originator_id=UUID(meta["originator_id"]),
        originator_version=meta["originator_version"],
        topic=meta["topic"],
        state=state,
    )


def _line(seq: int, leaf: bytes, entry: bytes) -> bytes:
    """One event's line; the entry is UTF-8 JSON (orjson's), so its text form is exact."""
    return b'{"seq":%d,"leaf_hash":"%s","entry":%s}\n' % (
        seq,
        leaf.hex().encode(),
        orjson.dumps(entry.decode("utf-8")),
    )


def _parsed(line: bytes, number: int) -> dict[str, Any]:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise ArchiveError(f"第 {number} 行不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise ArchiveError(f"第 {number} 行不是 JSON 对象")
    return data


def _entry(data: dict[str, Any], number: int) -> bytes:
    entry = data.get("entry")
    if not isinstance(entry, str):
        raise ArchiveError(f"第 {number} 行:缺少事件内容 entry")
    return entry.encode("utf-8")


def _unb64(value: Any, number: int) -> bytes:
    try:
        return binascii.a2b_base64(value, strict_mode=True)
    except (TypeError, binascii.Error):
        raise ArchiveError(f"第 {number} 行:base64 内容无效") from None


def _b64(value: bytes) -> str:
    return binascii.b2a_base64(value, newline=False).decode()
