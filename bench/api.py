"""HTTP API throughput and latency, against the in-process figures of the same run.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/api.py                                  # SQLite, 1M events
    .venv/bin/python bench/api.py --url postgresql://postgres@127.0.0.1:5432/test?schema=bench1m
    .venv/bin/python bench/api.py --events 50000 --seconds 5       # a quick look

The database is made by ``bench/generate.py`` if it holds fewer events than
asked. The server is ``ledger serve`` in its own process; the load comes from
this process over loopback: one thread and one keep-alive connection per
client, requests written as raw HTTP/1.1 (see ``Connection``).

1. Reads, 32 clients: ``GET /api/v1/inspections/{id}`` (one inspection's
   counts, a different inspection each request) against ``GET /api/v1/health``
   (the trivial endpoint of the same server), interleaved in rounds; medians
   of throughput, p50 and p99 latency. Target: counts p99 <= 20 ms and
   throughput >= 0.7x trivial.
2. Commands, 8 clients: ``POST /findings/{id}/progress`` round-robin over 50
   ongoing findings, against ``Ledger.report_progress`` in process over 50
   others on the same database (the core benchmark's single-command path),
   measured in rounds alternating with the HTTP load.
   Target: >= 0.7x, zero errors, every acknowledged event present afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).parent))
import generate
from loadgen import Connection, Server, load, pct

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.infrastructure.credentials import Credentials
from ledger.projections.queries import ReadModels

OFFICE = Actor(id="bench-office", name="压测", role="inspection_office")


def prepare(url: str, events: int) -> tuple[list[str], list[UUID]]:
    """Make sure the ledger holds ``events`` events; returns inspection and finding ids."""
    ledger = Ledger(Settings(url))
    try:
        have = ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()
    if have < events * 0.99:
        print(f"generating {events:,} events into {url} …", flush=True)
        generate.summary(generate.generate(url, events))
    ledger = Ledger(Settings(url))
    try:
        reads = ReadModels(ledger.projector)
        inspections = [c.inspection_id for c in reads.counts()]
        # 50 ongoing findings drawn afresh each run from the first few thousand: a run
        # adds thousands of reports to the findings it uses, and findings with such
        # histories (which real ones do not have) would make later runs measure the
        # replay of long histories instead of the command path.
        ongoing: list[UUID] = []
        after = None
        while len(ongoing) < 5000:
            page = reads.findings(status="ongoing", limit=1000, after=after)
            ongoing += [UUID(f["finding_id"]) for f in page.items]
            if (after := page.next) is None:
                break
        findings = random.Random().sample(ongoing, min(100, len(ongoing)))
    finally:
        ledger.close()
    return inspections, findings


def in_process(url: str, findings: list[UUID], n: int) -> float:
    """Commands per second of ``report_progress`` in this process (the core's path)."""
    ledger = Ledger(Settings(url))
    try:
        for f in findings[:5]:  # warm the cache and the connections
            ledger.report_progress(OFFICE, f, narrative="预热")
        started = time.perf_counter()
        for i in range(n):
            ledger.report_progress(OFFICE, findings[i % len(findings)], narrative=f"进展 {i}")
        return n / (time.perf_counter() - started)
    finally:
        ledger.close()


def reads(port: int, token: str, inspections: list[str], rounds: int, seconds: float) -> None:
    def trivial(c: Connection, _i: int) -> int:
        return c.request("GET", "/health")[0]

    def counts(c: Connection, i: int) -> int:
        return c.request("GET", f"/inspections/{inspections[i % len(inspections)]}")[0]

    figures: dict[str, list[tuple[float, float, float, int]]] = {"trivial": [], "counts": []}
    load(port, token, 32, 1.0, counts)  # warm-up
    for r in range(rounds):
        for name, request in (("trivial", trivial), ("counts", counts)):
            rate, lat, errors = load(port, token, 32, seconds, request)
            figures[name].append((rate, pct(lat, 0.5), pct(lat, 0.99), errors))
        print(f"  read round {r + 1}/{rounds} done", flush=True)
    med = {k: [statistics.median(x[i] for x in v) for i in range(4)] for k, v in figures.items()}
    print("\nReads at 32 concurrent clients (medians over rounds)")
    print(f"  {'endpoint':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, label in (("trivial", "GET /health (trivial)"), ("counts", "GET /inspections/{id}")):
        rate, p50, p99, errors = med[name]
        print(f"  {label:28} {rate:8.0f} {p50:8.2f} {p99:8.2f} {errors:7.0f}")
    ratio = med["counts"][0] / med["trivial"][0]
    print(f"  counts / trivial throughput: {ratio:.2f}x  (target >= 0.7x; p99 target <= 20 ms)")


def commands(
    url: str, port: int, token: str, findings: list[UUID], rounds: int, seconds: float, n: int
) -> None:
    """In-process and HTTP command rates, alternating round by round (the machine's
    load moves; a ratio of figures taken minutes apart measures the load)."""
    acknowledged: list[tuple[UUID, int]] = []

    def report(c: Connection, i: int) -> int:
        f = findings[i % 50]
        body = json.dumps({"narrative": f"接口进展 {i}"}).encode()
        status, answer = c.request("POST", f"/findings/{f}/progress", body)
        if status == 201:
            acknowledged.append((f, json.loads(answer)["version"]))
        return status

    local: list[float] = []
    remote: list[tuple[float, float, float, int]] = []
    for r in range(rounds):
        # Each side its own 50 findings: a write by one would make the other's
        # cached copy stale and cost it a reload on its next command.
        local.append(in_process(url, findings[50:], n))
        rate, lat, errors = load(port, token, 8, seconds, report)
        remote.append((rate, pct(lat, 0.5), pct(lat, 0.99), errors))
        print(f"  command round {r + 1}/{rounds} done", flush=True)
    missing = absent(url, acknowledged)
    reference = statistics.median(local)
    rate, p50, p99 = (statistics.median(x[i] for x in remote) for i in range(3))
    errors = sum(x[3] for x in remote)
    print("\nCommands at 8 concurrent clients (medians over rounds)")
    print(f"  in process  Ledger.report_progress      {reference:8.0f} commands/s")
    print(
        f"  over HTTP   POST /findings/{{id}}/progress {rate:8.0f} commands/s  "
        f"p50 {p50:.1f} ms  p99 {p99:.1f} ms"
    )
    print(
        f"  ratio {rate / reference:.2f}x (target >= 0.7x); errors {errors}; "
        f"acknowledged {len(acknowledged)}, missing afterwards {missing}"
    )


def absent(url: str, acknowledged: list[tuple[UUID, int]]) -> int:
    """How many acknowledged (finding, version) pairs are not in the event store."""
    ledger = Ledger(Settings(url))
    try:
        wanted: dict[UUID, set[int]] = {}
        for f, v in acknowledged:
            wanted.setdefault(f, set()).add(v)
        missing = 0
        for f, versions in wanted.items():
            stored = {e.originator_version for e in ledger.recorder.select_events(f)}
            missing += len(versions - stored)
        return missing
    finally:
        ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="sqlite:////tmp/ledger-bench-1m.db")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--commands", type=int, default=2000, help="in-process commands per round")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {args.url}", flush=True)
    inspections, findings = prepare(args.url, args.events)
    print(f"{len(inspections)} inspections; {len(findings)} ongoing findings (50 per side)")
    ledger = Ledger(Settings(args.url))
    try:
        token, _ = Credentials(ledger.projector.db.engine).issue(
            actor_id=OFFICE.id, name=OFFICE.name, role=OFFICE.role.value, label="bench"
        )
    finally:
        ledger.close()
    server = Server(args.url, args.workers)
    try:
        reads(server.port, token, inspections, args.rounds, args.seconds)
        commands(args.url, server.port, token, findings, args.rounds, args.seconds, args.commands)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
