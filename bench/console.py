"""Web console page-load times in a real browser, on the demo data, from a warm server.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/console.py              # 30 loads of each page
    .venv/bin/python bench/console.py --loads 10   # a quick look

The demo is loaded into a fresh SQLite file and served by ``ledger serve`` in
its own process (one worker). Headless Chromium (Debian's ``/usr/bin/chromium``,
driven by Playwright) signs in once, warms up, then for each page:

* full load: ``page.goto`` of ``/#/route`` (HTML, stylesheet, modules and
  every API call the page makes), timed from navigation start to the
  console's ``console-ready`` performance mark (set when the page has
  rendered its data);
* in-app: a hash change from another page, timed from the ``console-route``
  mark to ``console-ready``.

Target: every page ready in <= 300 ms.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.demo.load import GUIZHOU_OFFICE, load_demo
from ledger.infrastructure.credentials import Credentials

CHROMIUM = "/usr/bin/chromium"
READY = "performance.getEntriesByName('console-ready').at(-1).startTime"
IN_APP = """h => new Promise(done => {
  performance.clearMarks();
  document.body.removeAttribute('data-ready');
  window.location.hash = h;
  const wait = () => document.body.dataset.ready ? done(
    performance.getEntriesByName('console-ready').at(-1).startTime
    - performance.getEntriesByName('console-route').at(-1).startTime) : setTimeout(wait, 1);
  wait();
})"""


def prepare(url: str) -> tuple[str, dict[str, str]]:
    """Load the demo; a token for the office and the ids the pages need."""
    ledger = Ledger(Settings(url))
    try:
        ids = load_demo(ledger)
        actor = GUIZHOU_OFFICE
        token, _ = Credentials(ledger.projector.db.engine).issue(
            actor_id=actor.id, name=actor.name, role=actor.role.value
        )
    finally:
        ledger.close()
    return token, {k: str(v) for k, v in ids.items()}


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    ledger = Path(sys.executable).with_name("ledger")
    process = subprocess.Popen(
        [str(ledger), "--database", url, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health").status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def pages(base: str, token: str, ids: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(name, hash, as-of view?) for each page measured."""
    headers = {"Authorization": f"Bearer {token}"}
    guizhou = ids["guizhou"]
    listed = httpx.get(
        f"{base}/api/v1/findings", params={"inspection_id": guizhou, "limit": 1000}, headers=headers
    ).json()["items"]
    busiest = max(listed, key=lambda f: f["sent_back"])["finding_id"]
    return [*finding_pages(guizhou, busiest), *discipline_pages(base, headers)]


def finding_pages(guizhou: str, busiest: str) -> list[tuple[str, str, bool]]:
    return [
        ("总览 overview", "#/", False),
        ("巡视 inspection (chart, rollups)", f"#/inspections/{guizhou}", False),
        ("问题清单 findings, 20 rows", "#/findings", False),
        ("问题清单 filtered", f"#/findings?inspection_id={guizhou}&status=ongoing", False),
        ("问题 finding (forms, timeline)", f"#/findings/{busiest}", False),
        ("总览 as of 2018-05-31", "#/", True),
        ("巡视 as of 2018-05-31", f"#/inspections/{guizhou}", True),
        ("问题 as of 2018-05-31", f"#/findings/{busiest}", True),
        ("完整性 integrity (signs a checkpoint)", "#/integrity", False),
    ]


def discipline_pages(base: str, headers: dict[str, str]) -> list[tuple[str, str, bool]]:
    """The accountability, funds and clue pages (Yongding's data), and the import screen."""

    def first(path: str, key: str) -> str:
        answer = httpx.get(f"{base}/api/v1{path}", params={"limit": 1}, headers=headers).json()
        return str((answer["items"] if isinstance(answer, dict) else answer)[0][key])

    action = first("/accountability/actions", "action_id")
    clue, fund = first("/clues", "clue_id"), first("/funds", "fund_id")
    return [
        ("问责 accountability (7 figures, 20 rows)", "#/accountability", False),
        ("问责 filtered (judicial)", "#/accountability?family=judicial", False),
        ("问责 one action", f"#/accountability/actions/{action}", False),
        ("资金 funds (balances, idle, units)", "#/funds", False),
        ("资金 movements behind 追缴", f"#/funds/movements?fund_id={fund}&kind=recovery", False),
        ("线索 clues (figures, units, 20 rows)", "#/clues", False),
        ("线索 one clue", f"#/clues/{clue}", False),
        ("导入 import (form)", "#/import", False),
        ("问责 as of 2018-05-31", "#/accountability", True),
        ("资金 as of 2018-05-31", "#/funds", True),
        ("线索 as of 2018-05-31", "#/clues", True),
    ]


def measure(page: Any, base: str, target: str, past: bool, loads: int) -> tuple[list[float], ...]:
    moment = '{"as_of":"2018-05-31","known_at":null}' if past else None
    key = "ledger.moment"
    page.evaluate(
        "([k, m]) => m ? sessionStorage.setItem(k, m) : sessionStorage.removeItem(k)", [key, moment]
    )
    full, in_app = [], []
    for n in range(loads + 3):  # three warm-up loads
        page.goto(f"{base}/?load={n}{target}")  # a new query string: a real page load
        page.wait_for_selector("body[data-ready]", state="attached")
        elapsed = page.evaluate(READY)
        page.evaluate("location.hash = '#/none'")
        page.wait_for_selector("body[data-ready]", state="attached")
        moved = page.evaluate(IN_APP, target)
        if n >= 3:
            full.append(elapsed)
            in_app.append(moved)
    return full, in_app


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"{statistics.median(ordered):6.0f} {p95:6.0f} {ordered[-1]:6.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=30, help="timed loads per page")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="console-bench-")
    url = f"sqlite:///{folder}/demo.db"
    token, ids = prepare(url)
    process, base = serve(url)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(base + "/")
            page.evaluate("t => sessionStorage.setItem('ledger.token', t)", token)
            me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            page.evaluate("m => sessionStorage.setItem('ledger.me', m)", me.text)
            head = "full load ms: p50    p95    max"
            print(f"{'page':36} {head:>34}   {'in-app ms: p50 p95 max':>24}")
            for name, target, past in pages(base, token, ids):
                full, in_app = measure(page, base, target, past, args.loads)
                print(f"{name:36} {summary(full):>34}   {summary(in_app):>24}")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)


if __name__ == "__main__":
    main()
