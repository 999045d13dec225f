"""A ledger with a few hundred events on SQLite and PostgreSQL, and raw SQL to tamper with it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.proof.audit import Verdict, verify_log
from ledger.proof.checkpoint import Checkpoint
from ledger.proof.keys import SigningKey, load_or_create
from ledger.proof.service import Prover
from ledger.proof.store import Location
from tests.conftest import database_url
from tests.infrastructure.test_integrity import query

OFFICE = Actor(id="office-1", name="张伟", role="inspection_office")


def fill(app: Ledger, reports: int = 300) -> dict[str, UUID]:
    """A unit, an inspection, two findings and ``reports`` progress reports (≈ reports + 7)."""
    unit = app.register_unit(OFFICE, name="陇川县乡村振兴局", level="county").id
    inspection = app.open_inspection(
        OFFICE,
        kind="assessment",
        title="成效考核",
        inspecting_body="省扶贫办",
        inspected_body="陇川县",
    ).id
    app.deliver_feedback(
        OFFICE, inspection, feedback_date="2018-04-20", document_no="云开组〔2018〕37号"
    )
    findings = []
    for number in ("一、1", "一、2"):
        finding = app.record_finding(
            OFFICE, inspection, category=["精准识别"], number=number, text="识别不精准"
        ).id
        app.assign(OFFICE, finding, responsible_leader="副县长", units=[unit])
        findings.append(finding)
    for start in range(0, reports, 100):
        with app.batch():
            for n in range(start, min(start + 100, reports)):
                app.report_progress(OFFICE, findings[n % 2], narrative=f"第 {n} 次进展")
    return {"unit": unit, "inspection": inspection, "first": findings[0], "second": findings[1]}


@pytest.fixture(params=["sqlite", "postgres"])
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """A ledger of ~307 events in a file (SQLite) or a fresh schema (PostgreSQL)."""
    app = Ledger(Settings(database_url(request.param, tmp_path, request)))
    fill(app)
    yield app
    app.close()


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return load_or_create(tmp_path / "keys" / "ledger.signing-key", "ledger.test")


def sign(app: Ledger, key: SigningKey, size: int | None = None) -> str:
    """A signed checkpoint of the ledger as it is now (fills the tile cache, as the CLI does)."""
    prover = Prover(Location.of(app).open())
    size = prover.size() if size is None else size
    return Checkpoint(key.name, size, prover.root(size)).sign(key)


def verify(app: Ledger, key: SigningKey | None = None, *notes: str) -> Verdict:
    """``ledger verify`` in this process, in ranges of 256 so several ranges are checked."""
    verifier = key.verifier if key is not None else None
    return verify_log(Location.of(app), notes, verifier, workers=1, chunk_level=8)


def sql(app: Ledger, text: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Raw SQL on the ledger's own tables (``{schema}`` prefixes them, ``?`` marks values)."""
    return query(app, text, params)


def order_column(app: Ledger) -> str:
    return "notification_id" if app.settings.is_postgres else "rowid"


def event_at(app: Ledger, position: int) -> tuple[Any, ...]:
    """(order id, originator id, version, topic, state) of the event at a 1-based position."""
    column = order_column(app)
    return sql(
        app,
        f"SELECT {column}, originator_id, originator_version, topic, state "
        f"FROM {{schema}}ledger_events ORDER BY {column} LIMIT 1 OFFSET ?",
        (position - 1,),
    )[0]
