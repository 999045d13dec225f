"""Every read model the ledger keeps, in one list."""

from __future__ import annotations

from .accountability import Accountability
from .action_known import ActionKnown
from .action_known_steps import ActionKnownSteps
from .audit import AuditIndex
from .base import Projection
from .cases import Cases
from .clues import Clues
from .extensions import Extensions
from .findings import FindingStatus
from .funds import Funds
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
    AuditIndex,
    Accountability,
    ActionKnown,
    ActionKnownSteps,
    Cases,
    Funds,
    Clues,
]
