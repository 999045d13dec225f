"""The import of ``bench/transfer.py`` alone: one workbook, one import, wall clock and CPU.

Run by hand; it prints one line per round and asserts only that the import applied::

    .venv/bin/python bench/import_alone.py --rows 100000 --rounds 1

For an A/B against another checkout, run this same file with the other checkout's
interpreter (its ``ledger`` is imported; the workbook generator is this directory's),
alternating. CPU is this process's and its children's (a large import's writer
process, counted once it has ended), so the figure is the import's whole cost.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from transfer import OPTIONS, workbook

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.transfer.importer import apply_import


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once(folder: Path, book: Path, n: int) -> None:
    app = Ledger(Settings(f"sqlite:///{folder}/import-{n}.db"))
    load = os.getloadavg()[0]
    try:
        wall, cpu, kids = time.perf_counter(), time.process_time(), children_cpu()
        report = apply_import(app, book, OPTIONS)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        kids = children_cpu() - kids
    finally:
        app.close()
    assert report.applied and not report.problems, report.problems[:5]
    print(
        f"   {report.events:,} events in {wall:.2f} s = {report.events / wall:,.0f} events/s; "
        f"CPU {cpu + kids:.2f} s (this process {cpu:.2f}, its children {kids:.2f}) = "
        f"{report.events / (cpu + kids):,.0f} events per CPU-second; load {load:.2f}"
    )
    for path in folder.glob(f"import-{n}.db*"):
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ledger-import-") as folder:
        book = Path(folder) / "ledger.xlsx"
        workbook(args.rows, book)
        for n in range(args.rounds):
            once(Path(folder), book, n)


if __name__ == "__main__":
    main()
