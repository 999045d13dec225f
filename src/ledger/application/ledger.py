"""The ledger application: every command of the domain on one event store."""

from __future__ import annotations

from ledger.application.accountability import AccountabilityCommands
from ledger.application.clues import ClueCommands
from ledger.application.findings import FindingCommands
from ledger.application.funds import FundCommands
from ledger.application.inspections import InspectionCommands
from ledger.application.units import UnitCommands


class Ledger(
    FindingCommands,
    InspectionCommands,
    UnitCommands,
    AccountabilityCommands,
    ClueCommands,
    FundCommands,
):
    """The rectification ledger (整改台账).

    Each command takes the acting ``Actor`` explicitly, decides on one
    aggregate, and saves its events, their integrity-log entries and any
    idempotency key in a single transaction.
    """
