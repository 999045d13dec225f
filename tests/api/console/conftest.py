"""A real browser on the console: Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it drives ``/usr/bin/chromium``
(``LEDGER_CHROMIUM`` names another). Without the browser these tests skip,
unless ``LEDGER_REQUIRE_BROWSER=1`` (CI sets it), in which case they fail.
Every page records the browser's console errors and uncaught exceptions; a
test ends by asserting there were none beyond the refusals it provoked.
Screenshots go to ``artifacts/screenshots/`` (the README names it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledger.demo.load import GUIZHOU_OFFICE
from ledger.domain.values import Actor
from ledger.infrastructure.credentials import Credentials

CHROMIUM = os.environ.get("LEDGER_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("LEDGER_REQUIRE_BROWSER") == "1"
SHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
# How Chromium reports an HTTP error answer to fetch() in the console.
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")


def browser_or_skip() -> Any:
    """Playwright's module, or skip (fail when LEDGER_REQUIRE_BROWSER=1) with the reason."""
    reason = None
    try:
        from playwright import sync_api
    except ImportError as error:
        reason = f"Playwright is not installed: {error}"
    if reason is None and not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)"
    if reason is not None:
        if REQUIRE:
            pytest.fail(f"a browser is required (LEDGER_REQUIRE_BROWSER=1) but: {reason}")
        pytest.skip(reason)
    return sync_api


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium for the whole session."""
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@dataclass
class Console:
    """What the browser reported: console errors and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)

    def unexpected(self, refusals: tuple[int, ...] = ()) -> list[str]:
        """Errors other than Chromium's line for an HTTP refusal the test provoked."""
        left = []
        for text in self.errors:
            match = REFUSED.search(text)
            if match is None or int(match.group(1)) not in refusals:
                left.append(text)
        return left


@dataclass
class Visit:
    """A browser page on the console, with its console log and screenshots."""

    page: Any
    base: str
    console: Console
    name: str

    def open(self, hash_: str = "") -> None:
        self.page.goto(f"{self.base}/{hash_}")
        self.ready()

    def ready(self) -> None:
        """Wait until the console has rendered the current route."""
        self.page.wait_for_selector("body[data-ready]", state="attached")

    def go(self, hash_: str) -> None:
        """Navigate inside the console (no page load) and wait for the new page."""
        self.page.evaluate("document.body.removeAttribute('data-ready')")
        self.page.evaluate("h => { window.location.hash = h }", hash_)
        self.ready()

    def sign_in(self, token: str) -> None:
        self.open()
        self.page.fill("#token", token)
        self.page.click("form.signin button[type=submit]")
        self.page.wait_for_selector("#nav:not([hidden])")
        self.ready()

    def shot(self, step: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def visit(browser: Any, demo_api: Any, request: pytest.FixtureRequest) -> Callable[..., Visit]:
    """Open a browser page on the demo console: ``visit()``, or ``visit(width=390)``."""
    contexts = []

    def make(width: int = 1280, height: int = 800) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        console = Console()
        page.on("console", lambda m: m.type == "error" and console.errors.append(m.text))
        page.on("pageerror", lambda e: console.errors.append(f"uncaught: {e}"))
        name = f"{request.node.name}-{width}"
        return Visit(page, demo_api.url, console, name)

    yield make
    for context in contexts:
        context.close()


@dataclass
class People:
    """Tokens for the demo's office, one responsible unit, an auditor, discipline and finance
    staff, and an API client per token."""

    office: str
    unit: str
    auditor: str
    unit_id: str
    url: str
    discipline: str
    finance: str

    def api(self, token: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="module")
def people(demo_api: Any) -> People:
    """Fresh tokens on the module's demo database."""
    store = Credentials(demo_api.ledger.projector.db.engine)

    def token(actor: Actor) -> str:
        unit = str(actor.unit) if actor.unit else None
        return store.issue(actor_id=actor.id, name=actor.name, role=actor.role.value, unit=unit)[0]

    office = token(GUIZHOU_OFFICE)
    with httpx.Client(base_url=f"{demo_api.url}/api/v1", headers=demo_api.auth) as api:
        first = api.get("/inspections").json()[0]["inspection_id"]
        rows = api.get(f"/inspections/{first}/rollups", params={"by": "unit"}).json()
    unit_id = next(r["unit_id"] for r in rows if r["name"] == "省扶贫办")
    unit = token(
        Actor(id="demo-unit-fupin", name="省扶贫办联络员", role="responsible_unit", unit=unit_id)
    )
    auditor = token(Actor(id="demo-auditor", name="审计督查员", role="auditor"))
    discipline = token(Actor(id="demo-discipline", name="纪委监委干部", role="discipline"))
    finance = token(Actor(id="demo-finance", name="财政局干部", role="finance"))
    return People(office, unit, auditor, unit_id, demo_api.url, discipline, finance)
