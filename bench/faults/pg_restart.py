"""Restart PostgreSQL under load: clear errors or success on retry, nothing lost,
and the servers recover without being restarted.

Run by hand; prints figures and exits non-zero on a 500, a hang, a loss or a
server that had to be restarted::

    .venv/bin/python bench/faults/pg_restart.py                    # a private PostgreSQL
    .venv/bin/python bench/faults/pg_restart.py --cluster system   # the machine's (root)

By default the script makes a PostgreSQL server of its own (same binaries, a
temporary data directory, a free loopback port): restarting the machine's
server would break everyone else's connections to it. ``--cluster system``
restarts that one instead with ``pg_ctlcluster``, which needs root.

Two ``ledger serve`` processes (``--servers``; each may have ``--workers``)
share one fresh schema. Client threads spread over them send keyed commands;
a 503 is waited out (at most its Retry-After) and the same key sent again.
Reader threads query each server. PostgreSQL is restarted ``--restarts``
times, ``--load`` seconds apart; the last time it stays down ``--down``
seconds. Afterwards the servers must be the same processes, every status seen
must be 201/200 or 503 (no 500, no request over ``--hang`` seconds), and the
checks of ``checks.py`` must pass.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from checks import Outcome, examine
from cluster import ClusterError, PrivateCluster, wait_until_up
from common import Served, Tally, checkpoint, clients, key_dir, prepare
from schemas import fresh_schema

SYSTEM_URL = os.environ.get(
    "LEDGER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


class SystemCluster:
    """The machine's PostgreSQL, restarted with pg_ctlcluster (root only)."""

    def __init__(self, url: str) -> None:
        self.url = url
        versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
        if os.geteuid() != 0 or not shutil.which("pg_ctlcluster") or not versions:
            raise ClusterError(
                "--cluster system 需要 root 权限和 pg_ctlcluster(Debian 的 PostgreSQL 集群工具);"
                "本机不满足,请改用默认的 --cluster private"
            )
        self.version = versions[-1]
        print(f"注意:将重启本机 PostgreSQL {self.version}/main,所有其他连接都会中断", flush=True)

    def _ctl(self, action: str) -> None:
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", action]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise ClusterError(f"pg_ctlcluster {action} 失败:{done.stderr.strip()}")

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        self._ctl("stop")

    def start(self) -> None:
        self._ctl("start")

    def remove(self) -> None:
        """Nothing to remove; make sure it is running again."""
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", "status"]
        if subprocess.run(command, capture_output=True, timeout=60).returncode != 0:
            self.start()


def readers(
    bases: list[str], token: str, findings: list[str], stop: threading.Event
) -> tuple[Counter[int | str], list[threading.Thread]]:
    """One thread per server querying a finding in a loop; counts the statuses."""
    seen: Counter[int | str] = Counter()

    def read(base: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            i = 0
            while not stop.is_set():
                try:
                    status: int | str = client.get(
                        f"/findings/{findings[i % len(findings)]}"
                    ).status_code
                except httpx.TimeoutException:
                    status = "timeout"
                except httpx.TransportError:
                    status = "transport"
                seen[status] += 1
                i += 1
                time.sleep(0.02)

    threads = [threading.Thread(target=read, args=(b,), daemon=True) for b in bases]
    for t in threads:
        t.start()
    return seen, threads


def first_ack_after(tally: Tally, base: str, moment: float) -> float | None:
    later = [t for t, b in list(tally.ack_times) if b == base and t >= moment]
    return min(later) - moment if later else None


def run(cluster: PrivateCluster | SystemCluster, url: str, args: argparse.Namespace) -> bool:
    findings, token = prepare(url, args.clients)
    env = key_dir()
    checkpoints = [checkpoint(url, env)]
    tally = Tally.of(findings)
    servers = [Served(url, args.workers) for _ in range(args.servers)]
    for s in servers:
        s.start()
    time.sleep(1)  # let every worker come up before noting the processes
    pids = [s.processes() for s in servers]
    bases = [s.base for s in servers]
    stop = threading.Event()
    threads = clients(bases, token, tally, stop, patient=True)
    reads, reading = readers(bases, token, findings, stop)
    time.sleep(args.load)
    recoveries: list[float | None] = []
    outages: list[float] = []
    for n in range(args.restarts):
        began = time.monotonic()
        if n == args.restarts - 1 and args.down:
            cluster.stop()
            time.sleep(args.down)
            cluster.start()
        else:
            cluster.restart()
        wait_until_up(cluster.url)
        back = time.monotonic()
        outages.append(back - began)
        time.sleep(args.load)
        recoveries += [first_ack_after(tally, b, back) for b in bases]
        print(
            f"  重启 {n + 1}:数据库停了 {back - began:.1f} 秒;已确认 {len(tally.acked)}", flush=True
        )
    stop.set()
    for t in [*threads, *reading]:
        t.join(timeout=120)
    drain = threading.Event()
    for t in clients(bases, token, tally, drain, patient=True, drain=True):
        t.join(timeout=120)
    same = pids == [s.processes() for s in servers]
    for s in servers:
        s.stop()
    outcome = examine(url, tally, env, checkpoints)
    return report(args, tally, reads, outages, recoveries, same, outcome)


def report(
    args: argparse.Namespace,
    tally: Tally,
    reads: Counter[int | str],
    outages: list[float],
    recoveries: list[float | None],
    same: bool,
    outcome: Outcome,
) -> bool:
    """Print the figures; True when every promise held."""
    slowest = max(tally.latencies, default=0.0)
    bad_commands = {k: v for k, v in tally.statuses.items() if k not in (201, 503)}
    bad_reads = {k: v for k, v in reads.items() if k not in (200, 503)}
    known = [r for r in recoveries if r is not None]
    print(
        f"  restarts {args.restarts} (database away {', '.join(f'{o:.1f}' for o in outages)} s)  "
        f"servers {args.servers} × workers {args.workers}, same processes throughout: {same}"
    )
    print(
        f"  commands: acked {len(tally.acked)}, 503 {tally.statuses[503]}, resent {tally.resent} "
        f"(already recorded {len(tally.replayed)}), other {bad_commands or 0}; "
        f"slowest {slowest:.1f} s"
    )
    print(f"  reads: 200 {reads[200]}, 503 {reads[503]}, other {bad_reads or 0}")
    print(
        f"  first acknowledgement after the database was back, per server: "
        f"median {sorted(known)[len(known) // 2] if known else float('nan'):.2f} s, "
        f"max {max(known, default=float('nan')):.2f} s, never {len(recoveries) - len(known)}"
    )
    print(
        f"  lost {outcome.lost}  duplicated {outcome.duplicated}  stray {outcome.stray}  "
        f"events {outcome.events} = entries {outcome.entries}; "
        f"verify + rebuild {'ok' if outcome.ok else 'FAILED'}"
    )
    for problem in outcome.failed:
        print(f"  !! {problem}")
    return (
        outcome.ok
        and same
        and not bad_commands
        and not bad_reads
        and slowest < args.hang
        and len(known) == len(recoveries)
        and tally.pending == 0
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cluster", choices=["private", "system"], default="private")
    parser.add_argument("--pg-url", default=SYSTEM_URL, help="with --cluster system")
    parser.add_argument("--restarts", type=int, default=4)
    parser.add_argument("--down", type=float, default=10.0, help="the last outage, seconds")
    parser.add_argument("--load", type=float, default=5.0, help="seconds of load between restarts")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="processes per server")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument(
        "--hang", type=float, default=20.0, help="a request slower than this is a hang"
    )
    args = parser.parse_args()
    try:
        cluster: PrivateCluster | SystemCluster
        if args.cluster == "system":
            cluster = SystemCluster(args.pg_url)
        else:
            cluster = PrivateCluster()
            cluster.create()
    except ClusterError as error:
        print(f"无法进行:{error}", file=sys.stderr)
        return 2
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; PostgreSQL {args.cluster}")
    try:
        with fresh_schema(cluster.url, "faults_pg") as url:
            ok = run(cluster, url, args)
    finally:
        cluster.remove()
    print("结果:无丢失,服务自行恢复" if ok else "结果:失败")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
