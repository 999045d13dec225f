"""How long a read-model rebuild holds writers back: each write transaction it takes, timed.

Run by hand on a copy of a ledger (it rebuilds every read model in place)::

    .venv/bin/python bench/rebuild_hold.py sqlite:///<copy of a 1M-event ledger>

It wraps the rebuild's steps that take the write lock — the swap, each index
build of the copies, each drop of a replaced table — and prints the whole
rebuild's wall and CPU time, then the longest holds. On SQLite every one of
them blocks every writer for its duration (commands wait up to SQLite's lock
timeout, 5 s, then fail).
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.projections import rebuild
from ledger.projections.rebuild import Rebuild

holds: list[tuple[float, str]] = []


def _timed(what: str, work: Any) -> Any:
    started = time.perf_counter()
    try:
        return work()
    finally:
        holds.append((time.perf_counter() - started, what))


def _index_copies(self: Rebuild) -> None:
    for table in self._all_shadows():
        for index in table.indexes:

            def build(table: Any = table, index: Any = index) -> None:
                with self.db.engine.begin() as conn:
                    conn.exec_driver_sql(self._create_index(index.name, table.name, index))

            _timed(f"index {index.name}", build)


def _drop_replaced(self: Rebuild) -> None:
    if self.db.dialect != "sqlite":
        return
    for projection in self.chosen:
        for table in projection.tables:

            def drop(name: str = f"{table.name}{rebuild.OLD}") -> None:
                with self.db.engine.begin() as conn:
                    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')

            _timed(f"drop {table.name}{rebuild.OLD}", drop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a ledger to rebuild in place (use a copy)")
    parser.add_argument("--show", type=int, default=10, help="longest holds to print")
    args = parser.parse_args()
    swap = Rebuild._swap
    Rebuild._index_copies = _index_copies  # type: ignore[method-assign]
    Rebuild._drop_replaced = _drop_replaced  # type: ignore[method-assign]
    Rebuild._swap = lambda self, head: _timed("swap", lambda: swap(self, head))  # type: ignore[method-assign]
    print(f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    ledger = Ledger(Settings(args.url))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        ledger.projector.rebuild()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        ledger.close()
    print(
        f"rebuild: {wall:.1f} s wall, {cpu:.1f} s CPU; load "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print("longest write-lock holds:")
    for seconds, what in sorted(holds, reverse=True)[: args.show]:
        print(f"  {seconds:6.2f} s  {what}")


if __name__ == "__main__":
    main()
