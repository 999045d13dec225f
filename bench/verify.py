"""``ledger verify`` and proof serving on a 1M-event ledger, against a plain re-hash.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/verify.py sqlite:////tmp/ledger-verify-1m.db
    .venv/bin/python bench/verify.py \\
        'postgresql://postgres@127.0.0.1:5432/test?schema=verify_1m' --workers 2

An empty database is first filled with ``generate.py`` (read models left empty,
as ``--no-rebuild``); a filled one is reused. Then, in one run:

1. **Reference**: a plain SHA-256 re-hash of the same entries, one process:
   ``SELECT leaf_hash, entry FROM ledger_integrity ORDER BY seq``, SHA-256(0x00 ||
   entry) of each, compared with the stored leaf hash.
2. **verify**: ``verify_log`` (what ``ledger verify`` runs) with ``--workers``
   processes, without a checkpoint, then with a signed checkpoint of the whole
   log (adds the tree hashes). Wall time, events/s, ratio to the reference, and
   the CPU seconds of this process and its workers (the machine may be shared:
   the load average is printed before and after).
3. **Proofs**: the tile cache filled from empty (its first, lazy fill), then
   ``--proofs`` inclusion proofs of random entries, p50 / p99 (after 100 warm-up
   proofs), each checked by the verifier; consistency proofs; checkpoint signing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate

from ledger.proof.audit import verify_log
from ledger.proof.checkpoint import Checkpoint
from ledger.proof.keys import load_or_create
from ledger.proof.service import Prover
from ledger.proof.store import TILES, Location
from ledger.proof.verify import verify_consistency, verify_inclusion


def cpu() -> float:
    """CPU seconds of this process and its finished children."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, used = time.perf_counter(), cpu()
    result = action()
    return result, time.perf_counter() - wall, cpu() - used


def reference(location: Location) -> int:
    """Plain re-hash of every entry, one process; returns the number of mismatches."""
    store = location.open()
    zero = hashlib.sha256(b"\x00")
    bad = 0
    for leaf, entry in store.execute(
        f"SELECT leaf_hash, entry FROM {store.table('ledger_integrity')} ORDER BY seq"
    ):
        hasher = zero.copy()
        hasher.update(entry)
        bad += hasher.digest() != leaf
    store.close()
    return bad


def line(label: str, events: int, wall: float, used: float, ref: float | None = None) -> None:
    ratio = f"  {events / wall / ref:4.2f}x reference" if ref else ""
    print(
        f"  {label:34} {wall:6.2f} s {events / wall:>11,.0f} events/s  cpu {used:6.2f} s{ratio}",
        flush=True,
    )


def bench_verify(location: Location, size: int, workers: int | None) -> None:
    bad, wall, used = timed(lambda: reference(location))
    line("reference: plain SHA-256 re-hash", size, wall, used)
    ref = size / wall
    verdict, wall, used = timed(lambda: verify_log(location, workers=workers))
    line(f"verify ({'ok' if verdict.ok else 'FAILED'})", size, wall, used, ref)
    key = load_or_create(Path(tempfile.mkdtemp()) / "bench.signing-key", "bench")
    prover = Prover(location.open())
    note = Checkpoint("bench", size, prover.root(size)).sign(key)
    verdict, wall, used = timed(lambda: verify_log(location, [note], key.verifier, workers=workers))
    line(f"verify + checkpoint ({'ok' if verdict.ok else 'FAILED'})", size, wall, used, ref)
    _, wall, used = timed(lambda: reference(location))
    line("reference again", size, wall, used)
    if bad:
        print(f"  reference found {bad} mismatching leaves")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def bench_proofs(location: Location, proofs: int) -> None:
    store = location.open()
    store.create_tiles()
    store.execute(f"DELETE FROM {store.table(TILES)}")
    prover = Prover(store)
    size = prover.size()
    _, wall, used = timed(lambda: prover.tiles.ensure(size))
    line("tile cache: first fill from empty", size, wall, used)
    times = []
    for n in range(proofs + 100):
        seq = random.randint(1, size)
        started = time.perf_counter()
        proof = prover.inclusion(seq)
        if n >= 100:
            times.append(time.perf_counter() - started)
        decode = base64.b64decode
        verify_inclusion(
            seq - 1,
            size,
            decode(proof["leaf_hash"]),
            [decode(h) for h in proof["proof"]],
            decode(proof["root"]),
        )
    print(
        f"  inclusion proof, {proofs} random entries: p50 {percentile(times, 0.5):.2f} ms, "
        f"p99 {percentile(times, 0.99):.2f} ms, max {max(times) * 1000:.2f} ms"
    )
    times = []
    for _ in range(200):
        old = random.randint(1, size)
        started = time.perf_counter()
        proof = prover.consistency(old, size)
        times.append(time.perf_counter() - started)
        decode = base64.b64decode
        verify_consistency(
            old,
            size,
            [decode(h) for h in proof["proof"]],
            decode(proof["old_root"]),
            decode(proof["new_root"]),
        )
    print(
        f"  consistency proof (and both roots), 200 random sizes: p50 "
        f"{percentile(times, 0.5):.2f} ms, p99 {percentile(times, 0.99):.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="database URL (sqlite:///FILE or postgresql://…?schema=NAME)")
    parser.add_argument("--events", type=int, default=1_000_000, help="events to generate if empty")
    parser.add_argument("--workers", type=int, help="verify processes (default: one per CPU)")
    parser.add_argument("--proofs", type=int, default=2000)
    args = parser.parse_args()
    location = Location.from_url(args.url)
    store = location.open()
    if location.dialect == "postgres":  # an empty schema may not exist yet
        store.execute(f'CREATE SCHEMA IF NOT EXISTS "{location.schema}"')
    try:
        size = store.size()
    except Exception:  # no integrity table yet: an empty database
        size = 0
    store.close()
    if size == 0:
        generate(args.url, args.events, rebuild=False)
        size = args.events
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()}; "
        f"{size:,} events in {args.url}",
        flush=True,
    )
    bench_verify(location, size, args.workers)
    bench_proofs(location, args.proofs)
    print(f"  load average now {os.getloadavg()}")


if __name__ == "__main__":
    main()
