"""The full event archive as JSON Lines, and restoring it into an empty database.

Format (one JSON object per line, UTF-8):

* ``{"format": "ledger-archive", "version": 2}`` first;
* ``{"idempotency_key": K, "fingerprint": F, "receipt": base64}`` for each stored key;
* ``{"seq": n, "leaf_hash": hex, "header_length": h, "entry": [header, state]}``
  for each event, seq 1, 2, 3 …: the integrity log's row. Its entry (a header
  line of JSON, a newline, the state bytes, JSON too, all written by orjson)
  is written as it is stored, with the newline replaced by the comma that
  makes the two a JSON array; ``header_length`` is the header's length in
  bytes, so the exact entry is cut back out of the line without parsing or
  re-serialising anything (and its leaf hash checks the cut);
* ``{"end": true, "events": N, "root_hash": hex}`` last: the RFC 9162 tree
  head of the N leaves, so a truncated or altered archive is refused.

Version 1 archives, still restored, wrote each event as
``{"seq": n, "leaf_hash": hex, "entry": text}``: the entry as a JSON string.

Restore reads the archive twice: first it checks every line (leaf hashes,
dense seq, the root in the last line), then it inserts the stored events
exactly as they are (never re-serialised) through the recorder, which writes
the same integrity rows, and rebuilds the read models from them.
"""

from __future__ import annotations

import binascii
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent
from psycopg.conninfo import make_conninfo

from ledger.application.ledger import Ledger
from ledger.infrastructure import integrity
from ledger.infrastructure.idempotency import Idempotency
from ledger.proof.store import Location
from ledger.proof.stream import RootBuilder
from ledger.transfer import pages
from ledger.transfer.keys import integrity_count, integrity_page, read_keys

PAGE = 8192  # a power of two: each full page is one perfect subtree of the log
BATCH = 2_000
HEADER = {"format": "ledger-archive", "version": 2}
VERSIONS = (1, 2)  # the versions restore reads
Progress = Callable[[int, int], None]


class ArchiveError(ValueError):
    """An archive that cannot be restored, or a database it cannot go into."""


@dataclass(frozen=True)
class ArchiveSummary:
    """What an archive holds: how many events and their tree head."""

    events: int
    root_hash: str
    keys: int


def export_archive(
    app: Ledger, out: IO[bytes], progress: Progress | None = None, *, workers: int = 1
) -> ArchiveSummary:
    """Write every event of the integrity log (as of the start) and every idempotency key.

    With ``workers`` > 1, pages of the log are read and formatted by that many
    processes while this one writes them in order: worth it on a machine with
    idle cores (each page crosses a pipe). A small log, or a private in-memory
    database, is always done here.
    """
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
    # One thread writes each page (the interpreter is let go while the file takes
    # it) while this one formats and hashes the next; one write at a time, in order.
    with ThreadPoolExecutor(1) as writer:
        written: Future[int] | None = None
        for done in _pages(app, head, workers):
            if done.count != done.last - done.first + 1 or tree.count != done.first - 1:
                raise ArchiveError(f"完整性日志在序号 {done.first}–{done.last} 之间不连续,无法归档")
            if done.root:
                tree.add_subtree(done.count, done.root)
            else:
                tree.extend(list(done.leaves))
            if written is not None:
                written.result()
            written = writer.submit(out.write, done.lines)
            if progress is not None:
                progress(tree.count, head)
        if written is not None:
            written.result()
    root = tree.root().hex()
    out.write(orjson.dumps({"end": True, "events": tree.count, "root_hash": root}) + b"\n")
    return ArchiveSummary(tree.count, root, len(keys))


def _pages(app: Ledger, head: int, workers: int) -> Iterator[pages.Page]:
    """The log's pages in order, at most a few ahead of the writer."""
    ranges = [(s, min(s + PAGE - 1, head)) for s in range(1, head + 1, PAGE)]
    location = Location.of(app)
    if not location.parallel:  # a private in-memory database: only its own connection sees it
        for first, last in ranges:
            yield pages.formatted(integrity_page(app.recorder, first, last), first, last)
        return
    source = _source(location)
    workers = min(workers, len(ranges))
    if workers < 2 or len(ranges) < 3:
        # One thread reads the next page (the driver lets go of the interpreter
        # while the database works) while this one formats and writes.
        with ThreadPoolExecutor(1) as reader:
            conn = reader.submit(pages.connect, source).result()  # used by that thread only
            read: deque[Future[list[Any]]] = deque()
            try:
                read.extend(reader.submit(pages.rows, conn, source, *r) for r in ranges[:2])
                for n, (first, last) in enumerate(ranges):
                    rows = read.popleft().result()
                    if n + 2 < len(ranges):
                        read.append(reader.submit(pages.rows, conn, source, *ranges[n + 2]))
                    yield pages.formatted(rows, first, last)
            finally:
                for pending in read:
                    pending.cancel()
                reader.submit(conn.close).result()
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        ahead: deque[Future[pages.Page]] = deque()
        for first, last in ranges:
            ahead.append(pool.submit(pages.page, source, first, last))
            if len(ahead) > 2 * workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def _source(location: Location) -> pages.Source:
    if location.dialect == "sqlite":
        return pages.Source("sqlite", location.sqlite_name)
    connect = {k: v for k, v in location.postgres.items() if v}
    return pages.Source("postgres", make_conninfo(**connect), location.schema)


def check_archive(source: IO[bytes], progress: Progress | None = None) -> ArchiveSummary:
    """Check every line of an archive without restoring it; ArchiveError names the first fault."""
    tree = RootBuilder()
    keys = 0
    version = 0
    end: dict[str, Any] | None = None
    for number, line in enumerate(source, 1):
        if number == 1:
            version = _version(line)
        elif end is not None:
            raise ArchiveError(f"第 {number} 行:结束标记之后还有内容")
        elif line.startswith(EVENT) or "seq" in (data := _parsed(line, number)):
            _check_event(_event(line, number, version), tree, number)
            if progress is not None and tree.count % PAGE == 0:
                progress(tree.count, 0)
        else:
            if "idempotency_key" in data:
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


EVENT = b'{"seq":'  # how every event line starts (orjson writes no spaces)


def _version(line: bytes) -> int:
    """The format version the first line declares (one restore reads), else ArchiveError."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or data.get("format") != HEADER["format"] or len(data) != 2:
        raise ArchiveError("不是台账事件归档文件(首行格式标记不符)")
    if data.get("version") not in VERSIONS:
        raise ArchiveError(f"不支持的归档格式版本 {data.get('version')!r}(本程序能读取版本 1、2)")
    return int(data["version"])


def _event(line: bytes, number: int, version: int) -> tuple[Any, Any, bytes]:
    """(seq, leaf hash as written, entry bytes) of an event line of either version."""
    if version == 1:
        data = _parsed(line, number)
        return data.get("seq"), data.get("leaf_hash"), _entry(data, number)
    at = line.find(b',"entry":[')
    meta = _parsed(line[:at] + b"}", number) if at > 0 else {}
    size = meta.get("header_length")
    body = line.rstrip(b"\r\n")
    start = at + len(b',"entry":[')
    if (
        not isinstance(size, int)
        or size < 0
        or body[start + size : start + size + 1] != b","
        or not body.endswith(b"]}")
    ):
        raise ArchiveError(f"第 {number} 行:事件内容 entry 的格式不对")
    entry = body[start : start + size] + b"\n" + body[start + size + 1 : -2]
    return meta.get("seq"), meta.get("leaf_hash"), entry


def _check_event(event: tuple[Any, Any, bytes], tree: RootBuilder, number: int) -> None:
    seq, leaf_hex, entry = event
    if seq != tree.count + 1:
        raise ArchiveError(f"第 {number} 行:序号应为 {tree.count + 1},实为 {seq}")
    leaf = integrity.leaf_hash(entry)
    if leaf.hex() != leaf_hex:
        raise ArchiveError(f"第 {number} 行:叶哈希与事件内容不符(序号 {seq})")
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
    done = version = 0
    for number, line in enumerate(source, 1):
        if number == 1:
            version = _version(line)
            continue
        data = None if line.startswith(EVENT) else orjson.loads(line)
        if data is None or "seq" in data:
            batch.append(stored_event(_event(line, number, version)[2]))
            if len(batch) == BATCH:
                recorder.insert_events(batch, idempotency=keys)
                done, batch, keys = done + len(batch), [], []
                if progress is not None:
                    progress(done, summary.events)
            continue
        if "idempotency_key" in data:
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
