"""HTTP API throughput and latency, against the in-process figures of the same run.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/api.py                                  # SQLite, 1M events
    .venv/bin/python bench/api.py --url postgresql://postgres@127.0.0.1:5432/test?schema=bench1m
    .venv/bin/python bench/api.py --events 50000 --seconds 5       # a quick look

The database is made by ``bench/generate.py`` if it holds fewer events than
asked. The server is ``ledger serve`` in its own process (``--workers N``); the
load comes from another process over loopback: ``wrk`` when it is on PATH
(``wrkload.py``: one wrk thread and connection per client, latencies stamped
in C), else this process's threads (``--load python``, ``loadgen.py``: one
thread and keep-alive connection per client, raw HTTP/1.1).

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
   Checked after the rounds: the progress events recorded on the 50 findings
   since the start are exactly the acknowledged (2xx) ones, no fewer, no more.
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
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).parent))
import generate
import wrkload
from loadgen import API, Connection, Server, load, pct
from wrkload import Round

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


class Load:
    """The load generator of a run: ``wrk`` (C) or this process's threads (loadgen.py)."""

    def __init__(self, kind: str, port: int, token: str) -> None:
        self.kind, self.port, self.token = kind, port, token

    def get(self, clients: int, seconds: float, path: str, ids: list[str]) -> Round:
        """``GET path % id`` over ``ids`` in turn."""
        if self.kind == "wrk":
            return wrkload.run(self.port, self.token, clients, seconds, API + path, ids)

        def one(c: Connection, i: int) -> int:
            return c.request("GET", path.replace("%s", ids[i % len(ids)]))[0]

        return self._threads(clients, seconds, one)

    def report(self, clients: int, seconds: float, findings: list[str]) -> Round:
        """``POST /findings/{id}/progress`` over ``findings`` in turn, with receipts."""
        body = '{"narrative": "接口进展 %d-%d"}'
        if self.kind == "wrk":
            path = API + "/findings/%s/progress"
            return wrkload.run(self.port, self.token, clients, seconds, path, findings, body)
        receipts: list[tuple[str, int]] = []

        def one(c: Connection, i: int) -> int:
            f = findings[i % len(findings)]
            status, answer = c.request("POST", f"/findings/{f}/progress", (body % (0, i)).encode())
            if 200 <= status < 300:
                receipts.append((f, json.loads(answer)["version"]))
            return status

        result = self._threads(clients, seconds, one)
        result.receipts = receipts
        return result

    def _threads(self, clients: int, seconds: float, request: Any) -> Round:
        rate, lat, errors = load(self.port, self.token, clients, seconds, request)
        return Round(rate, pct(lat, 0.5), pct(lat, 0.99), errors)


def medians(rounds: list[Round]) -> Round:
    return Round(
        statistics.median(r.rate for r in rounds),
        statistics.median(r.p50 for r in rounds),
        statistics.median(r.p99 for r in rounds),
        sum(r.errors for r in rounds),
    )


def reads(driver: Load, inspections: list[str], rounds: int, seconds: float) -> None:
    figures: dict[str, list[Round]] = {"trivial": [], "counts": []}
    paths = {"trivial": "/health", "counts": "/inspections/%s"}
    ids = {"trivial": [""], "counts": inspections}
    driver.get(32, 1.0, paths["counts"], inspections)  # warm-up
    for r in range(rounds):
        for name in ("trivial", "counts"):
            figures[name].append(driver.get(32, seconds, paths[name], ids[name]))
        print(f"  read round {r + 1}/{rounds} done ({load_average()})", flush=True)
    med = {k: medians(v) for k, v in figures.items()}
    print(f"\nReads at 32 concurrent clients, load from {driver.kind} (medians over rounds)")
    print(f"  {'endpoint':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, label in (("trivial", "GET /health (trivial)"), ("counts", "GET /inspections/{id}")):
        m = med[name]
        print(f"  {label:28} {m.rate:8.0f} {m.p50:8.2f} {m.p99:8.2f} {m.errors:7d}")
    for name in ("trivial", "counts"):
        each = ", ".join(f"{x.rate:.0f}/s p99 {x.p99:.1f}" for x in figures[name])
        print(f"    {name} rounds: {each}")
    ratio = med["counts"].rate / med["trivial"].rate
    print(f"  counts / trivial throughput: {ratio:.2f}x  (target >= 0.7x; p99 target <= 20 ms)")


def commands(
    url: str, driver: Load, findings: list[UUID], rounds: int, seconds: float, n: int
) -> None:
    """In-process and HTTP command rates, alternating round by round (the machine's
    load moves; a ratio of figures taken minutes apart measures the load)."""
    remote_ids = [str(f) for f in findings[:50]]
    before = versions(url, remote_ids)
    local: list[float] = []
    remote: list[Round] = []
    for r in range(rounds):
        # Each side its own 50 findings: a write by one would make the other's
        # cached copy stale and cost it a reload on its next command.
        local.append(in_process(url, findings[50:], n))
        remote.append(driver.report(8, seconds, remote_ids))
        print(f"  command round {r + 1}/{rounds} done ({load_average()})", flush=True)
    acknowledged = [x for r in remote for x in r.receipts]
    check = audit(url, before, acknowledged)
    reference = statistics.median(local)
    m = medians(remote)
    print(f"\nCommands at 8 concurrent clients, load from {driver.kind} (medians over rounds)")
    print(f"  in process  Ledger.report_progress      {reference:8.0f} commands/s")
    print(
        f"  over HTTP   POST /findings/{{id}}/progress {m.rate:8.0f} commands/s  "
        f"p50 {m.p50:.1f} ms  p99 {m.p99:.1f} ms"
    )
    each = ", ".join(f"{a:.0f} vs {b.rate:.0f}/s" for a, b in zip(local, remote, strict=True))
    print(f"    rounds (in process vs HTTP): {each}")
    print(
        f"  ratio {m.rate / reference:.2f}x (target >= 0.7x); errors {m.errors}; "
        f"acknowledged (2xx) {len(acknowledged)}, new progress events {check['new']}, "
        f"acknowledged but absent {check['missing']}, recorded but not acknowledged "
        f"{check['extra']}"
    )


def versions(url: str, findings: list[str]) -> dict[str, int]:
    """Each finding's current version."""
    ledger = Ledger(Settings(url))
    try:
        return {
            f: max(e.originator_version for e in ledger.recorder.select_events(UUID(f)))
            for f in findings
        }
    finally:
        ledger.close()


def audit(url: str, before: dict[str, int], acknowledged: list[tuple[str, int]]) -> dict[str, int]:
    """Compare the events recorded on the findings since ``before`` with the
    acknowledged (finding, version) pairs: every acknowledged one must be there,
    and every new one must be an acknowledged progress report."""
    ledger = Ledger(Settings(url))
    try:
        new: set[tuple[str, int]] = set()
        other = 0
        for f, version in before.items():
            for e in ledger.recorder.select_events(UUID(f), gt=version):
                new.add((f, e.originator_version))
                other += not e.topic.endswith("Finding.ProgressReported")
    finally:
        ledger.close()
    acked = set(acknowledged)
    return {
        "new": len(new),
        "missing": len(acked - new),
        "extra": len(new - acked) + other + (len(acknowledged) - len(acked)),
    }


def load_average() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def office_token(url: str) -> str:
    """A fresh office token on the ledger at ``url``."""
    ledger = Ledger(Settings(url))
    try:
        token, _ = Credentials(ledger.projector.db.engine).issue(
            actor_id=OFFICE.id, name=OFFICE.name, role=OFFICE.role.value, label="bench"
        )
        return token
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
    parser.add_argument(
        "--load",
        choices=("wrk", "python"),
        default="wrk" if wrkload.available() else "python",
        help="load generator: wrk when installed, else this process's threads",
    )
    parser.add_argument(
        "--only", choices=("reads", "commands"), help="run one of the two parts (both by default)"
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {args.url}", flush=True)
    print(f"server workers {args.workers}; load from {args.load}; {load_average()}", flush=True)
    inspections, findings = prepare(args.url, args.events)
    print(f"{len(inspections)} inspections; {len(findings)} ongoing findings (50 per side)")
    token = office_token(args.url)
    server = Server(args.url, args.workers)
    driver = Load(args.load, server.port, token)
    try:
        if args.only != "commands":
            reads(driver, inspections, args.rounds, args.seconds)
        if args.only != "reads":
            commands(args.url, driver, findings, args.rounds, args.seconds, args.commands)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
