"""Command throughput over HTTP: one server process against several, on PostgreSQL.

Run by hand; prints figures and asserts nothing::

    .venv/bin/python bench/scale.py                         # 1 vs 4 processes
    .venv/bin/python bench/scale.py --processes 1 2 4 --seconds 10 --rounds 5

A fresh schema on a PostgreSQL server of the script's own (``faults/cluster.py``;
``--url`` to use another server instead), dropped afterwards, gets ``--findings``
findings.
One ``ledger serve --workers N`` is started for each N of ``--processes``; in
every round each server in turn gets ``--clients`` keep-alive connections
sending ``POST /findings/{id}/progress`` for ``--seconds`` (each client on its
own findings, so clients never race on a record), from ``wrk`` when it is
installed (``wrkload.py``: the load costs a fraction of a Python client's CPU,
which on two cores the servers need) or else this process's threads
(``--load python``, ``loadgen.py``). The order rotates from
round to round; medians are reported, with the ratio to the first N. Beside
the rates, where the time went: how busy the machine's CPUs were (from
/proc/stat, other work included), the CPU time per command of the server
processes and of the private PostgreSQL (its own processes only), and how
much of the time a writer held the events table's lock (sampled from
``pg_locks`` every few milliseconds; near 100 % the lock, not the CPUs, bounds
the rate).

``--against PYTHON`` also starts the same servers with another interpreter
(the virtual environment of another checkout, e.g. the main branch) and runs
them in the same rounds: an A/B comparison on a machine whose load changes
from minute to minute::

    .venv/bin/python bench/scale.py --against <other checkout>/.venv/bin/python
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "faults"))
import wrkload
from cluster import PrivateCluster
from common import prepare, tree
from loadgen import API, Connection, Server, load, pct
from schemas import fresh_schema

TICK = os.sysconf("SC_CLK_TCK")
# How often the events table's lock is looked at: often enough for a fraction
# held, seldom enough to cost the private server little (~200 queries a second).
LOCK_SAMPLE = 0.005
HELD = (
    "SELECT count(*) FILTER (WHERE l.granted), count(*) FILTER (WHERE NOT l.granted) "
    "FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "WHERE c.relname = 'ledger_events' AND l.mode = 'ExclusiveLock' "
    "AND c.relnamespace = to_regnamespace(current_schema())"
)


class LockSampler:
    """The fraction of samples in which a writer held the events table's lock, the
    mean number of writers waiting for it, and the number of write transactions
    (transaction ids used: only a transaction that writes takes one), while the
    ``with`` block runs."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.samples = self.held = self.waiting = 0
        self.done = threading.Event()

    def __enter__(self) -> LockSampler:
        # Connected here, so a failure stops the run instead of showing 0 %.
        dsn, _, query = self.url.partition("?")
        schema = dict(p.split("=", 1) for p in query.split("&") if p).get("schema", "public")
        self.conn = psycopg.connect(dsn, autocommit=True, options=f"-c search_path={schema}")
        self.xid = self._xid()
        self.start = time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()
        self.seconds = time.monotonic() - self.start
        # Less the one this query takes itself.
        self.transactions = self._xid() - self.xid - 1
        self.conn.close()

    def _xid(self) -> int:
        return int(self.conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0])  # type: ignore[index]

    def _run(self) -> None:
        while not self.done.wait(LOCK_SAMPLE):
            held, waiting = self.conn.execute(HELD).fetchone()  # type: ignore[misc]
            self.samples += 1
            self.held += bool(held)
            self.waiting += waiting

    def figures(self) -> tuple[float, float, float, int]:
        """Lock held (fraction), waiting writers, held ms per write transaction, those."""
        n = max(self.samples, 1)
        held_ms = self.held / n * self.seconds * 1000 / max(self.transactions, 1)
        return self.held / n, self.waiting / n, held_ms, self.transactions


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat") as stat:
        fields = [float(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_by_pid(root: int | None) -> dict[int, float]:
    """CPU seconds (user + system) of each process of a tree."""
    if root is None:
        return {}
    out = {}
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def measure(
    server: Server,
    database: int | None,
    token: str,
    findings: list[str],
    args: Any,
    seconds: float,
    url: str = "",
) -> dict[str, Any]:
    busy0, total0 = cpu_times()
    app0, db0 = cpu_by_pid(server.process.pid), cpu_by_pid(database)
    gen0 = generator_cpu()
    with LockSampler(url) if url else contextlib.nullcontext() as sampler:
        rate, p50, p99, errors, done = generate(server.port, token, findings, args, seconds)
    gen1 = generator_cpu()
    nan = float("nan")
    held, waiting, held_ms, txns = sampler.figures() if sampler is not None else (nan,) * 4
    busy1, total1 = cpu_times()
    done = max(done, 1)
    return {
        "rate": rate,
        "p50": p50,
        "p99": p99,
        "errors": errors,
        "busy": (busy1 - busy0) / (total1 - total0),
        "app": spent(app0, cpu_by_pid(server.process.pid)) / done * 1000,
        "db": spent(db0, cpu_by_pid(database)) / done * 1000 if database else float("nan"),
        "gen": (gen1 - gen0) / done * 1000,
        "held": held,
        "waiting": waiting,
        "held ms": held_ms,
        "group": done / txns if txns else nan,
    }


def generator_cpu() -> float:
    """CPU seconds of this process and of its finished children (``wrk`` runs)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def generate(
    port: int, token: str, findings: list[str], args: Any, seconds: float
) -> tuple[float, float, float, int, int]:
    """One stream of progress reports: commands/s, p50 and p99 ms, failures, answers."""
    if args.load == "wrk":
        path = API + "/findings/%s/progress"
        body = '{"narrative": "进展 %d-%d"}'
        got = wrkload.run(port, token, args.clients, seconds, path, findings, body)
        return got.rate, got.p50, got.p99, got.errors, len(got.receipts) + got.errors

    def report(c: Connection, i: int) -> int:
        body = json.dumps({"narrative": f"进展 {i}"}).encode()
        return c.request("POST", f"/findings/{findings[i % len(findings)]}/progress", body)[0]

    rate, latencies, errors = load(port, token, args.clients, seconds, report)
    return rate, pct(latencies, 0.5), pct(latencies, 0.99), errors, len(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a PostgreSQL server to use instead of a private one")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--findings", type=int, default=256)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--load",
        choices=("wrk", "python"),
        default="wrk" if wrkload.available() else "python",
        help="load generator: wrk (C) when installed, else this process's threads",
    )
    parser.add_argument(
        "--against", metavar="PYTHON", help="also run the servers with this interpreter (A/B)"
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    cluster = None if args.url else PrivateCluster()
    try:
        if cluster is not None:
            cluster.create()
        with fresh_schema(args.url or cluster.url, "bench_scale") as url:  # type: ignore[union-attr]
            findings, token = prepare(url, args.findings)
            servers = {f"{n}": Server(url, n) for n in args.processes}
            if args.against:
                for n in args.processes:
                    servers[f"{n} B"] = Server(url, n, args.against)
            try:
                results = rounds(servers, cluster, token, findings, args, url)
            finally:
                for server in servers.values():
                    server.stop()
    finally:
        if cluster is not None:
            cluster.remove()
    show(results, args)


def postmaster(cluster: PrivateCluster | None) -> int | None:
    if cluster is None:
        return None
    with open(os.path.join(cluster.data, "postmaster.pid")) as pidfile:
        return int(pidfile.readline())


def rounds(
    servers: dict[str, Server],
    cluster: PrivateCluster | None,
    token: str,
    findings: list[str],
    args: argparse.Namespace,
    url: str,
) -> dict[str, list[dict[str, Any]]]:
    database = postmaster(cluster)
    order = list(servers)
    for n in order:  # warm-up: every worker's connections and caches
        measure(servers[n], database, token, findings, args, 2.0)
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in order}
    for r in range(args.rounds):
        for n in order[r % len(order) :] + order[: r % len(order)]:
            results[n].append(
                measure(servers[n], database, token, findings, args, args.seconds, url)
            )
        print(f"  round {r + 1}/{args.rounds} done (load {os.getloadavg()[0]:.1f})", flush=True)
    return results


def show(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    where = args.url or "a private PostgreSQL"
    print(f"\nCommands over HTTP, {args.clients} clients, {where}; medians of {args.rounds} rounds")
    columns = ("processes", "cmd/s", "p50 ms", "p99 ms", "errors", "CPU busy", "app ms/cmd")
    columns += ("db ms/cmd", "gen ms/cmd", "lock held", "waiting", "ms/txn", "cmd/txn")  # type: ignore[assignment]
    print("  " + " ".join(f"{c:>10}" for c in columns) + "  ratio")
    base: dict[bool, float] = {}
    for n, runs in results.items():
        med = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
        first = base.setdefault(n.endswith("B"), med["rate"])  # each interpreter its own base
        print(
            f"  {n:>10} {med['rate']:>10.0f} {med['p50']:>10.1f} {med['p99']:>10.1f} "
            f"{med['errors']:>10.0f} {med['busy']:>10.0%} {med['app']:>10.2f} {med['db']:>10.2f} "
            f"{med['gen']:>10.2f} {med['held']:>10.0%} {med['waiting']:>10.1f} "
            f"{med['held ms']:>10.2f} {med['group']:>10.1f}  "
            f"{med['rate'] / first:.2f}x"
        )
    print(
        "  CPU busy: the whole machine during the run (other work included); app / db / gen\n"
        "  ms/cmd: CPU time of the server processes / of the private PostgreSQL / of this load\n"
        "  generator per acknowledged command. Two cores over their sum is the most all of it\n"
        "  could reach on an otherwise idle machine; one process also stops at one core over app.\n"
        "  lock held: the share of samples in which a writer held the events table's lock;\n"
        "  waiting: writers waiting for it, on average; ms/txn: held time per write transaction\n"
        "  (held share x duration / transaction ids used); cmd/txn: commands per transaction.\n"
        "  B: the servers of --against."
    )


if __name__ == "__main__":
    main()
