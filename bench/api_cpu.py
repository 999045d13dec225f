"""The server's CPU per HTTP command, two codes alternating on the same database.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/api_cpu.py --url sqlite:///<copy> \\
        --python <old checkout>/.venv/bin/python --python .venv/bin/python --rounds 6

Each round starts ``ledger serve`` (one process) with each interpreter in
turn, warms it for a second, then drives ``POST /findings/{id}/progress`` at
8 clients with ``wrk`` for ``--seconds`` and reads the server process's CPU
time (user + system, from /proc) before and after: CPU per acknowledged
command is the figure, since on a shared machine the rate mostly measures
the neighbours. The writer thread's commit and fsync are in it too, the same
on both sides. Each code gets its own 50 ongoing findings, the same ones in
every round. Needs ``wrk`` on PATH and Linux.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import wrkload
from loadgen import API, Server

from api import office_token, prepare

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def measure(url: str, python: str, token: str, findings: list[str], seconds: float) -> tuple:
    server = Server(url, 1, python)
    try:
        body = '{"narrative": "接口进展 %d-%d"}'
        path = API + "/findings/%s/progress"
        wrkload.run(server.port, token, 8, 1.0, path, findings, body)  # warm-up
        before = cpu_seconds(server.process.pid)
        result = wrkload.run(server.port, token, 8, seconds, path, findings, body)
        used = cpu_seconds(server.process.pid) - before
    finally:
        server.stop()
    acknowledged = len(result.receipts)
    return used / max(acknowledged, 1) * 1e6, result.rate, result.errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--python", action="append", required=True, help="an interpreter per code")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    _inspections, findings = prepare(args.url, 0)
    token = office_token(args.url)
    codes = args.python
    own = {p: [str(f) for f in findings[50 * i : 50 * (i + 1)]] for i, p in enumerate(codes)}
    figures: dict[str, list[tuple]] = {p: [] for p in codes}
    for r in range(args.rounds):
        order = codes if r % 2 == 0 else codes[::-1]
        for python in order:
            figure = measure(args.url, python, token, own[python], args.seconds)
            figures[python].append(figure)
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"round {r + 1} {python}: {figure[0]:.0f} µs CPU/command, {figure[1]:.0f}/s, "
                f"errors {figure[2]} (load {load})",
                flush=True,
            )
    print()
    for python in codes:
        cpu = statistics.median(f[0] for f in figures[python])
        rate = statistics.median(f[1] for f in figures[python])
        errors = sum(f[2] for f in figures[python])
        print(f"{python}: median {cpu:.0f} µs CPU/command, {rate:.0f} commands/s, errors {errors}")


if __name__ == "__main__":
    main()
