"""kill -9 the server in the middle of a stream of commands, many times.

Run by hand; prints figures and exits non-zero on any loss::

    .venv/bin/python bench/faults/kill.py                      # both back ends, 20 cycles
    .venv/bin/python bench/faults/kill.py --backend postgres --cycles 5 --workers 2

Each back end gets a fresh database (SQLite: a temporary file; PostgreSQL: a
fresh schema on ``--pg-url``, dropped afterwards). ``ledger serve`` runs in a
process group of its own; several client threads (one per finding) send
``POST /findings/{id}/progress``, each with its own idempotency key. Once
the cycle's first command is acknowledged, after a random pause, the whole
group is killed with SIGKILL; clients stop at the first broken connection,
the server is started again, and every key not yet acknowledged is sent
again, unchanged. After the last cycle the stream runs
to its end. Then: every acknowledged command is in the log exactly once at
its acknowledged version, nothing is half-written (integrity entries, keys
and read-model positions match the events), ``ledger verify`` passes against
a checkpoint taken before the first kill, and the read models equal a rebuild.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from checks import examine
from common import Served, Tally, checkpoint, clients, key_dir, prepare, temp_sqlite
from schemas import fresh_schema

PG_URL = os.environ.get("LEDGER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def run(url: str, args: argparse.Namespace) -> bool:
    """All cycles on one database; prints the figures; True when nothing was lost."""
    began = time.monotonic()
    findings, token = prepare(url, args.clients)
    env = key_dir()
    checkpoints = [checkpoint(url, env)]
    tally = Tally.of(findings)
    server = Served(url, args.workers)
    rng = random.Random(args.seed)
    starts: list[float] = []
    in_flight = 0
    for cycle in range(args.cycles + 1):
        starts.append(server.start())
        stop = threading.Event()
        last = cycle == args.cycles
        threads = clients(server.base, token, tally, stop, patient=False, drain=last)
        if not last:
            flowing(tally, len(tally.acked))
            time.sleep(rng.uniform(args.min_wait, args.max_wait))
            server.kill9()  # mid-stream: every client is sending
        for t in threads:
            t.join(timeout=300)
        in_flight += 0 if last else tally.pending
        print(f"  周期 {cycle + 1}:已确认 {len(tally.acked)},未确认 {tally.pending}", flush=True)
    server.stop()
    outcome = examine(url, tally, env, checkpoints)
    took = time.monotonic() - began
    print(
        f"  cycles {args.cycles}  commands acked {len(tally.acked)}/{tally.total}  "
        f"in flight at a kill {in_flight}, resent {tally.resent} "
        f"(already recorded: {len(tally.replayed)})  "
        f"lost {outcome.lost}  duplicated {outcome.duplicated}  stray {outcome.stray}"
    )
    print(
        f"  events {outcome.events} = integrity entries {outcome.entries}; "
        f"verify + rebuild {'ok' if outcome.ok else 'FAILED'}; "
        f"restart to ready median {sorted(starts)[len(starts) // 2]:.2f} s; total {took:.0f} s"
    )
    for problem in outcome.failed:
        print(f"  !! {problem}")
    return outcome.ok and tally.pending == 0


def flowing(tally: Tally, before: int, seconds: float = 60) -> None:
    """Wait until this cycle's first acknowledgement (a fresh server warms up first)."""
    deadline = time.monotonic() + seconds
    while len(tally.acked) == before and time.monotonic() < deadline:
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4, help="client threads (one finding each)")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--min-wait", type=float, default=0.3, help="seconds before a kill, at least"
    )
    parser.add_argument("--max-wait", type=float, default=1.5, help="… and at most")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, workers {args.workers}")
    ok = True
    if args.backend in ("sqlite", "both"):
        print("SQLite", flush=True)
        ok &= run(temp_sqlite(), args)
    if args.backend in ("postgres", "both"):
        print("PostgreSQL", flush=True)
        with fresh_schema(args.pg_url, "faults_kill") as url:
            ok &= run(url, args)
    print("结果:无丢失" if ok else "结果:有丢失或不一致")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
