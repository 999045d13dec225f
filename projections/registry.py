"""Every read model the ledger keeps, in one list."""

from __future__ import annotations

from ledger.projections.base import Projection
from ledger.projections.findings import FindingStatus
from ledger.projections.history import StatusHistory
from ledger.projections.inspections import Inspections, Units

PROJECTIONS: list[type[Projection]] = [FindingStatus, StatusHistory, Inspections, Units]
