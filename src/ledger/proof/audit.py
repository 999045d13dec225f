"""``ledger verify``: re-check the whole log from the stored bytes, in parallel.

The log is cut into ranges of 65,536 entries (a power of two, so each full
range is one complete subtree); worker processes (:mod:`ledger.proof.scan`)
check the ranges row by row and send back their first problem and, when a
checkpoint needs them, the recomputed range roots. Nothing is trusted: not
the stored leaf hashes, not the tile cache. Each checkpoint given must carry
a valid signature of the verifier key and be a prefix of today's log: the
root of the first N recomputed leaves must equal its root.

When a checkpoint's root differs and every row looked sound (an entry
rewritten together with its leaf hash), the tile cache may still hold the
leaf hashes from before. If those tiles hash to the checkpoint's root, the
signature vouches for them, and comparing them with the recomputed leaves
names the rewritten entry. Otherwise the report gives the range between the
largest checkpoint that still matches and the one that does not.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.proof.checkpoint import Checkpoint, CheckpointError, open_note
from ledger.proof.keys import VerifierKey
from ledger.proof.merkle import EMPTY_ROOT, complete_ranges, fold, leaf_hash, root
from ledger.proof.scan import BLOCK, Job, Problem, Share, run
from ledger.proof.store import Location, LogStore
from ledger.proof.tiles import HASH

CHUNK_LEVEL = 16
Progress = Callable[[int, int], None]


@dataclass
class Verdict:
    """The outcome of ``ledger verify``: sorted problems, the first one first."""

    size: int
    events: int
    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # checkpoints found good

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def verify_log(
    location: Location,
    notes: Sequence[str] = (),
    verifier: VerifierKey | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    chunk_level: int = CHUNK_LEVEL,
) -> Verdict:
    """Verify every entry and event, and every signed checkpoint in ``notes``.

    The log is checked in ranges of ``2**chunk_level`` entries (at least 256),
    by ``workers`` processes (default: one per CPU).
    """
    if chunk_level < 8:
        raise ValueError("ranges must hold at least 256 entries")
    store = location.open()
    try:
        bounds = store.event_bounds()  # one count of the events serves the verdict and the jobs
        verdict = Verdict(store.size(), bounds[0])
        checkpoints = _open_checkpoints(verdict, notes, verifier)
        starts = store.event_starts(1 << chunk_level, bounds)
        shares = _scan(location, starts, verdict.size, checkpoints, progress, workers, chunk_level)
        _collect(verdict, shares)
        _check_checkpoints(verdict, store, checkpoints, shares, chunk_level)
    finally:
        store.close()
    verdict.problems.sort(key=lambda p: (p.seq == 0, p.seq))
    return verdict


def _open_checkpoints(
    verdict: Verdict, notes: Sequence[str], verifier: VerifierKey | None
) -> list[Checkpoint]:
    if notes and verifier is None:
        verdict.problems.append(Problem(0, "给出了检查点但没有公钥,无法验证签名"))
        return []
    opened = []
    origin = os.environ.get("LEDGER_LOG_ORIGIN") or (verifier.name if verifier else "")
    for number, note in enumerate(notes, 1):
        try:
            checkpoint = open_note(note, verifier)  # type: ignore[arg-type]
        except CheckpointError as error:
            verdict.problems.append(Problem(0, f"第 {number} 个检查点:{error}"))
            continue
        if checkpoint.origin != origin:
            text = f"第 {number} 个检查点属于另一个日志({checkpoint.origin!r},本日志为 {origin!r})"
            verdict.problems.append(Problem(0, text))
            continue
        opened.append(checkpoint)
    return opened


def _scan(
    location: Location,
    starts: dict[int, int],
    size: int,
    checkpoints: list[Checkpoint],
    progress: Progress | None,
    workers: int | None,
    level: int,
) -> list[Share]:
    chunk = 1 << level
    sizes = tuple(sorted({c.size for c in checkpoints}))
    top = sizes[-1] if sizes else 0
    jobs = [
        Job(
            location, first, min(first + chunk - 1, size), starts.get(first, 0), sizes, first <= top
        )
        for first in range(1, size + 1, chunk)
    ]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < 2 or not location.parallel:
        return _each(map(run, jobs), size, progress)
    with _context().Pool(min(workers, len(jobs))) as pool:
        return _each(pool.imap(run, jobs), size, progress)


def _context() -> Any:
    """Fork when this process runs one thread (the command line): the workers start at
    once with everything imported. A server runs threads, which a fork would copy
    mid-step (a lock held by another thread stays held), so it spawns fresh
    interpreters instead."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _each(results: object, size: int, progress: Progress | None) -> list[Share]:
    shares = []
    for share in results:  # type: ignore[attr-defined]
        shares.append(share)
        if progress is not None:
            progress(share.last, size)
    return shares


def _collect(verdict: Verdict, shares: list[Share]) -> None:
    for share in shares:
        if share.problem is not None:
            verdict.problems.append(share.problem)
    if verdict.events > verdict.size:
        extra = verdict.size + 1
        verdict.problems.append(
            Problem(
                extra,
                f"事件库中第 {extra} 个事件没有完整性条目(共 {verdict.events} 个事件,"
                f"{verdict.size} 条条目;事件被插入?)",
            )
        )


def _check_checkpoints(
    verdict: Verdict,
    store: LogStore,
    checkpoints: list[Checkpoint],
    shares: list[Share],
    level: int,
) -> None:
    broken = min((p.seq for p in verdict.problems if p.seq), default=None)
    good = [c.size for c in checkpoints if _matches(c, verdict, shares, broken, level)]
    for checkpoint in sorted(checkpoints, key=lambda c: c.size):
        if checkpoint.size > verdict.size:
            verdict.problems.append(
                Problem(
                    verdict.size + 1,
                    f"日志被截断:检查点记录了 {checkpoint.size} 条,"
                    f"日志现只有 {verdict.size} 条(自第 {verdict.size + 1} 条起缺失)",
                )
            )
        elif checkpoint.size in good:
            verdict.checked.append(f"检查点(大小 {checkpoint.size})是当前日志的前缀")
        elif broken is None or broken > checkpoint.size:
            verdict.problems.append(_locate(store, checkpoint, shares, good))


def _matches(
    checkpoint: Checkpoint, verdict: Verdict, shares: list[Share], broken: int | None, level: int
) -> bool:
    if checkpoint.size > verdict.size or (broken is not None and broken <= checkpoint.size):
        return False
    return _root(checkpoint.size, shares, level) == checkpoint.root


def _root(size: int, shares: list[Share], chunk_level: int) -> bytes:
    """Root of the first ``size`` recomputed leaves, from the workers' range hashes."""
    if size == 0:
        return EMPTY_ROOT
    ranges = [s.root for s in shares]
    hashes = []
    for level, index in complete_ranges(0, size):
        if level >= chunk_level:
            width = 1 << (level - chunk_level)
            hashes.append(root(ranges[index * width : (index + 1) * width]))
    if size % (1 << chunk_level):
        hashes.append(shares[size >> chunk_level].partial[size])
    return fold(hashes)


def _locate(
    store: LogStore, checkpoint: Checkpoint, shares: list[Share], good: list[int]
) -> Problem:
    if checkpoint.size == 0:
        return Problem(0, "检查点(大小 0)的根哈希不是空树的哈希")
    found = _locate_with_tiles(store, checkpoint, shares)
    if found is not None:
        return found
    after = max((s for s in good if s < checkpoint.size), default=0)
    return Problem(
        after + 1,
        f"前 {checkpoint.size} 条的根哈希与检查点不符:第 {after + 1}–{checkpoint.size} 条"
        "之间有条目连同叶子哈希被改写(缓存不能被检查点认证,无法进一步定位)",
    )


def _locate_with_tiles(
    store: LogStore, checkpoint: Checkpoint, shares: list[Share]
) -> Problem | None:
    size = checkpoint.size
    try:
        tiles = store.tiles(0, 0, (size - 1) // BLOCK)
    except Exception:  # no cache table: nothing to locate with
        return None
    data = b"".join(tiles.get(i, b"") for i in range((size - 1) // BLOCK + 1))[: size * HASH]
    cached = [data[i : i + HASH] for i in range(0, len(data), HASH)]
    if len(cached) < size or root(cached) != checkpoint.root:
        return None
    blocks = [b for s in shares for b in s.blocks]
    for number, block in enumerate(blocks):
        first = number * BLOCK
        if first >= size:
            break
        old = cached[first : min(first + BLOCK, size)]
        if root(old) != (block if len(old) == BLOCK else _partial(store, first + 1, size)):
            return _first_change(store, first + 1, old)
    return None


def _partial(store: LogStore, first: int, last: int) -> bytes:
    return root([leaf_hash(entry) for _, _, entry in store.entries(first, last)])


def _first_change(store: LogStore, first: int, old: list[bytes]) -> Problem | None:
    last = first + len(old) - 1
    for (seq, _, entry), before in zip(store.entries(first, last), old, strict=False):
        if leaf_hash(entry) != before:
            return Problem(
                seq,
                "该条目与签发检查点时不同:条目连同叶子哈希被改写(由检查点认证的缓存哈希定位)",
            )
    return None
