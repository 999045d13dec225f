"""Composition root: the ledger with its read models kept in the write transaction."""

from __future__ import annotations

from collections.abc import Callable

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.projections.database import Database
from ledger.projections.runner import Projector


def open_ledger(
    settings: Settings | None = None, progress: Callable[[int, int], None] | None = None
) -> Ledger:
    """The application on the configured database, read models created and caught up."""
    ledger = Ledger(settings)
    projector = Projector(Database.of(ledger.env), ledger.recorder)
    projector.ensure(progress)
    ledger.recorder.projector = projector  # type: ignore[attr-defined]
    ledger.projector = projector  # type: ignore[attr-defined]
    return ledger
