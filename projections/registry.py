"""Every read model the ledger keeps, in one list."""

from __future__ import annotations

from .base import Projection
from .extensions import Extensions
from .findings import FindingStatus
from .history import StatusHistory
from .inspections import Inspections, Units
from .letters import Letters

PROJECTIONS: list[type[Projection]] = [
    FindingStatus,
    StatusHistory,
    Inspections,
    Units,
    Letters,
    Extensions,
]
