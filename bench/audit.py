"""Audit trail and past-state latency on a 1M-event ledger (issue 6), against a bare read.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/audit.py sqlite:///<1M-event db>
    .venv/bin/python bench/audit.py 'postgresql://postgres@127.0.0.1:5432/test?schema=NAME'

The database must hold a generated ledger with its read models built
(``generate.py`` without ``--no-rebuild``): findings and inspections are drawn
from them. Each figure is the query path the HTTP routes call, without HTTP:

1. **A finding's full audit trail**: ``audit.trail`` (``GET
   /audit/records/{id}``): every event of the finding, replayed, with the
   fields each one changed. Target p99 <= 20 ms.
2. **An inspection's state at a past point**: ``replay.state_at`` (``GET
   /records/{id}/state?as_of=…&known_at=…``): the events that hold at a random
   effective date (and, every other time, a random recorded moment as well)
   folded into the inspection's fields. Target p99 <= 100 ms.
   The same for a finding (``on 31 March, was it already reported
   complete?``), which has more events.
3. **An inspection's figures at a past point** from the read models:
   ``ReadModels.counts(id, When.of(as_of, known_at))`` (``GET
   /inspections/{id}?as_of=…&known_at=…``): its findings counted as they
   stood then, no replay.
4. **Difference between two points** of a finding: ``replay.difference``
   (``GET /records/{id}/difference``), for scale.
5. **Changes across the ledger** from the audit index: ``audit.changes``
   (``GET /audit/changes``), one finding's changes and a page of one actor's.
   The index is kept behind the log and caught up before each query: with
   ``--burst N`` (writes to the ledger: use a copy), rounds of N commands
   (``report_progress`` in ``batch()`` of 100) each followed by the first
   such query, which pays the catch-up of the N commands' events, and a second.

Reference, same run: reading and decoding the same record's events
(``app.events.get``), which each of the three does first. p50 / p99 / max over
``--samples`` random records (after ``--warmup`` untimed ones), in rounds
alternating with the reference; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from ledger import audit
from ledger.application import replay
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.projections.auditing import AuditLog, Filter
from ledger.projections.queries import ReadModels
from ledger.projections.reading import When

FIRST, LAST = date(2018, 1, 1), date(2021, 1, 1)  # the generated ledger's effective dates


def records(ledger: Ledger) -> tuple[list[UUID], list[UUID]]:
    """Every inspection id and a few thousand finding ids, from the read models."""
    reads = ReadModels(ledger.projector)
    inspections = [UUID(str(c.inspection_id)) for c in reads.counts()]
    findings: list[UUID] = []
    after = None
    while len(findings) < 5000:
        page = reads.findings(limit=1000, after=after)
        findings += [UUID(str(f["finding_id"])) for f in page.items]
        if (after := page.next) is None:
            break
    return inspections, findings


def some_day(rng: random.Random) -> date:
    return FIRST + timedelta(days=rng.randrange((LAST - FIRST).days))


def some_point(rng: random.Random, n: int) -> replay.Point:
    """A random effective date; every other time a random recorded moment too."""
    known = None
    if n % 2:
        day = some_day(rng)
        known = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC)
    return replay.Point(some_day(rng), known)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):6.2f} ms  p99 {p99:6.2f} ms  max {ordered[-1]:6.2f} ms"


def measure(
    name: str,
    ledger: Ledger,
    ids: list[UUID],
    query: Callable[[UUID, int], Any],
    samples: int,
    warmup: int,
    rounds: int,
    seed: int,
) -> None:
    """``samples`` random records in ``rounds``, each round query then reference."""
    rng = random.Random(seed)
    for n in range(warmup):
        query(rng.choice(ids), n)
    times: list[float] = []
    bare: list[float] = []
    events: list[int] = []
    per_round = max(1, samples // rounds)
    for _ in range(rounds):
        chosen = [rng.choice(ids) for _ in range(per_round)]
        for n, uid in enumerate(chosen):
            took, _ = timed(lambda uid=uid, n=n: query(uid, n))  # type: ignore[misc]
            times.append(took)
        for uid in chosen:
            took, found = timed(lambda uid=uid: list(ledger.events.get(uid)))  # type: ignore[misc]
            bare.append(took)
            events.append(len(found))
    print(f"  {name}")
    print(
        f"    query      {summary(times)}   ({len(times)} records, "
        f"{statistics.mean(events):.0f} events each on average, max {max(events)})"
    )
    print(f"    reference  {summary(bare)}   (read + decode the record's events)")
    print(
        f"    ratio of medians {statistics.median(times) / statistics.median(bare):.1f}x "
        "the reference",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="database URL (sqlite:///FILE or postgresql://…?schema=NAME)")
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--burst", type=int, default=0, help="commands before a first query")
    parser.add_argument("--bursts", type=int, default=5, help="rounds of --burst")
    args = parser.parse_args()
    ledger = Ledger(Settings(args.url))
    try:
        inspections, findings = records(ledger)
        size = ledger.recorder.max_notification_id() or 0
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()}; "
            f"{size:,} events, {len(inspections)} inspections, {len(findings)} findings drawn "
            f"in {args.url}",
            flush=True,
        )
        runs = (args.samples, args.warmup, args.rounds, args.seed)
        measure(
            "finding: full audit trail (audit.trail)",
            ledger,
            findings,
            lambda uid, n: audit.trail(ledger, uid),
            *runs,
        )
        state_rng = random.Random(args.seed + 1)
        measure(
            "inspection: state at a past point (replay.state_at)",
            ledger,
            inspections,
            lambda uid, n: replay.state_at(ledger, uid, some_point(state_rng, n)),
            *runs,
        )
        finding_rng = random.Random(args.seed + 3)
        measure(
            "finding: state at a past point (replay.state_at)",
            ledger,
            findings,
            lambda uid, n: replay.state_at(ledger, uid, some_point(finding_rng, n)),
            *runs,
        )
        reads = ReadModels(ledger.projector)
        counts_rng = random.Random(args.seed + 4)

        def counts(uid: UUID, n: int) -> Any:
            point = some_point(counts_rng, n)
            return reads.counts(str(uid), When.of(point.as_of, point.known_at))

        measure(
            "inspection: its figures at a past point (read models, counts as of)",
            ledger,
            inspections,
            counts,
            *runs,
        )
        diff_rng = random.Random(args.seed + 2)
        measure(
            "finding: difference between two past points (replay.difference)",
            ledger,
            findings,
            lambda uid, n: replay.difference(
                ledger, uid, some_point(diff_rng, n), some_point(diff_rng, n + 1)
            ),
            *runs,
        )
        log = AuditLog(ledger.projector)
        measure(
            "finding: its changes from the audit index (audit.changes, record_id)",
            ledger,
            findings,
            lambda uid, n: audit.changes(ledger, Filter(record_id=str(uid))),
            *runs,
        )
        measure(
            "a page of 100 of one office's changes, index only (AuditLog.changes, actor_id)",
            ledger,
            findings[:1],
            lambda uid, n: log.changes(Filter(actor_id=f"office-{n % 100}")),
            *runs,
        )
        if args.burst:
            bursts(ledger, findings, args.burst, args.bursts, random.Random(args.seed + 5))
    finally:
        ledger.close()
    print(f"  load average now {os.getloadavg()}")


WRITER = Actor(id="bench-burst", name="压测", role="inspection_office")


def bursts(ledger: Ledger, findings: list[UUID], n: int, rounds: int, rng: random.Random) -> None:
    """The first audit query after ``n`` commands (it catches the index up), then a second."""
    first: list[float] = []
    second: list[float] = []
    reads, log = ReadModels(ledger.projector), AuditLog(ledger.projector)
    ongoing = [f for f in findings if (reads.finding(f) or {}).get("status") == "ongoing"]
    for _ in range(rounds):
        chosen = [rng.choice(ongoing) for _ in range(50)]
        for start in range(0, n, 100):
            with ledger.batch():
                for i in range(start, min(n, start + 100)):
                    ledger.report_progress(WRITER, chosen[i % 50], narrative=f"进展{i}")
        uid = rng.choice(chosen)
        for kept in (first, second):
            took, page = timed(
                lambda uid=uid: log.changes(Filter(record_id=str(uid)), limit=1000)  # type: ignore[misc]
            )
            assert page.items[-1]["actor_id"] == WRITER.id  # the burst's events are listed
            kept.append(took)
    print(
        f"  one finding's changes, index only (AuditLog.changes), the first query after {n} "
        f"commands (it catches up their events) and the next, {rounds} rounds"
    )
    print(f"    first      {summary(first)}")
    print(f"    second     {summary(second)}", flush=True)


if __name__ == "__main__":
    main()
