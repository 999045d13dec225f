"""CPU time of saving accountability actions with the read models kept inline, for an A/B of
two checkouts in one run (each with its own environment)::

    <checkout A>/.venv/bin/python bench/inline_actions.py <checkout A> <db file> 5000
    <checkout B>/.venv/bin/python bench/inline_actions.py <checkout B> <db file> 5000

It starts a fresh SQLite ledger at <db file> (removed first), registers 200 units, then times
``Maker.actions`` of that checkout's ``bench/funds.py``: N actions (proposed, decided, every
50th revoked on appeal) saved in batches of 2,000 events. Alternate the two checkouts.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path


def main() -> None:
    checkout, path, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    sys.path.insert(0, str(checkout / "bench"))
    import funds  # that checkout's generator

    from ledger.application.ledger import Ledger
    from ledger.config import Settings

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    ledger = Ledger(Settings(f"sqlite:///{path}"))
    maker = funds.Maker(ledger, random.Random(1), 2000)
    units = maker.units(200)
    maker.save(force=True)
    before = maker.events
    wall, cpu = time.perf_counter(), time.process_time()
    maker.actions(n, units)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    load = "{:.1f}, {:.1f}".format(*os.getloadavg()[:2])
    events = maker.events - before
    print(f"{checkout.name}: {n:,} actions, {events:,} events: {cpu:.2f} CPU-s, {wall:.2f} s")
    print(f"  {cpu / events * 1000:.3f} CPU-ms per event, load {load}")
    ledger.close()


if __name__ == "__main__":
    main()
