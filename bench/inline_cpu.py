#!/usr/bin/env python
"""CPU per event of the write path with and without its read models, on an existing ledger.

The three workloads of ``readmodels.py`` (``Inline``: 1 ``report_progress`` per
transaction, ``batch()`` of 100, ``save()`` of 100 decided events), with the read
models attached and detached in alternating order, each round on 50 fresh
findings. Prints process CPU µs per event (steadier than wall time on a shared
machine) and events/s, medians over the rounds, with the load average. No
rebuild and no queries: run it once per version of the code on the same copy of
a ledger, one after another, for an A/B.

    .venv/bin/python bench/inline_cpu.py sqlite:///<copy of a 1M-event ledger> --rounds 6

The events written detached are missing from the read models until the next
rebuild (as with ``readmodels.py``): use a copy of a ledger, never one in use.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from readmodels import Inline, Workload

from ledger.application.ledger import Ledger
from ledger.config import Settings


def run(inline: Inline, rounds: int) -> dict[tuple[str, bool], tuple[list[float], list[float]]]:
    """(CPU µs per event, events/s) per workload and with/without, one entry per round."""
    for w in inline.workloads:  # warm-up, both ways
        for attached in (True, False):
            inline.attach(attached)
            w.run(inline.fresh(), min(w.events, 200))
    found: dict[tuple[str, bool], tuple[list[float], list[float]]] = {
        (w.name, a): ([], []) for w in inline.workloads for a in (True, False)
    }
    for r in range(rounds):
        for attached in (True, False) if r % 2 == 0 else (False, True):
            inline.attach(attached)
            for w in inline.workloads:
                cpu, rate = once(inline, w)
                found[(w.name, attached)][0].append(cpu)
                found[(w.name, attached)][1].append(rate)
        print(f"  round {r + 1}/{rounds}, load {os.getloadavg()[0]:.1f}", flush=True)
    inline.attach(True)  # one more write attached: the tracking position is at the head
    inline.single(inline.fresh(), 1)
    return found


def once(inline: Inline, w: Workload) -> tuple[float, float]:
    ids = inline.fresh()
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    w.run(ids, w.events)
    return (time.process_time() - cpu) / w.events * 1e6, w.events / (time.perf_counter() - wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="database URL of a ledger with its read models built")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--events", type=int, default=200, help="single commands per round")
    args = parser.parse_args()
    print(f"load {os.getloadavg()[0]:.1f}; {args.rounds} rounds", flush=True)
    ledger = Ledger(Settings(args.url))
    try:
        inline = Inline(ledger, args.events)
        found = run(inline, args.rounds)
    finally:
        ledger.close()
    print(f"{'':40s} CPU µs/event with / without = ratio    events/s with / without = ratio")
    for w in inline.workloads:
        (cw, rw), (cn, rn) = found[(w.name, True)], found[(w.name, False)]
        cpu = statistics.median(cw), statistics.median(cn)
        rate = statistics.median(rw), statistics.median(rn)
        print(
            f"{w.name:40s} {cpu[0]:7.1f} / {cpu[1]:7.1f} = {cpu[1] / cpu[0]:.2f}x"
            f"    {rate[0]:7,.0f} / {rate[1]:7,.0f} = {rate[0] / rate[1]:.2f}x"
        )
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
