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
own findings, so clients never race on a record). The order rotates from
round to round; medians are reported, with the ratio to the first N. Beside
the rates, where the time went: how busy the machine's CPUs were (from
/proc/stat, other work included) and the CPU time per command of the server
processes and of the private PostgreSQL (its own processes only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "faults"))
from cluster import PrivateCluster
from common import prepare, tree
from loadgen import Connection, Server, load, pct
from schemas import fresh_schema

TICK = os.sysconf("SC_CLK_TCK")


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
    server: Server, database: int | None, token: str, findings: list[str], args: Any, seconds: float
) -> dict[str, Any]:
    def report(c: Connection, i: int) -> int:
        body = json.dumps({"narrative": f"进展 {i}"}).encode()
        return c.request("POST", f"/findings/{findings[i % len(findings)]}/progress", body)[0]

    busy0, total0 = cpu_times()
    app0, db0 = cpu_by_pid(server.process.pid), cpu_by_pid(database)
    gen0 = time.process_time()
    rate, latencies, errors = load(server.port, token, args.clients, seconds, report)
    gen1 = time.process_time()
    busy1, total1 = cpu_times()
    done = max(len(latencies), 1)
    return {
        "rate": rate,
        "p50": pct(latencies, 0.5),
        "p99": pct(latencies, 0.99),
        "errors": errors,
        "busy": (busy1 - busy0) / (total1 - total0),
        "app": spent(app0, cpu_by_pid(server.process.pid)) / done * 1000,
        "db": spent(db0, cpu_by_pid(database)) / done * 1000 if database else float("nan"),
        "gen": (gen1 - gen0) / done * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a PostgreSQL server to use instead of a private one")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--findings", type=int, default=256)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    cluster = None if args.url else PrivateCluster()
    try:
        if cluster is not None:
            cluster.create()
        with fresh_schema(args.url or cluster.url, "bench_scale") as url:  # type: ignore[union-attr]
            findings, token = prepare(url, args.findings)
            servers = {n: Server(url, n) for n in args.processes}
            try:
                results = rounds(servers, cluster, token, findings, args)
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
    servers: dict[int, Server],
    cluster: PrivateCluster | None,
    token: str,
    findings: list[str],
    args: argparse.Namespace,
) -> dict[int, list[dict[str, Any]]]:
    database = postmaster(cluster)
    order = list(servers)
    for n in order:  # warm-up: every worker's connections and caches
        measure(servers[n], database, token, findings, args, 2.0)
    results: dict[int, list[dict[str, Any]]] = {n: [] for n in order}
    for r in range(args.rounds):
        for n in order[r % len(order) :] + order[: r % len(order)]:
            results[n].append(measure(servers[n], database, token, findings, args, args.seconds))
        print(f"  round {r + 1}/{args.rounds} done (load {os.getloadavg()[0]:.1f})", flush=True)
    return results


def show(results: dict[int, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    where = args.url or "a private PostgreSQL"
    print(f"\nCommands over HTTP, {args.clients} clients, {where}; medians of {args.rounds} rounds")
    columns = ("processes", "cmd/s", "p50 ms", "p99 ms", "errors", "CPU busy", "app ms/cmd")
    print("  " + " ".join(f"{c:>10}" for c in (*columns, "db ms/cmd", "gen ms/cmd")) + "  ratio")
    base = None
    for n, runs in results.items():
        med = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
        base = base or med["rate"]
        print(
            f"  {n:>10} {med['rate']:>10.0f} {med['p50']:>10.1f} {med['p99']:>10.1f} "
            f"{med['errors']:>10.0f} {med['busy']:>10.0%} {med['app']:>10.2f} {med['db']:>10.2f} "
            f"{med['gen']:>10.2f}  {med['rate'] / base:.2f}x"
        )
    print(
        "  CPU busy: the whole machine during the run (other work included); app / db / gen\n"
        "  ms/cmd: CPU time of the server processes / of the private PostgreSQL / of this load\n"
        "  generator per acknowledged command. Two cores over their sum is the most all of it\n"
        "  could reach on an otherwise idle machine; one process also stops at one core over app."
    )


if __name__ == "__main__":
    main()
