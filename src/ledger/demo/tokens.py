"""The people the demo's tokens stand for: one per role."""

from __future__ import annotations

from uuid import UUID

from ledger.demo.load import ADMIN, GUIZHOU_OFFICE
from ledger.domain.values import Actor

# The unit whose liaison gets the responsible-unit token: it leads most Guizhou findings.
DEMO_UNIT = "省扶贫办"


def demo_actors(units: dict[str, UUID]) -> list[Actor]:
    """Office, a responsible unit, discipline, finance, auditor and admin."""
    return [
        GUIZHOU_OFFICE,
        Actor(
            id="demo-unit-fupin",
            name="省扶贫办联络员",
            role="responsible_unit",
            unit=units[DEMO_UNIT],
        ),
        Actor(id="demo-discipline", name="纪委监委干部", role="discipline"),
        Actor(id="demo-finance", name="财政厅干部", role="finance"),
        Actor(id="demo-auditor", name="审计督查员", role="auditor"),
        ADMIN,
    ]
