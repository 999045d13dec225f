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
   ongoing findings, against ``Ledger.report_progress`` in process on the same
   database (the core benchmark's single-command path) measured in alternating rounds with the HTTP load.
   Target: >= 0.7x, zero errors, every acknowledged event present afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import generate

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.infrastructure.credentials import Credentials
from ledger.projections.queries import ReadModels

OFFICE = Actor(id="bench-office", name="压测", role="inspection_office")
API = "/api/v1"


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
        page = reads.findings(status="ongoing", limit=50)
        findings = [UUID(f["finding_id"]) for f in page.items]
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


class Server:
    """``ledger serve`` in a child process."""

    def __init__(self, url: str, workers: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "LEDGER_DATABASE_URL": url}
        command = [sys.executable, "-m", "ledger.cli", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen([*command, "--workers", str(workers)], env=env)
        self.base = f"http://127.0.0.1:{self.port}{API}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Connection:
    """One keep-alive HTTP/1.1 connection with the least client work possible.

    The load generator must cost far less than the server it measures; on two
    cores a full HTTP client library in the same process was the bottleneck
    (httpx's async client topped out at ~250 requests/s), so requests are
    written as bytes and answers read by Content-Length.
    """

    def __init__(self, port: int, token: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        self.auth = f"Authorization: Bearer {token}\r\n".encode()

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = f"{method} {API}{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + self.auth
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
        self.sock.sendall(head + b"\r\n" + body)
        status = int(self.file.readline().split()[1])
        length = 0
        while (line := self.file.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, self.file.read(length)

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def load(
    port: int, token: str, clients: int, seconds: float, request: Any
) -> tuple[float, list[float], int]:
    """``clients`` threads, one connection each, for ``seconds``: requests/s, latencies, errors."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def loop(k: int) -> None:
        connection = Connection(port, token)
        i = k
        try:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                status = request(connection, i)
                latencies[k].append(time.perf_counter() - began)
                errors[k] += not 200 <= status < 300
                i += clients
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    every = [x for per in latencies for x in per]
    return len(every) / elapsed, every, sum(errors)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


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
        f = findings[i % len(findings)]
        body = json.dumps({"narrative": f"接口进展 {i}"}).encode()
        status, answer = c.request("POST", f"/findings/{f}/progress", body)
        if status == 201:
            acknowledged.append((f, json.loads(answer)["version"]))
        return status

    local: list[float] = []
    remote: list[tuple[float, float, float, int]] = []
    for r in range(rounds):
        local.append(in_process(url, findings, n))
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
    print(f"{len(inspections)} inspections; {len(findings)} ongoing findings for commands")
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
